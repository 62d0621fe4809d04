"""The worker's RTP data path inside aiortc: packets in, rewritten packets out, nothing else.

Checked against aiortc 1.16.0 (`pass_through.CHECKED_AIORTC_VERSION`); every internal used
here is listed in `check_compatible()`. aiortc keeps ICE, DTLS, SRTP keys, SDP and RTCP
timers; between decrypting a packet and sending its copies, only this module and
`media_worker.forwarding` run, in one call, without a task hop, a queue, a depayloader or a
jitter buffer. Each hook works on one object the worker created, never on a class.

Receive side:
  - `RtpTap(dtls_transport)` replaces the transport's `_handle_rtp_data` (called with each
    decrypted SRTP packet by its receive loop): it reads the RTP header itself
    (`forwarding.rtp.parse`), finds the receiver with aiortc's own router (once per SSRC
    and payload type) and hands the packet to that receiver's `InboundStream`; a packet
    for a receiver the worker did not tap takes aiortc's stock path.
  - `InboundStream(receiver, mime)` does what the stock receiver does that
    forwarding needs, and no more: per-SSRC statistics (`StreamStatistics`, which the
    receiver's RTCP loop turns into receiver reports and the echo test reads), RTX
    unwrapping, NACKs for missing packets (`forwarding.losses` where the receiver would
    NACK, that is for video; sent with its `_send_rtcp_nack`), then
    marks whether the packet starts a keyframe and awaits the callable given to
    `forward_to` (the publication's `forward`). aiortc's
    remote bitrate estimator does not run (it cost a fifth of the worker's time): the REMB
    sent upstream is the lowest subscriber estimate (`pass_through.UpstreamFeedback`).
  - `forbid_decoding(receiver)`: the decoder queue drops anything put on it, so no
    decoder is ever created even if a packet took the stock path.
Send side:
  - `OutboundLeg(sender)` captures the negotiated payload types and header extension IDs
    when aiortc starts the sender (`send(parameters)`), then sends each packet with the
    sender's SSRC, payload type, its own abs-send-time and mid extensions, encrypted by the
    sender's DTLS transport (`_send_rtp`); it keeps the sender's sender-report counters
    (`__ntp_timestamp`, `__rtp_timestamp`, `__packet_count`, `__octet_count`) so that the
    stock RTCP loop sends true sender reports (lip sync, RTT). Retransmissions go on the
    sender's RTX SSRC and payload type where negotiated (RFC 4588).
  - `forbid_encoding(sender)`: the sender's encoder is one that refuses to encode or pack;
    the sender's own loop never gets a frame (the `SubscriberTrack` yields none).
"""

from __future__ import annotations

import contextlib
import inspect
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCDtlsTransport, RTCRtpReceiver, RTCRtpSender, rtcrtpreceiver
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.rtp import pack_header_extensions

from media_worker.errors import IncompatibleAiortc
from media_worker.forwarding.bitstream import packet_keyframe_detector
from media_worker.forwarding.history import SentPacket
from media_worker.forwarding.losses import MissingPackets
from media_worker.forwarding.rtp import RtpPacket, parse, serialize, unwrap_rtx

ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
#: Seconds from the NTP epoch (1900) to the Unix epoch (1970).
NTP_UNIX_OFFSET = 2_208_988_800

_RECEIVER_CODECS = "_RTCRtpReceiver__codecs"
_RECEIVER_RTX_SSRC = "_RTCRtpReceiver__rtx_ssrc"
_RECEIVER_NACK_GENERATOR = "_RTCRtpReceiver__nack_generator"
_RECEIVER_REMOTE_STREAMS = "_RTCRtpReceiver__remote_streams"
_RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_SENDER_ENCODER = "_RTCRtpSender__encoder"
_SENDER_REPORT_FIELDS = (
    "_RTCRtpSender__ntp_timestamp",
    "_RTCRtpSender__rtp_timestamp",
    "_RTCRtpSender__packet_count",
    "_RTCRtpSender__octet_count",
)


class TranscodingForbidden(RuntimeError):
    """A forwarding sender was asked to encode or pack a frame."""


# --- receive side -------------------------------------------------------------------------


