"""The wait estimate: the clinician's progress in, a rounded range of minutes out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.store.models import DelayNotice
from chalicelib.waiting_room.estimate import (
    Estimate,
    Slot,
    clinician_free_at,
    expected_start,
    wait_range,
)

NINE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return NINE + timedelta(minutes=minutes)


def slot(
    name: str, start: int, length: int = 20, started: int | None = None, cancelled: bool = False
) -> Slot:
    return Slot(
        consultation_id=name,
        starts_at=at(start),
        duration=timedelta(minutes=length),
        started_at=None if started is None else at(started),
        cancelled=cancelled,
    )


@pytest.mark.parametrize(
    ("minutes", "low", "high"),
    [(0, 0, 5), (1, 0, 5), (4, 0, 5), (7, 5, 10), (12, 10, 15), (23, 20, 30), (61, 60, 80)],
)
def test_the_range_is_rounded_and_widens_with_the_wait(minutes: int, low: int, high: int) -> None:
    assert wait_range(at(minutes), at(0)) == Estimate(low, high)


def test_a_past_expected_start_is_about_now() -> None:
    assert wait_range(at(-10), at(0)) == Estimate(0, 5)


def test_the_consultation_in_progress_ends_at_its_planned_end() -> None:
    day = [slot("a", 0, started=5), slot("b", 20)]
    assert clinician_free_at(day, day[1], now=at(10)) == at(25)


def test_earlier_consultations_not_started_come_first_in_order() -> None:
    day = [slot("a", 0, started=2), slot("b", 20), slot("c", 40, length=30), slot("d", 60)]
    # a ends 09:22, b takes 09:22-09:42, c 09:42-10:12: d starts about 10:12.
    assert expected_start(day[3], [day], None, now=at(10)) == at(72)


def test_cancelled_and_skipped_consultations_take_no_time() -> None:
    day = [slot("gone", 0, cancelled=True), slot("missed", 5, length=10), slot("mine", 30)]
    assert expected_start(day[2], [day], None, now=at(20)) == at(30)


def test_an_announced_delay_counts_from_the_appointment_or_its_announcement() -> None:
    early = DelayNotice(minutes=15, announced_at=at(10), number=1)
    late = DelayNotice(minutes=15, announced_at=at(40), number=1)
    mine = slot("mine", 30)
    assert expected_start(mine, [[mine]], early, now=at(10)) == at(45)
    assert expected_start(mine, [[mine]], late, now=at(40)) == at(55)


def test_with_two_clinicians_the_busier_one_decides() -> None:
    mine = slot("mine", 30)
    free = [mine]
    busy = [slot("x", 0, length=60, started=0), mine]
    assert expected_start(mine, [free, busy], None, now=at(10)) == at(60)
