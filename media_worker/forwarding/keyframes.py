"""Rate-limited keyframe requests towards one publisher.

Every subscriber's PLI/FIR, and every subscriber that attaches, asks the publication for a
keyframe; a keyframe costs the publisher's whole bitrate budget for a moment, so requests
are sent at most once per `min_interval`. A request inside the interval is not lost: it is
sent when the interval ends (one deferred request covers all that arrived meanwhile).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: At most one keyframe request per publisher in this many seconds.
MIN_KEYFRAME_INTERVAL = 0.5


class KeyframeRequests:
    """Sends `send()` now, or at the end of the current interval; counts what it sent."""

    def __init__(
        self,
        send: Callable[[], bool],
        *,
        min_interval: float = MIN_KEYFRAME_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._min_interval = min_interval
        self._clock = clock
        self._last_sent: float | None = None
        self._deferred: asyncio.TimerHandle | None = None
        self.sent = 0

    def request(self) -> None:
        now = self._clock()
        if self._last_sent is None or now - self._last_sent >= self._min_interval:
            self._send_now()
        elif self._deferred is None:
            delay = self._last_sent + self._min_interval - now
            self._deferred = asyncio.get_running_loop().call_later(delay, self._send_deferred)

    def close(self) -> None:
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None

    def _send_deferred(self) -> None:
        self._deferred = None
        self._send_now()

    def _send_now(self) -> None:
        if self._send():
            self._last_sent = self._clock()
            self.sent += 1
