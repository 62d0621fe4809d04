"""The hooks into aiortc's internals: fail loudly when an aiortc upgrade breaks them.

`check_compatible()` inspects the internals statically; the behavioural tests run the hooks
on real aiortc objects, so a change that keeps the names but not the behaviour fails too.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction
from typing import Any

import aioice.ice
import av
import pytest
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCDtlsTransport,
    RTCPeerConnection,
    RTCRtpReceiver,
)

from media_worker.aiortc_hooks import pass_through
from media_worker.codecs import VideoCodec, codec_preferences
from media_worker.errors import IncompatibleAiortc
from tests.media_worker.codec_spy import spy_on_codecs
from tests.media_worker.forwarding.clients import FlatVideo, eventually, run


def test_the_installed_aiortc_has_every_internal_the_hooks_rely_on() -> None:
    pass_through.check_compatible()


def test_a_changed_internal_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def handle_rtp_packet(self: RTCRtpReceiver, packet: object, arrival_time_ms: int) -> None:
        """A receiver that no longer uses a jitter buffer."""

    monkeypatch.setattr(RTCRtpReceiver, "_handle_rtp_packet", handle_rtp_packet)
    with pytest.raises(IncompatibleAiortc, match="_handle_rtp_packet feeds the jitter buffer"):
        pass_through.check_compatible()


def test_the_packetizer_packs_encoded_packets_and_refuses_raw_frames() -> None:
    packetizer = pass_through.Packetizer("video/VP8")
    packet = av.Packet(b"\x10\x02\x00\x9d\x01\x2a" + bytes(3000))
    packet.pts, packet.time_base = 4500, Fraction(1, 90000)
    payloads, timestamp = packetizer.pack(packet)
    assert timestamp == 4500 and len(payloads) == 3
    assert b"".join(p[4:] for p in payloads) == bytes(packet)  # 4-byte VP8 descriptors
    h264 = pass_through.Packetizer("video/H264")
    annex_b = av.Packet(b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x00\x01\x65" + bytes(10))
    annex_b.pts, annex_b.time_base = 0, Fraction(1, 90000)
    assert len(h264.pack(annex_b)[0]) == 1  # SPS and IDR aggregated in one STAP-A
    with pytest.raises(pass_through.TranscodingForbidden):
        packetizer.encode(av.VideoFrame(width=16, height=16))


async def next_packet(track: MediaStreamTrack) -> av.Packet[Any]:
    packet = await asyncio.wait_for(track.recv(), 2)
    assert isinstance(packet, av.Packet), "the receiver decoded: the pass-through is broken"
    return packet


@pytest.mark.slow
def test_a_pass_through_receiver_yields_encoded_packets_and_asks_its_publisher() -> None:
    run(_pass_through_scenario())


async def _pass_through_scenario() -> None:
    """A normal aiortc publisher sends to a bare relay whose receiver has the hooks."""
    keyframe_requests: list[None] = []
    estimates: list[int] = []
    config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    publisher, relay = RTCPeerConnection(config), RTCPeerConnection(config)
    with spy_on_codecs() as spy:
        sender = publisher.addTrack(FlatVideo(90))
        pass_through.intercept_feedback(
            sender,
            on_keyframe_request=lambda: keyframe_requests.append(None),
            on_remb=estimates.append,
        )
        transceiver = relay.addTransceiver("video", direction="recvonly")
        transceiver.setCodecPreferences(codec_preferences("video", VideoCodec.VP8))
        inbound = pass_through.install_pass_through(transceiver.receiver, "video/VP8")
        upstream = pass_through.UpstreamFeedback(inbound)
        assert not upstream.request_keyframe()  # the publisher's SSRC is not known yet

        await publisher.setLocalDescription(await publisher.createOffer())
        await relay.setRemoteDescription(publisher.localDescription)
        await relay.setLocalDescription(await relay.createAnswer())
        await publisher.setRemoteDescription(relay.localDescription)
        track = transceiver.receiver.track
        packets = [await next_packet(track) for _ in range(3)]
        assert [p.is_keyframe for p in packets] == [True, False, False]
        assert [p.time_base for p in packets] == [Fraction(1, 90000)] * 3
        pts = [p.pts or 0 for p in packets]  # RTP timestamps from the first frame on
        assert packets[0].pts == 0 and 0 < pts[1] < pts[2]

        assert upstream.request_keyframe()
        await eventually(lambda: bool(keyframe_requests), timeout=2, what="the PLI")
        while not (await next_packet(track)).is_keyframe:
            pass  # the publisher answered the PLI with a keyframe

        upstream.cap_bitrate(150_000)
        await eventually(lambda: 150_000 in estimates, timeout=2, what="the capped REMB")
        assert spy.codecs_created_by(relay) == []
        assert spy.codecs_created_by(publisher) == ["encoder"]
    await publisher.close()
    await relay.close()


def test_a_changed_internal_of_the_packet_path_is_named_in_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def recv_next(self: RTCDtlsTransport) -> None:
        """A DTLS transport that no longer decrypts SRTP where the tap expects it."""

    def sendto(self: aioice.ice.Connection, data: bytes, component: int) -> None:
        """A connection that no longer sends on its nominated pair."""

    monkeypatch.setattr(RTCDtlsTransport, "_recv_next", recv_next)
    monkeypatch.setattr(aioice.ice.Connection, "sendto", sendto)
    with pytest.raises(IncompatibleAiortc) as raised:
        pass_through.check_compatible()
    assert "_recv_next hands decrypted RTP to _handle_rtp_data" in str(raised.value)
    assert "Connection.sendto sends on the nominated pair" in str(raised.value)
