"""The fan-out: packets pass unchanged, queues stay bounded, keyframes and estimates flow up."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from typing import Any

import av
from aiortc import MediaStreamError, MediaStreamTrack

from media_worker.forwarding.keyframes import KeyframeRequests
from media_worker.forwarding.tracks import Publication, RateMeter, SubscriberTrack
from media_worker.rooms import seat_in_slot, slot_showing
from tests.media_worker.forwarding.clients import run


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class FakeUpstream:
    """Records what a publication asks of its publisher."""

    def __init__(self) -> None:
        self.keyframe_requests = 0
        self.caps: list[int | None] = []

    def request_keyframe(self) -> bool:
        self.keyframe_requests += 1
        return True

    def cap_bitrate(self, bps: int | None) -> None:
        self.caps.append(bps)


class PacketSource(MediaStreamTrack):
    """A pass-through receiver's track: yields the packets it is given, then ends."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.queue: asyncio.Queue[av.Packet[Any] | None] = asyncio.Queue()

    async def recv(self) -> av.Packet[Any]:
        packet = await self.queue.get()
        if packet is None:
            raise MediaStreamError
        return packet


def encoded(data: bytes, *, keyframe: bool, pts: int = 0) -> av.Packet[Any]:
    packet = av.Packet(data)
    packet.pts, packet.time_base, packet.is_keyframe = pts, Fraction(1, 90000), keyframe
    return packet


async def reading(track: SubscriberTrack) -> None:
    """Let the track's sender start reading, as it does once its connection is up."""
    reader = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    reader.cancel()


def test_subscribers_get_the_same_packets_from_the_first_keyframe_on() -> None:
    async def scenario() -> None:
        upstream, source = FakeUpstream(), PacketSource()
        publication = Publication("video", upstream)
        publication.start(source)
        first, second = SubscriberTrack("video"), SubscriberTrack("video")
        for track in (first, second):
            track.attach(publication)
            await reading(track)
        packets = [encoded(b"d0", keyframe=False), encoded(b"k1", keyframe=True, pts=3000)]
        packets.append(encoded(b"d2", keyframe=False, pts=6000))
        for packet in packets:
            source.queue.put_nowait(packet)
        for track in (first, second):
            received = [await asyncio.wait_for(track.recv(), 1) for _ in range(2)]
            assert received == packets[1:]  # the very same objects: nothing re-encoded
        assert upstream.keyframe_requests == 1  # both asked within the rate limit
        assert publication.frames_received == 3
        source.queue.put_nowait(None)
        await publication.close()
        assert first.publication is None and not publication.subscribers

    run(scenario())


def test_a_video_subscriber_that_falls_behind_restarts_at_the_next_keyframe() -> None:
    async def scenario() -> None:
        upstream, clock = FakeUpstream(), FakeClock()
        publication = Publication("video", upstream, clock=clock)
        track = SubscriberTrack("video", max_frames=3)
        track.attach(publication)
        await reading(track)
        clock.now += 1.0
        track.push(encoded(b"k", keyframe=True))
        for _ in range(3):
            track.push(encoded(b"d", keyframe=False))
        assert track.dropped == 4 and upstream.keyframe_requests == 2
        track.push(encoded(b"d", keyframe=False))
        track.push(encoded(b"k2", keyframe=True))
        assert bytes(await track.recv()) == b"k2"
        await publication.close()

    run(scenario())


def test_an_audio_subscriber_that_falls_behind_drops_its_oldest_packet() -> None:
    async def scenario() -> None:
        publication = Publication("audio", FakeUpstream())
        track = SubscriberTrack("audio", max_frames=2)
        track.attach(publication)
        await reading(track)
        for data in (b"a", b"b", b"c"):
            track.push(encoded(data, keyframe=True))
        assert [bytes(await track.recv()) for _ in range(2)] == [b"b", b"c"]
        await publication.close()

    run(scenario())


def test_nothing_is_queued_before_the_subscribers_connection_is_up() -> None:
    async def scenario() -> None:
        upstream = FakeUpstream()
        publication = Publication("video", upstream)
        track = SubscriberTrack("video")
        track.attach(publication)
        track.push(encoded(b"k", keyframe=True))
        assert track.forwarded == 0 and upstream.keyframe_requests == 0
        await reading(track)
        assert upstream.keyframe_requests == 1
        await publication.close()

    run(scenario())


def test_keyframe_requests_are_rate_limited_but_never_lost() -> None:
    async def scenario() -> None:
        clock, sent = FakeClock(), []

        def send() -> bool:
            sent.append(clock.now)
            return True

        requests = KeyframeRequests(send, clock=clock)
        requests.request()
        clock.now += 0.1
        requests.request()
        requests.request()
        assert sent == [50.0]
        clock.now += 0.4
        await asyncio.sleep(0.45)  # the deferred request fires at the end of the interval
        assert sent == [50.0, 50.5] and requests.sent == 2
        requests.close()

    run(scenario())


def test_the_lowest_subscriber_estimate_caps_the_publisher() -> None:
    async def scenario() -> None:
        upstream = FakeUpstream()
        publication = Publication("video", upstream)
        good, poor = SubscriberTrack("video"), SubscriberTrack("video")
        for track in (good, poor):
            track.attach(publication)
        good.on_remb(1_500_000)
        poor.on_remb(300_000)
        assert publication.bitrate_cap == 300_000
        poor.detach()
        assert upstream.caps == [1_500_000, 300_000, 1_500_000]
        good.on_keyframe_request()
        assert upstream.keyframe_requests == 1
        await publication.close()

    run(scenario())


def test_the_rate_meter_reports_the_recent_bitrate() -> None:
    clock = FakeClock()
    meter = RateMeter(window=2.0, clock=clock)
    assert meter.bits_per_second() == 0.0
    for _ in range(8):
        meter.add(1000)
        clock.now += 0.25
    assert meter.bits_per_second() == 32_000.0
    clock.now += 5
    assert meter.bits_per_second() == 0.0


def test_slots_show_every_other_seat_once_and_never_shift() -> None:
    for viewer in range(4):
        shown = [seat_in_slot(viewer, slot, 4) for slot in range(3)]
        assert sorted(shown) == sorted(set(range(4)) - {viewer})
        for slot, seat in enumerate(shown):
            assert slot_showing(viewer, seat, 4) == slot
