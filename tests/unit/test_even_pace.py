"""`at_least` pads work to a floor, whichever way the work went."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.auth.even_pace import at_least
from tests.conftest import START
from tests.support.fakes import FrozenClock

FLOOR = timedelta(milliseconds=500)


def test_quick_work_is_padded_to_the_floor() -> None:
    clock = FrozenClock(START)
    with at_least(clock, FLOOR):
        clock.advance(timedelta(milliseconds=120))
    assert clock.slept == [pytest.approx(0.38)]
    assert clock.now() - START == FLOOR


def test_work_past_the_floor_is_not_slowed_further() -> None:
    clock = FrozenClock(START)
    with at_least(clock, FLOOR):
        clock.advance(timedelta(milliseconds=700))
    assert clock.slept == []


def test_work_that_fails_is_padded_too_and_its_error_goes_through() -> None:
    clock = FrozenClock(START)
    with pytest.raises(RuntimeError), at_least(clock, FLOOR):
        clock.advance(timedelta(milliseconds=50))
        raise RuntimeError("SES is down")
    assert clock.now() - START == FLOOR


def test_returning_early_is_padded() -> None:
    clock = FrozenClock(START)

    def unknown_address() -> str:
        with at_least(clock, FLOOR):
            return "sent_if_known"

    assert unknown_address() == "sent_if_known"
    assert clock.slept == [0.5]
