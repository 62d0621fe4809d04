"""A subscriber's outgoing timestamps keep moving forward when its source changes."""

from __future__ import annotations

from fractions import Fraction

import av

from media_worker.forwarding.timeline import OutgoingTimeline

VIDEO = Fraction(1, 90_000)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def packet(pts: int) -> av.Packet:
    made = av.Packet(b"\x00")
    made.pts, made.time_base = pts, VIDEO
    return made


def test_one_source_passes_unchanged() -> None:
    timeline = OutgoingTimeline(Clock())
    assert [timeline.output_pts(packet(p)) for p in (0, 3000, 6000)] == [0, 3000, 6000]


def test_a_new_source_starts_after_the_last_packet_by_the_time_in_between() -> None:
    clock = Clock()
    timeline = OutgoingTimeline(clock)
    for pts in range(0, 900_000, 3000):  # ten seconds of the first publication
        timeline.output_pts(packet(pts))
    last = timeline.output_pts(packet(900_000))
    clock.now += 0.5  # the reconnect took half a second

    first_of_new = packet(0)  # the new publication counts from its own first frame
    timeline.start_source(first_of_new)
    sent = [timeline.output_pts(first_of_new), timeline.output_pts(packet(3000))]

    assert sent == [last + 45_000, last + 48_000]


def test_a_source_that_counts_far_ahead_is_brought_back() -> None:
    clock = Clock()
    timeline = OutgoingTimeline(clock)
    last = timeline.output_pts(packet(1000))
    clock.now += 0.1
    ahead = packet(4_000_000_000)
    timeline.start_source(ahead)
    assert timeline.output_pts(ahead) == last + 9000


def test_the_first_source_needs_no_shift() -> None:
    timeline = OutgoingTimeline(Clock())
    first = packet(123)
    timeline.start_source(first)
    assert timeline.output_pts(first) == 123
