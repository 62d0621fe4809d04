"""The worker's RTP data path inside aiortc: packets in, rewritten packets out, nothing else.

Checked against aiortc 1.16.0 and aioice 0.13.0 (`pass_through.CHECKED_AIORTC_VERSION`);
every internal used here is listed in `problems()`, which `pass_through.check_compatible()`
runs. aiortc keeps ICE, DTLS, SRTP keys, SDP and RTCP timers; from the socket's callback
to the send of every copy, only this module and `media_worker.forwarding` run, in one
call, without a task hop, a queue, a depayloader or a jitter buffer. Each hook works on
one object the worker created, never on a class.

Receive side:
  - `receive_inline(tap)` hooks `datagram_received` of each aioice protocol of the peer's
    ICE connection: once DTLS has set up SRTP, an SRTP packet (not SRTCP) is decrypted
    (`srtp.Srtp`, libsrtp on the transport's `_rx_srtp` session) and handed to the tap
    right there; STUN, DTLS records and SRTCP take the stock path (aioice's queue, the
    DTLS transport's receive task).
  - `RtpTap(dtls_transport)` also replaces the transport's `_handle_rtp_data` (the stock
    receive task's handler of decrypted RTP, for packets that came that way before SRTP
    was hooked): it reads the RTP header itself (`forwarding.rtp.parse`), finds the
    receiver with aiortc's own router (once per SSRC and payload type) and hands the
    packet to that receiver's `InboundStream`; a packet for a receiver the worker did not
    tap takes aiortc's stock path.
  - `InboundStream(receiver, mime)` does what the stock receiver does that forwarding
    needs, and no more: per-SSRC statistics (`StreamStatistics`, which the receiver's RTCP
    loop turns into receiver reports and the echo test reads), RTX unwrapping, NACKs for
    missing packets (`forwarding.losses`, where the receiver would NACK, that is for
    video; sent with its `_send_rtcp_nack`), then marks whether the packet starts a
    keyframe and calls the function given to `forward_to` (the publication's `forward`).
    aiortc's remote bitrate estimator does not run (it cost a tenth of the worker's time,
    and its REMBs another twelfth): the REMB sent upstream is the lowest subscriber
    estimate (`pass_through.UpstreamFeedback`).
  - Every step from the socket's callback to the last copy's `sendto` is a plain function
    call: no coroutine is created per packet. What is a coroutine in aiortc (a NACK sent
    upstream, a packet of an untapped receiver) is started with `background.spawn`.
  - `forbid_decoding(receiver)`: the decoder queue drops anything put on it, so no
    decoder is ever created even if a packet took the stock path.
Send side: `aiortc_hooks.outbound`.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

import aioice.ice
from aiortc import RTCDtlsTransport, RTCRtpReceiver, rtcrtpreceiver

from media_worker.aiortc_hooks.background import spawn
from media_worker.aiortc_hooks.introspection import (
    Expectation,
    code_names,
    require_attributes,
    unmet,
)
from media_worker.aiortc_hooks.srtp import SrtpCache
from media_worker.forwarding.bitstream import packet_keyframe_detector
from media_worker.forwarding.losses import MissingPackets
from media_worker.forwarding.rtp import RtpPacket, parse, unwrap_rtx

logger = logging.getLogger(__name__)


_RECEIVER_CODECS = "_RTCRtpReceiver__codecs"
_RECEIVER_RTX_SSRC = "_RTCRtpReceiver__rtx_ssrc"
_RECEIVER_NACK_GENERATOR = "_RTCRtpReceiver__nack_generator"
_RECEIVER_REMOTE_STREAMS = "_RTCRtpReceiver__remote_streams"
_RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"


# --- receive side -------------------------------------------------------------------------


class InboundStream:
    """One tapped receiver: statistics, RTX, NACKs, then `forward` for every packet."""

    def __init__(self, receiver: RTCRtpReceiver, mime_type: str) -> None:
        self.receiver = receiver
        self.media_ssrc: int | None = None
        self._forward: Callable[[RtpPacket], None] = _discard
        self._starts_keyframe = packet_keyframe_detector(mime_type)
        self._codecs: dict[int, Any] = getattr(receiver, _RECEIVER_CODECS)
        self._rtx_ssrc: dict[int, int] = getattr(receiver, _RECEIVER_RTX_SSRC)
        self._streams: dict[int, rtcrtpreceiver.StreamStatistics] = getattr(
            receiver, _RECEIVER_REMOTE_STREAMS
        )
        self._rtx_payload_types: set[int] | None = None
        stock_nacks = getattr(receiver, _RECEIVER_NACK_GENERATOR)
        self._losses = MissingPackets() if stock_nacks is not None else None

    def forward_to(self, forward: Callable[[RtpPacket], None]) -> None:
        self._forward = forward

    def handle(self, packet: RtpPacket) -> None:
        receiver = self.receiver
        codec = self._codecs.get(packet.payload_type)
        if codec is None or not receiver._enabled:
            return
        rtx_payload_types = self._rtx_payload_types
        if rtx_payload_types is None:  # the codecs are known once the receiver started
            rtx_payload_types = self._rtx_payload_types = {
                payload_type for payload_type, known in self._codecs.items() if known.name == "rtx"
            }
        stream = self._streams.get(packet.ssrc)
        if stream is None:
            stream = self._streams[packet.ssrc] = rtcrtpreceiver.StreamStatistics(codec.clockRate)
        stream.add(packet)  # type: ignore[arg-type]  # reads sequence_number and timestamp
        if packet.payload_type in rtx_payload_types:
            unwrapped = self._unwrap(packet, codec.parameters.get("apt"))
            if unwrapped is None:
                return
            packet = unwrapped
        losses = self._losses
        if losses is not None and losses.add(packet.sequence_number):
            spawn(receiver._send_rtcp_nack(packet.ssrc, sorted(losses.missing)))
        self.media_ssrc = packet.ssrc
        packet.keyframe = self._starts_keyframe(packet.payload)
        self._forward(packet)

    def _unwrap(self, packet: RtpPacket, apt: object) -> RtpPacket | None:
        original_ssrc = self._rtx_ssrc.get(packet.ssrc)
        if original_ssrc is None or not isinstance(apt, int) or apt not in self._codecs:
            return None
        return unwrap_rtx(packet, payload_type=apt, ssrc=original_ssrc)


def _discard(packet: RtpPacket) -> None:
    return None


class RtpTap:
    """Takes a DTLS transport's decrypted RTP packets for the receivers it was given."""

    def __init__(self, transport: RTCDtlsTransport) -> None:
        self._transport = transport
        self._stock = transport._handle_rtp_data
        self._inbound: dict[object, InboundStream] = {}
        self._routes: dict[tuple[int, int], InboundStream] = {}
        transport._handle_rtp_data = self._handle_rtp_data  # type: ignore[method-assign]

    @property
    def transport(self) -> RTCDtlsTransport:
        return self._transport

    def add(self, inbound: InboundStream) -> None:
        self._inbound[inbound.receiver] = inbound

    def handle_decrypted(self, data: bytes) -> bool:
        """Forward a decrypted RTP packet now; False if no tapped receiver takes it."""
        packet = parse(data)
        if packet is None:
            return True  # not RTP: dropped, as aiortc would
        inbound = self._routes.get((packet.ssrc, packet.payload_type))
        if inbound is None:
            receiver = self._transport._rtp_router.route_rtp(packet)  # type: ignore[arg-type]
            inbound = self._inbound.get(receiver)
            if inbound is None:
                return False
            self._routes[(packet.ssrc, packet.payload_type)] = inbound
        inbound.handle(packet)
        return True

    def handle_elsewhere(self, data: bytes) -> None:
        """A decrypted packet no tapped receiver takes: aiortc's stock path, as a task."""
        spawn(self._stock(data, 0))

    async def _handle_rtp_data(self, data: bytes, arrival_time_ms: int) -> None:
        if not self.handle_decrypted(data):
            await self._stock(data, arrival_time_ms)


