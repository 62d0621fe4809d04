"""The fan-out: RTP packets go out at once, from a keyframe on, NACKs answered, feedback up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from media_worker.forwarding.history import SentPacket
from media_worker.forwarding.keyframes import KeyframeRequests
from media_worker.forwarding.rtp import RtpPacket
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

    def __init__(self, publisher_known: bool = True) -> None:
        self.keyframe_requests = 0
        self.caps: list[int | None] = []
        self.publisher_known = publisher_known  # False: no packet yet, a PLI has no SSRC

    def request_keyframe(self) -> bool:
        if not self.publisher_known:
            return False
        self.keyframe_requests += 1
        return True

    def cap_bitrate(self, bps: int | None) -> None:
        self.caps.append(bps)


class FakeLeg:
    """Records what a subscriber sends; `during_send` runs inside the first send."""

    def __init__(self, during_send: Callable[[], None] | None = None) -> None:
        self.sent: list[SentPacket] = []
        self.retransmitted: list[SentPacket] = []
        self._during_send = during_send

    def send(self, packet: SentPacket) -> None:
        if self._during_send is not None:
            during_send, self._during_send = self._during_send, None
            during_send()
        self.sent.append(packet)

    def retransmit(self, packet: SentPacket) -> None:
        self.retransmitted.append(packet)


def rtp(seq: int, *, keyframe: bool = False, ts: int = 0, payload: bytes = b"p") -> RtpPacket:
    return RtpPacket(1234, 96, seq, ts, False, payload, keyframe=keyframe)


async def started(kind: str, publication: Publication, leg: FakeLeg) -> SubscriberTrack:
    """A subscriber attached to `publication` whose sender has started (connection up)."""
    track = SubscriberTrack(kind)
    track.bind(leg)
    track.attach(publication)
    reader = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    assert not reader.done()  # a worker sender never gets anything to encode or pack
    reader.cancel()
    return track


def test_subscribers_get_the_same_payloads_from_the_first_keyframe_packet_on() -> None:
    async def scenario() -> None:
        upstream = FakeUpstream()
        publication = Publication("video", upstream)
        legs = [FakeLeg(), FakeLeg()]
        tracks = [await started("video", publication, leg) for leg in legs]
        packets = [rtp(7), rtp(8, keyframe=True, ts=3000), rtp(9, ts=3000), rtp(11, ts=6000)]
        for packet in packets:
            publication.forward(packet)  # sent before forward returns: no queue, no task
        for leg, track in zip(legs, tracks, strict=True):
            assert [p.payload for p in leg.sent] == [p.payload for p in packets[1:]]
            assert all(s.payload is p.payload for s, p in zip(leg.sent, packets[1:], strict=True))
            assert [p.sequence_number for p in leg.sent] == [8, 9, 11]  # the gap stays a gap
            assert track.dropped == 1 and track.forwarded == 3
        assert upstream.keyframe_requests == 1  # both asked within the rate limit
        assert publication.packets_received == 4
        await publication.close()
        assert tracks[0].publication is None and not publication.subscribers

    run(scenario())


def test_nothing_is_sent_before_the_subscribers_connection_is_up() -> None:
    async def scenario() -> None:
        upstream, leg = FakeUpstream(), FakeLeg()
        publication = Publication("audio", upstream)
        track = SubscriberTrack("audio")
        track.bind(leg)
        track.attach(publication)
        publication.forward(rtp(1))
        assert track.forwarded == 0 and not leg.sent
        await started("audio", Publication("audio", upstream), FakeLeg())
        assert upstream.keyframe_requests == 0  # audio never asks for keyframes
        await publication.close()

    run(scenario())


def test_a_nack_is_answered_from_the_subscribers_own_history() -> None:
    async def scenario() -> None:
        publication, leg = Publication("video", FakeUpstream()), FakeLeg()
        track = await started("video", publication, leg)
        for seq in range(100, 110):
            publication.forward(rtp(seq, keyframe=seq == 100, payload=bytes([seq])))
        track.on_nack([103, 105, 40_000])  # 40000 was never sent: nothing to answer
        assert [(p.sequence_number, p.payload) for p in leg.retransmitted] == [
            (103, bytes([103])),
            (105, bytes([105])),
        ]
        assert track.retransmitted == 2
        await publication.close()

    run(scenario())


def test_a_keyframe_request_lost_before_the_publishers_first_packet_is_made_again() -> None:
    async def scenario() -> None:
        upstream = FakeUpstream(publisher_known=False)
        publication, leg = Publication("video", upstream), FakeLeg()
        await started("video", publication, leg)  # asks for a keyframe: nobody to ask yet
        assert upstream.keyframe_requests == 0
        upstream.publisher_known = True
        publication.forward(rtp(7))  # the publisher's first packet, a delta: dropped, asked
        publication.forward(rtp(8))  # the next one is asked for no more often than allowed
        assert upstream.keyframe_requests == 1 and not leg.sent
        publication.forward(rtp(9, keyframe=True))
        assert [p.sequence_number for p in leg.sent] == [9]
        await publication.close()

    run(scenario())


def test_a_slot_switch_waits_for_a_keyframe_and_keeps_the_numbering_continuous() -> None:
    async def scenario() -> None:
        upstream = FakeUpstream()
        first, second = Publication("video", upstream), Publication("video", upstream)
        leg = FakeLeg()
        track = await started("video", first, leg)
        first.forward(rtp(500, keyframe=True))
        first.forward(rtp(501))
        track.attach(second)
        first.forward(rtp(502))  # no longer shown
        second.forward(rtp(9000))  # a delta packet: the subscriber could not decode it
        second.forward(rtp(9001, keyframe=True, ts=77))
        second.forward(rtp(9002, ts=77))
        assert [p.sequence_number for p in leg.sent] == [500, 501, 502, 503]
        assert upstream.keyframe_requests == 2  # on start, and on the switch
        await first.close()
        await second.close()

    run(scenario())


def test_a_subscriber_leaving_during_a_fan_out_changes_nothing_for_the_others() -> None:
    async def scenario() -> None:
        publication = Publication("audio", FakeUpstream())
        tracks: list[SubscriberTrack] = []

        def leave() -> None:  # inside the first subscriber's send, the two others leave
            others = [track for track in tracks if track is not tracks[0]]
            others[0].detach()
            others[1].stop()

        legs = [FakeLeg(during_send=leave)] + [FakeLeg() for _ in range(2)]
        tracks += [await started("audio", publication, leg) for leg in legs]
        publication.forward(rtp(1))  # the snapshot it iterates does not change under it
        assert [len(leg.sent) for leg in legs] == [1, 1, 1]
        publication.forward(rtp(2))
        assert [len(leg.sent) for leg in legs] == [2, 1, 1]  # only the one still attached
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
