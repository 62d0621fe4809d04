"""The replacement jitter buffers: whole frames at once, gaps skipped, audio never waits."""

from __future__ import annotations

from media_worker.forwarding.assembly import (
    AudioPassThrough,
    Frame,
    TimestampUnwrapper,
    VideoFrameAssembler,
)
from media_worker.forwarding.bitstream import is_vp8_keyframe

KEY = b"\x10\x02\x00\x9d\x01\x2akey"
DELTA = b"\x01\x02\x00delta"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def packet(
    seq: int, timestamp: int, data: bytes, *, marker: bool = False
) -> tuple[int, int, bool, bytes]:
    """What the receiver hands over for one RTP packet (payload depayloaded)."""
    return seq % 65536, timestamp, marker, data


def frames(result: tuple[bool, list[Frame]]) -> list[Frame]:
    return result[1]


def assembler(clock: FakeClock | None = None) -> VideoFrameAssembler:
    return VideoFrameAssembler(is_vp8_keyframe, clock=clock or FakeClock())


def test_a_video_frame_is_released_on_its_marker_packet_without_waiting_for_the_next() -> None:
    video = assembler()
    assert frames(video.add(*packet(10, 3000, KEY[:4]))) == []
    assert frames(video.add(*packet(11, 3000, KEY[4:], marker=True))) == [(KEY, 3000, True)]
    assert frames(video.add(*packet(12, 6000, DELTA, marker=True))) == [(DELTA, 6000, False)]


def test_out_of_order_packets_are_reassembled_in_sequence() -> None:
    video = assembler()
    assert frames(video.add(*packet(11, 3000, KEY[4:], marker=True))) == []
    assert frames(video.add(*packet(10, 3000, KEY[:4]))) == []  # before the first: too late
    video = assembler()
    video.add(*packet(10, 3000, KEY[:4]))
    assert frames(video.add(*packet(12, 3000, KEY[8:], marker=True))) == []
    assert frames(video.add(*packet(11, 3000, KEY[4:8]))) == [(KEY, 3000, True)]


def test_a_new_timestamp_ends_a_frame_whose_marker_bit_is_missing() -> None:
    video = assembler()
    video.add(*packet(1, 3000, KEY))
    assert frames(video.add(*packet(2, 6000, DELTA))) == [(KEY, 3000, True)]


def test_delta_frames_are_dropped_until_a_keyframe_and_one_is_requested() -> None:
    clock = FakeClock()
    video = assembler(clock)
    pli, released = video.add(*packet(1, 3000, DELTA, marker=True))
    assert (pli, released) == (True, [])
    clock.now += 0.5
    assert video.add(*packet(2, 6000, DELTA, marker=True)) == (False, [])  # retry later
    clock.now += 0.6
    assert video.add(*packet(3, 9000, DELTA, marker=True)) == (True, [])
    pli, released = video.add(*packet(4, 12000, KEY, marker=True))
    assert not pli and frames((pli, released)) == [(KEY, 12000, True)]


def test_a_gap_filled_by_a_retransmission_releases_the_waiting_frames_together() -> None:
    video = assembler()
    video.add(*packet(1, 3000, KEY, marker=True))
    assert frames(video.add(*packet(3, 6000, DELTA[3:], marker=True))) == []
    assert frames(video.add(*packet(4, 9000, DELTA, marker=True))) == []
    assert frames(video.add(*packet(2, 6000, DELTA[:3]))) == [
        (DELTA, 6000, False),
        (DELTA, 9000, False),
    ]


def test_a_gap_not_filled_in_time_is_skipped_and_video_resumes_at_a_keyframe() -> None:
    clock = FakeClock()
    video = assembler(clock)
    video.add(*packet(1, 3000, KEY, marker=True))
    video.add(*packet(3, 6000, DELTA, marker=True))  # packet 2 is lost for good
    clock.now += 0.3
    pli, released = video.add(*packet(4, 9000, DELTA, marker=True))
    assert pli and released == []  # skipped, but delta frames cannot be shown
    assert frames(video.add(*packet(5, 12000, KEY, marker=True))) == [(KEY, 12000, True)]


def test_a_frame_still_receiving_its_last_packets_is_not_a_gap() -> None:
    clock = FakeClock()
    video = assembler(clock)
    video.add(*packet(1, 3000, KEY[:4]))
    clock.now += 1.0  # a large keyframe, paced slowly by the browser
    assert video.add(*packet(2, 3000, KEY[4:8])) == (False, [])
    clock.now += 1.0
    assert frames(video.add(*packet(3, 3000, KEY[8:], marker=True))) == [(KEY, 3000, True)]


def test_duplicates_are_ignored_and_sequence_numbers_wrap() -> None:
    video = assembler()
    video.add(*packet(65535, 3000, KEY, marker=True))
    assert frames(video.add(*packet(65535, 3000, KEY, marker=True))) == []
    assert frames(video.add(*packet(0, 6000, DELTA, marker=True))) == [(DELTA, 6000, False)]


def test_audio_is_released_packet_by_packet_and_never_waits_for_a_gap() -> None:
    audio = AudioPassThrough()
    assert frames(audio.add(*packet(1, 960, b"a"))) == [(b"a", 960, True)]
    assert frames(audio.add(*packet(3, 2880, b"c"))) == [(b"c", 2880, True)]  # 2 is missing
    assert frames(audio.add(*packet(2, 1920, b"b"))) == []  # late: already played over
    assert frames(audio.add(*packet(3, 2880, b"c"))) == []  # duplicate


def test_rtp_timestamps_are_unwrapped_from_the_first_one() -> None:
    unwrapper = TimestampUnwrapper()
    assert unwrapper.unwrap(2**32 - 3000) == 0
    assert unwrapper.unwrap(0) == 3000
    assert unwrapper.unwrap(3000) == 6000
    assert unwrapper.unwrap(1500) == 4500  # a reordered frame stays in place
