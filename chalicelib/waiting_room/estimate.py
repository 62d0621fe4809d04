"""The wait estimate: when the clinician will likely be ready, shown as a range of minutes.

From the clinician's real progress: the consultation they are in now (started by "Start",
until its planned end), the consultations before this one on their day that have not
started yet (each takes its planned duration; one whose whole slot has passed unstarted
counts as skipped), and a delay they announced for this one. The range is rounded to five
minutes and widens with the wait ("about 5 to 10 minutes", "about 20 to 30 minutes"):
never false precision. Pure functions; `chalicelib.waiting_room.progress` stores and pushes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.store.enums import ConsultationStatus
from chalicelib.store.models import ClinicianAssignment, Consultation, DelayNotice

STEP_MINUTES = 5


@dataclass(frozen=True)
class Estimate:
    low_minutes: int
    high_minutes: int


@dataclass(frozen=True)
class Slot:
    """One consultation on a clinician's day, as the estimate sees it."""

    consultation_id: str
    starts_at: datetime
    duration: timedelta
    started_at: datetime | None
    cancelled: bool

    @classmethod
    def of(cls, item: ClinicianAssignment | Consultation) -> Slot:
        return cls(
            consultation_id=item.consultation_id,
            starts_at=item.starts_at or datetime.min,
            duration=timedelta(minutes=int(item.duration_minutes)),
            started_at=item.started_at,
            # Cancelled and ended consultations take no more of the clinician's time.
            cancelled=item.status in (ConsultationStatus.CANCELLED, ConsultationStatus.ENDED),
        )


def clinician_free_at(day: Iterable[Slot], before: Slot, now: datetime) -> datetime:
    """When the clinician will be free for `before`: after the consultation in progress and
    the earlier ones not started yet."""
    slots = sorted(day, key=lambda slot: (slot.starts_at, slot.consultation_id))
    free_at = now
    running = [
        slot.started_at + slot.duration
        for slot in slots
        if slot.started_at is not None and slot.consultation_id != before.consultation_id
    ]
    if running:
        free_at = max(free_at, max(running))
    for slot in slots:
        if slot.consultation_id == before.consultation_id or slot.starts_at > before.starts_at:
            continue
        if slot.cancelled or slot.started_at is not None:
            continue
        if slot.starts_at + slot.duration <= now:
            continue  # its whole slot passed unstarted: skipped
        free_at = max(free_at, slot.starts_at) + slot.duration
    return free_at


def expected_start(
    slot: Slot, days: Iterable[Iterable[Slot]], delay: DelayNotice | None, now: datetime
) -> datetime:
    """The likely start of `slot`, given each of its clinicians' days (the latest wins)."""
    expected = max(slot.starts_at, now)
    for day in days:
        expected = max(expected, clinician_free_at(day, slot, now))
    return max(expected, delayed_start(slot.starts_at, delay))


def delayed_start(starts_at: datetime, delay: DelayNotice | None) -> datetime:
    """ "About N minutes late": N minutes after the appointment, or after the announcement
    when it came after the appointment time."""
    if delay is None:
        return starts_at
    return max(starts_at, delay.announced_at) + timedelta(minutes=int(delay.minutes))


def wait_range(expected: datetime, now: datetime) -> Estimate:
    """Minutes until `expected`, as a rounded range that widens with the wait."""
    minutes = max(0, math.ceil((expected - now).total_seconds() / 60))
    low = STEP_MINUTES * (minutes // STEP_MINUTES)
    width = STEP_MINUTES * max(1, math.ceil(minutes * 0.3 / STEP_MINUTES))
    return Estimate(low_minutes=low, high_minutes=low + width)


def estimate_of(consultation: Consultation, now: datetime) -> Estimate | None:
    """The estimate from what the consultation holds; None once it has started.

    `expected_start_at` counts only for the schedule it was computed for (a reschedule
    makes it stale); without it, the appointment time and the announced delay decide.
    """
    if consultation.started_at is not None or consultation.starts_at is None:
        return None
    if consultation.status != ConsultationStatus.SCHEDULED:
        return None
    expected = delayed_start(consultation.starts_at, consultation.delay)
    stored = consultation.expected_start_at
    revision = consultation.estimate_revision
    if (
        stored is not None
        and revision is not None
        and int(revision) == int(consultation.revision or 0)
    ):
        expected = max(expected, stored)
    return wait_range(max(expected, now), now)
