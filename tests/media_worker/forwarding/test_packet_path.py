"""A worker sender's leg: each packet leaves with the leg's SSRC, payload type, extensions,
and retransmissions on its RTX stream; its sender reports count what the leg sent."""

from __future__ import annotations

from types import SimpleNamespace

from aiortc import RTCRtpSender
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcrtpparameters import (
    RTCRtcpParameters,
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpSendParameters,
)
from aiortc.rtp import HeaderExtensionsMap, RtpPacket, is_rtcp
from pylibsrtp import Policy, Session

from media_worker.aiortc_hooks.outbound import ABS_SEND_TIME_URI, MID_URI, OutboundLeg
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