def receive_inline(tap: RtpTap) -> int:
    """Decrypt and forward SRTP packets in the socket's callback: no queue, no task hop.

    aioice hands every datagram to its connection's queue, which the DTLS transport's
    receive task reads (one task wake-up and one event-loop iteration per packet, and a
    STUN parse attempt that fails on every media packet). On each of the connection's
    protocols (one per local candidate; gathering is over once the answer exists), the
    `datagram_received` callback takes SRTP packets first: once DTLS has set up SRTP, an
    RTP packet is decrypted (`srtp.Srtp` on `_rx_srtp`) and handed to the tap at once. STUN,
    DTLS and SRTCP still go the stock way. Returns how many protocols were hooked.
    """
    transport = tap.transport
    connection = transport.transport._connection
    for protocol in connection._protocols:
        inline = _InlineReceiver(transport, tap, protocol.datagram_received)
        protocol.datagram_received = inline  # type: ignore[method-assign, assignment]
    return len(connection._protocols)


class _InlineReceiver:
    """One protocol's `datagram_received`, SRTP first."""

    def __init__(
        self, transport: RTCDtlsTransport, tap: RtpTap, stock: Callable[[bytes, Any], None]
    ) -> None:
        self._transport = transport
        self._tap = tap
        self._stock = stock
        self._srtp = SrtpCache()

    def __call__(self, data: bytes, addr: Any) -> None:
        session = self._transport._rx_srtp
        if session is None or len(data) < 12 or not 127 < data[0] < 192 or 191 < data[1] < 209:
            self._stock(data, addr)  # STUN, DTLS, SRTCP, or SRTP before its keys
            return
        plain = self._srtp.get(session).unprotect(data)
        if plain is None:
            return  # forged, replayed or damaged: dropped, as aiortc would
        try:
            if not self._tap.handle_decrypted(plain):
                self._tap.handle_elsewhere(plain)
        except Exception:  # a packet must never close the socket's transport
            logger.exception("forwarding a packet failed")


