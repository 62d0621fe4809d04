"""Keeps a worker sender's timestamps moving forward when what it forwards changes.

A subscriber's sender lives as long as its peer connection, but its source changes: another
participant takes the slot, or the same participant reconnects and publishes anew. Each
publication's timestamps start from its own first frame, so forwarding them unchanged would
make the browser see time jump backwards (or far ahead) on the same stream, and its jitter
buffer would drop the new frames as late. The timeline shifts each new source so that its
first packet follows the last one sent by the wall-clock time in between; within a source,
timestamps pass unchanged. Packets are shared between subscribers, so nothing is written
into them: the sender's packetizer asks `output_pts` for each packet it sends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import av


class OutgoingTimeline:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._offset = 0
        self._last: tuple[int, float] | None = None  # (pts sent, when)

    def start_source(self, first: av.Packet[Any]) -> None:
        """`first` opens a new source: place it just after the last packet sent."""
        if self._last is None or first.pts is None or first.time_base is None:
            return
        last_pts, sent_at = self._last
        gap = max(1, round((self._clock() - sent_at) / first.time_base))
        self._offset = last_pts + gap - first.pts

    def output_pts(self, packet: av.Packet[Any]) -> int:
        """The timestamp to send `packet` with (in its time base); remembers it as the last."""
        assert packet.pts is not None
        pts = packet.pts + self._offset
        self._last = (pts, self._clock())
        return pts
