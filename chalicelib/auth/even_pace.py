"""Answers that take the same time whichever way they went, against timing side channels.

Asking for a sign-in link must not reveal whether the address is a clinician's. The answer
is the same either way, but only a known address costs a token write and an SES call, which
a stopwatch would see. `at_least` pads the work to a floor chosen above its usual duration,
so both ways take the floor; only an unusually slow SES call (past the floor) still shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from chalicelib.clock import Clock


@contextmanager
def at_least(clock: Clock, floor: timedelta) -> Iterator[None]:
    """Make the block take at least `floor`, measured on `clock`, even when it raises."""
    started = clock.now()
    try:
        yield
    finally:
        remaining = floor - (clock.now() - started)
        if remaining > timedelta(0):
            clock.sleep(remaining.total_seconds())
