"""The worker's send side inside aiortc: a sender's leg and a sender that never encodes.

Checked against aiortc 1.16.0 and aioice 0.13.0 with the rest of the hooks
(`problems()`, run by `pass_through.check_compatible()`). The receive side is
`aiortc_hooks.packet_path`.

  - `OutboundLeg(sender)` captures the negotiated payload types and header extension IDs
    when aiortc starts the sender (`send(parameters)`), then sends each packet with the
    sender's SSRC, payload type, its own abs-send-time and mid extensions, encrypted with
    the DTLS transport's `_tx_srtp` session (`srtp.Srtp`) and written to the nominated
    pair's UDP socket (through aioice's `send_data` for a TURN allocation, run at once by
    `background.run_now`), all of it in plain function calls; it keeps the sender's
    sender-report counters (`__ntp_timestamp`, `__rtp_timestamp`, `__packet_count`,
    `__octet_count`) so that the stock RTCP loop sends true sender reports (lip sync,
    RTT). Retransmissions go on the sender's RTX SSRC and payload type where negotiated
    (RFC 4588).
  - `forbid_encoding(sender)`: the sender's encoder is one that refuses to encode or pack;
    the sender's own loop never gets a frame (the `SubscriberTrack` yields none).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Any

import aioice.ice
from aiortc import RTCDtlsTransport, RTCRtpSender
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.rtp import pack_header_extensions

from media_worker.aiortc_hooks.background import run_now
from media_worker.aiortc_hooks.introspection import Expectation, require_attributes, unmet
from media_worker.aiortc_hooks.srtp import SrtpCache
from media_worker.forwarding.history import SentPacket
from media_worker.forwarding.rtp import serialize

ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
#: Seconds from the NTP epoch (1900) to the Unix epoch (1970).
NTP_UNIX_OFFSET = 2_208_988_800

_SENDER_ENCODER = "_RTCRtpSender__encoder"
_SENDER_REPORT_FIELDS = (
    "_RTCRtpSender__ntp_timestamp",
    "_RTCRtpSender__rtp_timestamp",
    "_RTCRtpSender__packet_count",
    "_RTCRtpSender__octet_count",
)


class TranscodingForbidden(RuntimeError):
    """A forwarding sender was asked to encode a frame or pack one."""


class _NoEncoder:
    def encode(self, frame: object, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        raise TranscodingForbidden("a forwarding sender received a raw frame")

    def pack(self, packet: object) -> tuple[list[bytes], int]:
        raise TranscodingForbidden("a forwarding sender forwards RTP packets, not frames")


def forbid_encoding(sender: RTCRtpSender) -> None:
    require_attributes(sender, (_SENDER_ENCODER,))
    setattr(sender, _SENDER_ENCODER, _NoEncoder())


class OutboundLeg:
    """Sends packets as one worker sender: its SSRC, payload type, extensions, encryption."""

    def __init__(self, sender: RTCRtpSender) -> None:
        require_attributes(sender, _SENDER_REPORT_FIELDS)
        self._sender = sender
        self._report: dict[str, object] = vars(sender)
        self._payload_type: int | None = None
        self._rtx_payload_type: int | None = None
        self._rtx_sequence = secrets.randbelow(1 << 16)
        self._extension_head = b""
        self._extension_tail = b""
        self._stamps_send_time = False
        self._packets = 0
        self._octets = 0
        self._srtp = SrtpCache()
        self._route: tuple[object, Any, tuple[str, int]] | None = None  # pair, sendto, address
        stock_send = sender.send

        async def send(parameters: RTCRtpSendParameters) -> None:
            self._configure(parameters)
            await stock_send(parameters)

        sender.send = send  # type: ignore[method-assign]

    def send(self, packet: SentPacket) -> None:
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
        report = self._report  # the sender's own attributes, written as its loop would
        report[ntp] = int((now + NTP_UNIX_OFFSET) * (1 << 32))
        report[rtp] = packet.timestamp
        report[count] = self._packets
        report[octets] = self._octets
        self._transmit(data)

    def retransmit(self, packet: SentPacket) -> None:
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
        self._transmit(data)

    def _transmit(self, data: bytes) -> None:
        """Encrypt and send on the connection's nominated pair, straight to its socket.

        Not connected yet, or closing: the packet is lost like any other. Over a plain UDP
        candidate the datagram goes to the socket at once; through a TURN allocation it
        takes aioice's `send_data` (channel binding, framing).
        """
        transport = self._sender.transport
        if transport._state is not DtlsState.CONNECTED:
            return
        protected = self._srtp.get(transport._tx_srtp).protect(data)
        pair = transport.transport._connection._nominated.get(1)
        if protected is None or pair is None:
            return
        route = self._route
        if route is None or route[0] is not pair:
            route = self._route = _route_of(pair)
        _, sendto, address = route
        if sendto is not None:
            sendto(protected, address)
        else:
            run_now(_send_relayed(pair.protocol, protected, address))

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


def _route_of(pair: Any) -> tuple[object, Any, tuple[str, int]]:
    """(pair, the UDP socket's `sendto` or None for a TURN allocation, remote address).

    A plain UDP candidate's datagram transport lives as long as the pair (a new pair is
    nominated after an ICE restart, and the route is looked up again).
    """
    protocol = pair.protocol
    plain = type(protocol) is aioice.ice.StunProtocol and protocol.transport is not None
    return pair, protocol.transport.sendto if plain else None, pair.remote_addr


async def _send_relayed(protocol: Any, data: bytes, address: tuple[str, int]) -> None:
    """Through a TURN allocation: aioice binds a channel first if none is bound yet."""
    with contextlib.suppress(ConnectionError):
        await protocol.send_data(data, address)


def expectations() -> list[Expectation]:
    """(what, function, names its bytecode must use) for every internal this module uses."""
    sender, dtls = RTCRtpSender, RTCDtlsTransport
    return [
        (
            "aioice StunProtocol.send_data writes to its datagram transport",
            aioice.ice.StunProtocol.send_data,
            {"transport", "sendto"},
        ),
        (
            "aioice Connection.sendto sends on the nominated pair's protocol",
            aioice.ice.Connection.sendto,
            {"_nominated", "protocol", "send_data", "remote_addr"},
        ),
        (
            "RTCDtlsTransport._send_rtp checks the state, encrypts with _tx_srtp.protect",
            dtls._send_rtp,
            {"_state", "CONNECTED", "_tx_srtp", "protect", "_send"},
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
    return unmet(expectations())
