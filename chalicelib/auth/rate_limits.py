"""Fixed-window rate limits counted in DynamoDB (`RateLimitWindow`).

Each `hit` adds one to the counter of the current window with a single atomic UpdateItem;
past the limit it raises `RateLimited` with the seconds until the window ends. Subjects
(an email, an IP address) are stored only as hashes, and counters expire with their window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.clock import Clock
from chalicelib.errors import RateLimited
from chalicelib.store.models import RateLimitWindow


@dataclass(frozen=True)
class Limit:
    """At most `hits` per `window` for one subject of one `scope`."""

    scope: str
    hits: int
    window: timedelta


class RateLimiter:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def hit(self, limit: Limit, subject: str) -> None:
        """Count one action of `subject`; `RateLimited` once the window's limit is passed."""
        now = self._clock.now()
        window_seconds = int(limit.window.total_seconds())
        start = int(now.timestamp()) // window_seconds * window_seconds
        end = datetime.fromtimestamp(start + window_seconds, UTC)
        counter = RateLimitWindow(window_key=f"{limit.scope}#{subject_hash(subject)}#{start}")
        counter.update(
            actions=[
                RateLimitWindow.hits.add(1),
                RateLimitWindow.expires_at.set(end + timedelta(minutes=1)),
            ]
        )
        if counter.hits > limit.hits:
            retry_after = max(1, int((end - now).total_seconds()))
            raise RateLimited("too many requests; please try again later", retry_after=retry_after)


def subject_hash(subject: str) -> str:
    """A short, stable hash of a subject, for counter keys and log lines."""
    return hashlib.sha256(subject.encode("utf-8")).hexdigest()[:16]
