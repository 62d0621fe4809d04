"""Whole encoded frames from RTP packets, with no avoidable waiting.

These replace aiortc's jitter buffer in the worker's receivers (installed by
`aiortc_hooks`). The stock buffer releases a video frame only when the *next* frame's
first packet arrives (one frame late: 33 ms at 30 fps) and holds audio for four packets
(80 ms). Here:

- Video: a frame is released as soon as it is whole: its packets are contiguous from the
  one after the previous frame up to the marker bit (or up to a packet with the next
  timestamp). A missing packet with later packets behind it is a gap: it waits for a NACK
  retransmission for at most `GAP_TIMEOUT` seconds, then is skipped. A frame still
  receiving its last packets (a large keyframe paced by the browser) is not a gap. Frames
  are released from a keyframe on (at the start, after a skipped gap, after an overflow);
  a dropped delta frame asks for a keyframe, at most every `KEYFRAME_RETRY` seconds.
- Audio: every packet is a frame and is released at once; a missing packet is never waited
  for (audio has no retransmission), a late or duplicate one is dropped.

Both take plain values (sequence number, RTP timestamp, marker bit, depayloaded data) and
return `(keyframe_wanted, frames)`, each frame `(data, RTP timestamp, is_keyframe)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: How long a video gap may wait for a retransmission before it is skipped.
GAP_TIMEOUT = 0.25
#: How often a keyframe is asked for again while frames are dropped waiting for one.
KEYFRAME_RETRY = 1.0
#: How many packets a video frame assembly may span (aiortc's own buffer capacity).
VIDEO_CAPACITY = 512

SEQ_MOD = 1 << 16
TS_MOD = 1 << 32

Frame = tuple[bytes, int, bool]


def _is_ahead(seq: int, reference: int) -> bool:
    """`seq` is `reference` or comes after it (RFC 1982 serial number arithmetic)."""
    return (seq - reference) % SEQ_MOD < SEQ_MOD // 2


class AudioPassThrough:
    """Releases every audio packet at once; drops duplicates and packets older than the last."""

    def __init__(self) -> None:
        self._last_seq: int | None = None

    def add(self, seq: int, timestamp: int, marker: bool, data: bytes) -> tuple[bool, list[Frame]]:
        if self._last_seq is not None:
            ahead = (seq - self._last_seq) % SEQ_MOD
            if ahead == 0 or ahead >= SEQ_MOD // 2:
                return False, []
        self._last_seq = seq
        return False, [(data, timestamp, True)]


class VideoFrameAssembler:
    """Releases each video frame as soon as it is whole; skips a gap after `gap_timeout`."""

    def __init__(
        self,
        is_keyframe: Callable[[bytes], bool],
        *,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = VIDEO_CAPACITY,
        gap_timeout: float = GAP_TIMEOUT,
        keyframe_retry: float = KEYFRAME_RETRY,
    ) -> None:
        self._is_keyframe = is_keyframe
        self._clock = clock
        self._capacity = capacity
        self._gap_timeout = gap_timeout
        self._keyframe_retry = keyframe_retry
        self._packets: dict[int, tuple[int, bool, bytes]] = {}  # seq: (timestamp, marker, data)
        self._next_seq: int | None = None
        self._stalled_since: float | None = None
        self._need_keyframe = True
        self._dropped_frame = False
        self._last_keyframe_request: float | None = None

    def add(self, seq: int, timestamp: int, marker: bool, data: bytes) -> tuple[bool, list[Frame]]:
        if self._next_seq is None:
            self._next_seq = seq
        if not _is_ahead(seq, self._next_seq):
            return False, []  # a duplicate, or too late: its frame is gone
        if (seq - self._next_seq) % SEQ_MOD >= self._capacity:
            self._restart(seq)
        self._packets[seq] = (timestamp, marker, data)

        frames = self._release()
        if frames or not self._packets:
            self._stalled_since = None
        else:
            now = self._clock()
            if self._stalled_since is None:
                self._stalled_since = now
            elif now - self._stalled_since > self._gap_timeout:
                self._stalled_since = now
                if self._skip_gap():
                    frames = self._release()
        return self._keyframe_request_due(), frames

    def _release(self) -> list[Frame]:
        released = []
        while (frame := self._take_whole_frame()) is not None:
            data, timestamp = frame
            keyframe = self._is_keyframe(data)
            if keyframe:
                self._need_keyframe = self._dropped_frame = False
            if self._need_keyframe:
                self._dropped_frame = True
            else:
                released.append((data, timestamp, keyframe))
        return released

    def _take_whole_frame(self) -> tuple[bytes, int] | None:
        assert self._next_seq is not None
        first = self._packets.get(self._next_seq)
        if first is None:
            return None
        parts = []
        seq = self._next_seq
        while (packet := self._packets.get(seq)) is not None and packet[0] == first[0]:
            parts.append(seq)
            seq = (seq + 1) % SEQ_MOD
            if packet[1]:
                break  # the marker bit: the frame's last packet
        else:
            if packet is None:
                return None  # the frame still misses packets
        data = b"".join(self._packets.pop(part)[2] for part in parts)
        self._next_seq = seq
        return data, first[0]

    def _skip_gap(self) -> bool:
        """Give up on a missing packet that has later packets behind it; False if none."""
        assert self._next_seq is not None
        hole = self._next_seq
        while hole in self._packets:
            hole = (hole + 1) % SEQ_MOD
        behind = [seq for seq in self._packets if _is_ahead(seq, hole)]
        if not behind:
            return False  # the current frame is only waiting for its last packets
        for seq in set(self._packets) - set(behind):
            del self._packets[seq]
        self._next_seq = min(behind, key=lambda seq: (seq - hole) % SEQ_MOD)
        self._need_keyframe = True
        return True

    def _restart(self, seq: int) -> None:
        self._packets.clear()
        self._next_seq = seq
        self._stalled_since = None
        self._need_keyframe = True

    def _keyframe_request_due(self) -> bool:
        if not (self._need_keyframe and self._dropped_frame):
            return False
        now = self._clock()
        last = self._last_keyframe_request
        if last is not None and now - last < self._keyframe_retry:
            return False
        self._last_keyframe_request = now
        return True


class TimestampUnwrapper:
    """Maps 32-bit RTP timestamps to a monotonic count from the first one (wrap-safe)."""

    def __init__(self) -> None:
        self._last_raw: int | None = None
        self._last = 0

    def unwrap(self, timestamp: int) -> int:
        if self._last_raw is not None:
            step = (timestamp - self._last_raw) % TS_MOD
            self._last += step - TS_MOD if step >= TS_MOD // 2 else step
        self._last_raw = timestamp
        return self._last
