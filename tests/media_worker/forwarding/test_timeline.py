"""A subscriber's sequence numbers and timestamps stay continuous when its source changes."""

from __future__ import annotations

from media_worker.forwarding.timeline import OutgoingTimeline


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_source_passes_unchanged_gaps_included() -> None:
    timeline = OutgoingTimeline(90_000, Clock())
    timeline.start_source(10, 0)
    sent = [timeline.rewrite(seq, ts) for seq, ts in ((10, 0), (11, 3000), (13, 6000))]
    assert sent == [(10, 0), (11, 3000), (13, 6000)]  # the gap stays: the browser NACKs it


def test_a_new_source_follows_the_last_packet_by_the_time_in_between() -> None:
    clock = Clock()
    timeline = OutgoingTimeline(90_000, clock)
    timeline.start_source(65_534, 4_294_966_000)
    for seq, ts in ((65_534, 4_294_966_000), (65_535, 4_294_967_000)):
        timeline.rewrite(seq, ts)
    clock.now += 0.5
    timeline.start_source(700, 123_456)
    first = timeline.rewrite(700, 123_456)
    second = timeline.rewrite(701, 126_456)
    assert first == (0, (4_294_967_000 + 45_000) % 2**32)  # wraps: next number, +0.5 s
    assert second == (1, (4_294_967_000 + 48_000) % 2**32)


def test_a_late_retransmission_from_before_the_switch_is_refused_and_does_not_rewind() -> None:
    clock = Clock()
    timeline = OutgoingTimeline(48_000, clock)
    timeline.start_source(100, 0)
    timeline.rewrite(100, 0)
    timeline.start_source(5000, 90_000)
    assert timeline.rewrite(5000, 90_000) == (101, 1)
    assert timeline.rewrite(4999, 89_040) is None  # older than the new source's first packet
    assert timeline.rewrite(5002, 91_920) == (103, 1921)
    assert timeline.rewrite(5001, 90_960) == (102, 961)  # a retransmission fills the gap
    clock.now += 1
    timeline.start_source(9, 0)
    assert timeline.rewrite(9, 0) == (104, 1921 + 48_000)  # after the newest, not the last


def test_nothing_is_sent_before_a_source_starts() -> None:
    assert OutgoingTimeline(90_000, Clock()).rewrite(1, 1) is None
