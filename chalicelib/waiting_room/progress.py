"""Keeps the wait estimates of a clinician's day in step with their progress, and pushes them.

When a clinician starts a consultation or announces a delay, every later consultation of
their day that has not started gets a new `expected_start_at` (one GetItem and one
UpdateItem each, under the schedule revision read), and the participants connected to
those consultations get `waiting_room.estimate` (one Query of the clinic's connections for
all of them). Entering
the waiting room stores this consultation's own expected start (`expected_for`) in the
same write that moves the participant.
"""

from __future__ import annotations

from datetime import date, datetime

from pynamodb.exceptions import UpdateError

from chalicelib.consultations import queries
from chalicelib.store.enums import ConsultationStatus
from chalicelib.store.models import (
    CONSULTATION_SK,
    Consultation,
    ConsultationItem,
)
from chalicelib.waiting_room.broadcast import RoomBroadcast
from chalicelib.waiting_room.estimate import Estimate, Slot, estimate_of, expected_start


class DayProgress:
    def __init__(self, *, broadcast: RoomBroadcast) -> None:
        self._broadcast = broadcast

    def expected_for(self, consultation: Consultation, now: datetime) -> datetime:
        """When `consultation` will likely start, from its clinicians' days (one Query each,
        usually one clinician): stored with the move into the waiting room."""
        days = _days(consultation)
        slot = Slot.of(consultation)
        return expected_start(slot, days.values(), consultation.delay, now)

    def refresh(self, consultation: Consultation, now: datetime) -> dict[str, Estimate | None]:
        """Recompute the estimates that `consultation`'s clinicians' progress affects (this
        one and the later unstarted ones of their days), store and push them."""
        days = _days(consultation)
        affected = sorted(
            {
                slot.consultation_id
                for day in days.values()
                for slot in day
                if not slot.cancelled
                and slot.started_at is None
                and consultation.starts_at is not None
                and slot.starts_at >= consultation.starts_at
            }
        )
        estimates: dict[str, Estimate | None] = {}
        for consultation_id in affected:
            item = _consultation(consultation_id, consultation.consultation_id, consultation)
            if item is None or item.status != ConsultationStatus.SCHEDULED:
                continue
            slot = Slot.of(item)
            clinician_days = [days.get(c) or [] for c in item.clinician_ids]
            expected = expected_start(slot, clinician_days, item.delay, now)
            if _store(item, expected):
                estimates[consultation_id] = estimate_of(item, now)
        self._broadcast.estimates(consultation.clinic_id, estimates)
        return estimates


def _days(consultation: Consultation) -> dict[str, list[Slot]]:
    return {
        clinician_id: [
            Slot.of(item) for item in queries.clinician_day(clinician_id, _local_date(consultation))
        ]
        for clinician_id in consultation.clinician_ids
    }


def _local_date(consultation: Consultation) -> date:
    """The clinician-day key's date: the day part of the consultation's clinic day."""
    return date.fromisoformat((consultation.clinic_day or "#").rpartition("#")[2])


def _consultation(consultation_id: str, known_id: str, known: Consultation) -> Consultation | None:
    if consultation_id == known_id:
        return known
    try:
        return Consultation.get(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
    except Consultation.DoesNotExist:
        return None


def _store(item: Consultation, expected: datetime) -> bool:
    """Save the expected start for the schedule revision read; False if it moved since."""
    revision = int(item.revision or 0)
    try:
        item.update(
            actions=[
                Consultation.expected_start_at.set(expected),
                Consultation.estimate_revision.set(revision),
            ],
            condition=(Consultation.revision == revision) | Consultation.revision.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