class _NoDecoding:
    """Stands in for a receiver's decoder queue: drops what is put, idles until stopped."""

    def __init__(self) -> None:
        self._stopped = threading.Event()

    def put(self, item: object) -> None:
        if item is None:
            self._stopped.set()

    def get(self) -> None:
        self._stopped.wait()


def forbid_decoding(receiver: RTCRtpReceiver) -> None:
    require_attributes(receiver, (_RECEIVER_DECODER_QUEUE,))
    setattr(receiver, _RECEIVER_DECODER_QUEUE, _NoDecoding())


# --- compatibility ------------------------------------------------------------------------


def expectations() -> list[Expectation]:
    """(what, function, names its bytecode must use) for every internal this module uses."""
    receiver, dtls = RTCRtpReceiver, RTCDtlsTransport
    return [
        (
            "RTCDtlsTransport._recv_next hands decrypted RTP to _handle_rtp_data",
            dtls._recv_next,
            {"unprotect", "_handle_rtp_data"},
        ),
        (
            "RTCDtlsTransport._handle_rtp_data routes with _rtp_router.route_rtp",
            dtls._handle_rtp_data,
            {"_rtp_router", "route_rtp", "_handle_rtp_packet"},
        ),
        (
            "RTCRtpReceiver.__init__ keeps codecs, RTX SSRCs, NACK generator, statistics",
            receiver.__init__,
            {
                _RECEIVER_CODECS,
                _RECEIVER_RTX_SSRC,
                _RECEIVER_NACK_GENERATOR,
                _RECEIVER_REMOTE_STREAMS,
                _RECEIVER_DECODER_QUEUE,
                "_enabled",
            },
        ),
        (
            "RTCRtpReceiver._run_rtcp reports on every remote stream",
            receiver._run_rtcp,
            {_RECEIVER_REMOTE_STREAMS, "RtcpRrPacket"},
        ),
        (
            "RTCRtpReceiver._send_rtcp_nack sends a NACK",
            receiver._send_rtcp_nack,
            {"RtcpRtpfbPacket", "RTCP_RTPFB_NACK"},
        ),
        (
            "StreamStatistics.add reads a packet's sequence number and timestamp",
            rtcrtpreceiver.StreamStatistics.add,
            {"sequence_number", "timestamp"},
        ),
    ]


def problems() -> list[str]:
    """What no longer holds of the internals this module relies on (empty when all do)."""
    found = unmet(expectations())
    if "receiver" not in code_names(aioice.ice.StunProtocol.datagram_received):
        found.append("aioice StunProtocol.datagram_received no longer hands data to receiver")
    for name in ("_protocols", "_queue"):
        if name not in code_names(aioice.ice.Connection.__init__):
            found.append(f"aioice Connection no longer keeps {name}")
    if "_rx_srtp" not in code_names(RTCDtlsTransport.__init__):
        found.append("RTCDtlsTransport no longer keeps _rx_srtp")
    for name in ("StreamStatistics",):
        if not hasattr(rtcrtpreceiver, name):
            found.append(f"aiortc.rtcrtpreceiver.{name} is gone")
    parameters = list(inspect.signature(RTCDtlsTransport._handle_rtp_data).parameters)
    if parameters != ["self", "data", "arrival_time_ms"]:
        found.append(f"RTCDtlsTransport._handle_rtp_data takes {parameters}")
    return found
