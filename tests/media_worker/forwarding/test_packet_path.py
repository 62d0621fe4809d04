"""A worker sender's leg: each packet leaves with the leg's SSRC, payload type, extensions,
and retransmissions on its RTX stream; its sender reports count what the leg sent. The
receive side decrypts SRTCP in the socket's callback and leaves STUN to aioice."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiortc import RTCRtpSender
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcrtpparameters import (
    RTCRtcpParameters,
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpSendParameters,
)
from aiortc.rtp import HeaderExtensionsMap, RtcpRrPacket, RtpPacket, is_rtcp
from pylibsrtp import Policy, Session

from media_worker.aiortc_hooks.outbound import ABS_SEND_TIME_URI, MID_URI, OutboundLeg
from media_worker.aiortc_hooks.packet_path import RtpTap, receive_inline
from media_worker.aiortc_hooks.sending import send_rtcp_directly
from media_worker.forwarding.history import SentPacket
from tests.media_worker.forwarding.clients import run

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
RTX = RTCRtpCodecParameters(
    mimeType="video/rtx", clockRate=90000, payloadType=97, parameters={"apt": 96}
)
EXTENSIONS = [
    RTCRtpHeaderExtensionParameters(id=4, uri=MID_URI),
    RTCRtpHeaderExtensionParameters(id=2, uri=ABS_SEND_TIME_URI),
]


KEYING = bytes(range(30))  # one SRTP master key and salt: the leg protects, the test reads


def srtp_session(direction: int) -> Session:
    return Session(Policy(key=KEYING, ssrc_type=direction))


class Relay:
    """A nominated pair's protocol other than plain UDP (a TURN allocation): records."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send_data(self, data: bytes, addr: tuple[str, int]) -> None:
        self.sent.append(data)


class FakeDtlsTransport:
    """A connected DTLS transport whose ICE connection sends on a recording `Relay`."""

    state = "connected"
    _state = DtlsState.CONNECTED
    _stats_id = "transport"

    def __init__(self) -> None:
        self._tx_srtp = srtp_session(Policy.SSRC_ANY_OUTBOUND)
        self._rx_srtp = srtp_session(Policy.SSRC_ANY_INBOUND)  # the browser's side, to read
        self.relay = Relay()
        pair = SimpleNamespace(protocol=self.relay, remote_addr=("127.0.0.1", 9))
        self.transport = SimpleNamespace(_connection=SimpleNamespace(_nominated={1: pair}))

    @property
    def rtp(self) -> list[bytes]:
        """What the relay carried as RTP, decrypted as the browser would."""
        return [self._rx_srtp.unprotect(data) for data in self.relay.sent if not is_rtcp(data)]

    def _register_rtp_sender(self, sender: object, parameters: object) -> None:
        pass

    def _unregister_rtp_sender(self, sender: object) -> None:
        pass

    async def _send_rtp(self, data: bytes) -> None:  # the stock sender's RTCP (plain here)
        await self.relay.send_data(data, ("127.0.0.1", 9))

    def _get_stats(self) -> dict[str, object]:
        return {}


def read(data: bytes) -> RtpPacket:
    extensions = HeaderExtensionsMap()
    extensions.configure(RTCRtpSendParameters(headerExtensions=EXTENSIONS))
    return RtpPacket.parse(data, extensions)


def test_packets_leave_as_the_legs_own_stream_and_retransmissions_on_rtx() -> None:
    async def scenario() -> None:
        transport = FakeDtlsTransport()
        sender = RTCRtpSender("video", transport)  # type: ignore[arg-type]
        leg = OutboundLeg(sender)
        leg.send(SentPacket(1, 2, True, b"too early"))  # not started: nothing sent
        parameters = RTCRtpSendParameters(
            codecs=[VP8, RTX], headerExtensions=EXTENSIONS, muxId="3", rtcp=RTCRtcpParameters()
        )
        await sender.send(parameters)  # what aiortc does once DTLS is up
        leg.send(SentPacket(500, 90_000, True, b"frame"))
        leg.retransmit(SentPacket(500, 90_000, True, b"frame"))
        sent, again = (read(data) for data in transport.rtp)
        assert (sent.ssrc, sent.payload_type, sent.sequence_number, sent.timestamp) == (
            sender._ssrc,
            96,
            500,
            90_000,
        )
        assert sent.marker and sent.payload == b"frame"
        assert sent.extensions.mid == "3" and sent.extensions.abs_send_time is not None
        assert (again.ssrc, again.payload_type) == (sender._rtx_ssrc, 97)
        assert again.payload == (500).to_bytes(2, "big") + b"frame"  # RFC 4588: OSN first
        stats = [s for s in (await sender.getStats()).values() if s.type == "outbound-rtp"]
        assert (stats[0].packetsSent, stats[0].bytesSent) == (1, 5)  # what sender reports say
        await sender.stop()

    run(scenario())


class TappedTransport:
    """A DTLS transport with SRTP keys whose RTCP dispatch and stock path record."""

    def __init__(self) -> None:
        self._rx_srtp = srtp_session(Policy.SSRC_ANY_INBOUND)
        self.rtcp: list[bytes] = []
        self.stock: list[bytes] = []
        self.protocol = SimpleNamespace(datagram_received=self._stock_received)
        self.transport = SimpleNamespace(_connection=SimpleNamespace(_protocols=[self.protocol]))
        self._rtp_router = SimpleNamespace(route_rtp=lambda packet: None)

    def _stock_received(self, data: bytes, addr: object) -> None:
        self.stock.append(data)

    async def _handle_rtp_data(self, data: bytes, arrival_time_ms: int) -> None:
        self.stock.append(data)

    async def _handle_rtcp_data(self, data: bytes) -> None:
        self.rtcp.append(data)


def test_srtcp_is_decrypted_and_dispatched_in_the_sockets_callback() -> None:
    async def scenario() -> None:
        transport = TappedTransport()
        receive_inline(RtpTap(transport))  # type: ignore[arg-type]
        browser = srtp_session(Policy.SSRC_ANY_OUTBOUND)
        report = bytes(RtcpRrPacket(ssrc=1234))
        protected = browser.protect_rtcp(report)
        deliver = transport.protocol.datagram_received
        deliver(protected, ("127.0.0.1", 9))
        assert transport.rtcp == [report] and transport.stock == []  # no queue, no task
        forged = protected[:-1] + bytes([protected[-1] ^ 1])
        deliver(forged, ("127.0.0.1", 9))
        deliver(protected, ("127.0.0.1", 9))  # a replay
        assert transport.rtcp == [report]
        stun = bytes(20)  # a STUN header (first byte 0): aioice's own path
        deliver(stun, ("127.0.0.1", 9))
        assert transport.stock == [stun]

    run(scenario())


def test_aiortcs_own_rtcp_is_encrypted_and_written_by_the_transports_writer() -> None:
    async def scenario() -> None:
        transport = FakeDtlsTransport()
        send_rtcp_directly(transport)  # type: ignore[arg-type]
        report = bytes(RtcpRrPacket(ssrc=77))
        await transport._send_rtp(report)  # what aiortc's RTCP loops call
        [written] = transport.relay.sent
        assert written != report and transport._rx_srtp.unprotect_rtcp(written) == report
        transport._state = DtlsState.CLOSED
        with pytest.raises(ConnectionError):  # as the stock method: its callers expect it
            await transport._send_rtp(report)
        assert len(transport.relay.sent) == 1

    run(scenario())