class InboundStream:
    """One tapped receiver: statistics, RTX, NACKs, then `forward` for every packet."""

    def __init__(self, receiver: RTCRtpReceiver, mime_type: str) -> None:
        self.receiver = receiver
        self.media_ssrc: int | None = None
        self._forward: Callable[[RtpPacket], Awaitable[None]] = _discard
        self._starts_keyframe = packet_keyframe_detector(mime_type)
        self._codecs: dict[int, Any] = getattr(receiver, _RECEIVER_CODECS)
        self._rtx_ssrc: dict[int, int] = getattr(receiver, _RECEIVER_RTX_SSRC)
        self._streams: dict[int, rtcrtpreceiver.StreamStatistics] = getattr(
            receiver, _RECEIVER_REMOTE_STREAMS
        )
        stock_nacks = getattr(receiver, _RECEIVER_NACK_GENERATOR)
        self._losses = MissingPackets() if stock_nacks is not None else None

    def forward_to(self, forward: Callable[[RtpPacket], Awaitable[None]]) -> None:
        self._forward = forward

    async def handle(self, packet: RtpPacket) -> None:
        receiver = self.receiver
        codec = self._codecs.get(packet.payload_type)
        if codec is None or not receiver._enabled:
            return
        stream = self._streams.get(packet.ssrc)
        if stream is None:
            stream = self._streams[packet.ssrc] = rtcrtpreceiver.StreamStatistics(codec.clockRate)
        stream.add(packet)  # type: ignore[arg-type]  # reads sequence_number and timestamp
        if codec.name == "rtx":
            unwrapped = self._unwrap(packet, codec.parameters.get("apt"))
            if unwrapped is None:
                return
            packet = unwrapped
        losses = self._losses
        if losses is not None and losses.add(packet.sequence_number):
            await receiver._send_rtcp_nack(packet.ssrc, sorted(losses.missing))
        self.media_ssrc = packet.ssrc
        packet.keyframe = self._starts_keyframe(packet.payload)
        await self._forward(packet)

    def _unwrap(self, packet: RtpPacket, apt: object) -> RtpPacket | None:
        original_ssrc = self._rtx_ssrc.get(packet.ssrc)
        if original_ssrc is None or not isinstance(apt, int) or apt not in self._codecs:
            return None
        return unwrap_rtx(packet, payload_type=apt, ssrc=original_ssrc)


async def _discard(packet: RtpPacket) -> None:
    return None


class RtpTap:
    """Takes a DTLS transport's decrypted RTP packets for the receivers it was given."""

    def __init__(self, transport: RTCDtlsTransport) -> None:
        self._transport = transport
        self._stock = transport._handle_rtp_data
        self._inbound: dict[object, InboundStream] = {}
        self._routes: dict[tuple[int, int], InboundStream] = {}
        transport._handle_rtp_data = self._handle_rtp_data  # type: ignore[method-assign]

    def add(self, inbound: InboundStream) -> None:
        self._inbound[inbound.receiver] = inbound

    async def _handle_rtp_data(self, data: bytes, arrival_time_ms: int) -> None:
        packet = parse(data)
        if packet is None:
            return
        inbound = self._routes.get((packet.ssrc, packet.payload_type))
        if inbound is None:
            receiver = self._transport._rtp_router.route_rtp(packet)  # type: ignore[arg-type]
            inbound = self._inbound.get(receiver)
            if inbound is None:
                await self._stock(data, arrival_time_ms)
                return
            self._routes[(packet.ssrc, packet.payload_type)] = inbound
        await inbound.handle(packet)


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
    _require_attributes(receiver, (_RECEIVER_DECODER_QUEUE,))
    setattr(receiver, _RECEIVER_DECODER_QUEUE, _NoDecoding())


# --- send side ----------------------------------------------------------------------------


