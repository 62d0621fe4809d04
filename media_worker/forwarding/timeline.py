"""Keeps a subscriber's sequence numbers and timestamps continuous when its source changes.

A subscriber's sender lives as long as its peer connection, but its source changes: another
participant takes the slot, or the same participant reconnects and publishes anew. Each
publication numbers its packets and stamps its timestamps from its own origin, so
forwarding them unchanged would make the browser see a jump on the same stream (its
jitter buffer would drop the new packets as late, or wait for the numbers in between).

`OutgoingTimeline` shifts each new source: its first packet gets the sequence number after
the last one sent, and a timestamp after the last one sent by the wall-clock time in
between. Within a source both pass shifted by the same offsets, so gaps stay gaps (the
browser NACKs them) and a retransmission from the publisher lands on the number it fills.
Packets older than the source's first one (a late retransmission from before a switch)
have no place in the new numbering and are refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from media_worker.forwarding.rtp import newer


class OutgoingTimeline:
    def __init__(self, clock_rate: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock_rate = clock_rate
        self._clock = clock
        self._sequence_offset = 0
        self._timestamp_offset = 0
        self._source_start: int | None = None
        self._last: tuple[int, int, float] | None = None  # (sequence, timestamp, when) sent

    def start_source(self, sequence_number: int, timestamp: int) -> None:
        """The packet (`sequence_number`, `timestamp`) opens a new source."""
        self._source_start = sequence_number
        if self._last is None:
            return
        last_sequence, last_timestamp, sent_at = self._last
        gap = max(1, round((self._clock() - sent_at) * self._clock_rate))
        self._sequence_offset = (last_sequence + 1 - sequence_number) & 0xFFFF
        self._timestamp_offset = (last_timestamp + gap - timestamp) & 0xFFFFFFFF

    def rewrite(self, sequence_number: int, timestamp: int) -> tuple[int, int] | None:
        """(sequence, timestamp) to send a packet of the current source with, or None."""
        start = self._source_start
        if start is None or (start != sequence_number and not newer(sequence_number, start)):
            return None
        sequence = (sequence_number + self._sequence_offset) & 0xFFFF
        stamp = (timestamp + self._timestamp_offset) & 0xFFFFFFFF
        if self._last is None or newer(sequence, self._last[0]):
            self._last = (sequence, stamp, self._clock())
        return sequence, stamp