class _NoEncoder:
    def encode(self, frame: object, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        raise TranscodingForbidden("a forwarding sender received a raw frame")

    def pack(self, packet: object) -> tuple[list[bytes], int]:
        raise TranscodingForbidden("a forwarding sender forwards RTP packets, not frames")


def forbid_encoding(sender: RTCRtpSender) -> None:
    _require_attributes(sender, (_SENDER_ENCODER,))
    setattr(sender, _SENDER_ENCODER, _NoEncoder())


class OutboundLeg:
    """Sends packets as one worker sender: its SSRC, payload type, extensions, encryption."""

    def __init__(self, sender: RTCRtpSender) -> None:
        _require_attributes(sender, _SENDER_REPORT_FIELDS)
        self._sender = sender
        self._payload_type: int | None = None
        self._rtx_payload_type: int | None = None
        self._rtx_sequence = secrets.randbelow(1 << 16)
        self._extension_head = b""
        self._extension_tail = b""
        self._stamps_send_time = False
        self._packets = 0
        self._octets = 0
        stock_send = sender.send

        async def send(parameters: RTCRtpSendParameters) -> None:
            self._configure(parameters)
            await stock_send(parameters)

        sender.send = send  # type: ignore[method-assign]

    async def send(self, packet: SentPacket) -> None:
        payload_type = self._payload_type
        if payload_type is None:
            return
        sender, now = self._sender, time.time()
        data = serialize(
            ssrc=sender._ssrc,
            payload_type=payload_type,
            sequence_number=packet.sequence_number,
            timestamp=packet.timestamp,
            marker=packet.marker,
            extension=self._extension(now),
            payload=packet.payload,
        )
        self._packets += 1
        self._octets += len(packet.payload)
        ntp, rtp, count, octets = _SENDER_REPORT_FIELDS
        setattr(sender, ntp, int((now + NTP_UNIX_OFFSET) * (1 << 32)))
        setattr(sender, rtp, packet.timestamp)
        setattr(sender, count, self._packets)
        setattr(sender, octets, self._octets)
        await self._transmit(data)

    async def retransmit(self, packet: SentPacket) -> None:
        payload_type = self._payload_type
        if payload_type is None:
            return
        sender, extension = self._sender, self._extension(time.time())
        if self._rtx_payload_type is None:
            data = serialize(
                ssrc=sender._ssrc,
                payload_type=payload_type,
                sequence_number=packet.sequence_number,
                timestamp=packet.timestamp,
                marker=packet.marker,
                extension=extension,
                payload=packet.payload,
            )
        else:
            data = serialize(
                ssrc=sender._rtx_ssrc,
                payload_type=self._rtx_payload_type,
                sequence_number=self._rtx_sequence,
                timestamp=packet.timestamp,
                marker=packet.marker,
                extension=extension,
                payload=packet.sequence_number.to_bytes(2, "big") + packet.payload,
            )
            self._rtx_sequence = (self._rtx_sequence + 1) & 0xFFFF
        await self._transmit(data)

    async def _transmit(self, data: bytes) -> None:
        # Not connected yet, or closing: the packet is lost like any other.
        with contextlib.suppress(ConnectionError):
            await self._sender.transport._send_rtp(data)

    def _extension(self, now: float) -> bytes:
        if not self._stamps_send_time:
            return self._extension_head
        send_time = int((now + NTP_UNIX_OFFSET) * (1 << 18)) & 0xFFFFFF  # 6.18 fixed point
        return self._extension_head + send_time.to_bytes(3, "big") + self._extension_tail

    def _configure(self, parameters: RTCRtpSendParameters) -> None:
        codec = parameters.codecs[0]
        self._payload_type = codec.payloadType
        for candidate in parameters.codecs:
            if candidate.name == "rtx" and candidate.parameters.get("apt") == codec.payloadType:
                self._rtx_payload_type = candidate.payloadType
        ids = {extension.uri: extension.id for extension in parameters.headerExtensions}
        elements: list[tuple[int, bytes]] = []
        send_time_id = ids.get(ABS_SEND_TIME_URI)
        if send_time_id is not None and 0 < send_time_id < 15:
            elements.append((send_time_id, b"\0\0\0"))
        mid_id = ids.get(MID_URI)
        if mid_id is not None and 0 < mid_id < 15 and parameters.muxId:
            elements.append((mid_id, parameters.muxId.encode()[:16]))
        if not elements:
            return
        profile, value = pack_header_extensions(elements)
        block = profile.to_bytes(2, "big") + (len(value) // 4).to_bytes(2, "big") + value
        self._stamps_send_time = bool(send_time_id is not None and elements[0][0] == send_time_id)
        if self._stamps_send_time:
            self._extension_head, self._extension_tail = block[:5], block[8:]
        else:
            self._extension_head = block


# --- compatibility ------------------------------------------------------------------------


def _code_names(function: Callable[..., Any]) -> set[str]:
    return set(inspect.unwrap(function).__code__.co_names)


def expectations() -> list[tuple[str, Callable[..., Any], set[str]]]:
    """(what, function, names its bytecode must use) for every internal this module uses."""
    receiver, sender, dtls = RTCRtpReceiver, RTCRtpSender, RTCDtlsTransport
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
            "RTCDtlsTransport._send_rtp encrypts with protect and sends on its transport",
            dtls._send_rtp,
            {"protect", "_send"},
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
        (
            "RTCRtpSender.send starts the RTP and RTCP loops with the codecs",
            sender.send,
            {"_run_rtp", "_run_rtcp", "codecs"},
        ),
        (
            "RTCRtpSender._run_rtcp reports the sender's counters",
            sender._run_rtcp,
            set(_SENDER_REPORT_FIELDS) | {"RtcpSrPacket"},
        ),
        (
            "RTCRtpSender._handle_rtcp_packet answers NACKs with _retransmit",
            sender._handle_rtcp_packet,
            {"RTCP_RTPFB_NACK", "_retransmit"},
        ),
    ]


def problems() -> list[str]:
    """What no longer holds of the internals this module relies on (empty when all do)."""
    found = [
        f"{what}: no longer uses {sorted(names - _code_names(function))}"
        for what, function, names in expectations()
        if names - _code_names(function)
    ]
    for name in ("StreamStatistics",):
        if not hasattr(rtcrtpreceiver, name):
            found.append(f"aiortc.rtcrtpreceiver.{name} is gone")
    parameters = list(inspect.signature(RTCDtlsTransport._handle_rtp_data).parameters)
    if parameters != ["self", "data", "arrival_time_ms"]:
        found.append(f"RTCDtlsTransport._handle_rtp_data takes {parameters}")
    return found


def _require_attributes(target: object, names: tuple[str, ...]) -> None:
    missing = [name for name in names if not hasattr(target, name)]
    if missing:
        raise IncompatibleAiortc(f"{type(target).__name__} lacks {missing}; see check_compatible")
