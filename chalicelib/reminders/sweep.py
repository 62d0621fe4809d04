"""The reminder a participant gets shortly before their consultation, sent once by the sweeper.

Creating or rescheduling a consultation gives each participant with a reminder channel
(`reminder_timing.reminder_channel`) `due_at` = start - the clinic's `reminder_lead_minutes`,
in the sparse `by_due_work` index; cancelling removes it, and so does entering the waiting
room. The minute sweep (`chalicelib.consultations.due_work`, never a Scan) hands each due
participant to `Reminders.remind`, which sends the reminder with a fresh personal link and
clears `due_at` under the condition that it still holds the value read, so a
concurrent reschedule keeps its new time. The attempt number is the due time in minutes
since the epoch: a re-run or a retried Lambda finds its ledger claim taken and sends
nothing, while a consultation moved to a later time reminds again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.clock import Clock
from chalicelib.consultations import due_work, queries
from chalicelib.consultations.due_work import Swept
from chalicelib.consultations.reminder_timing import reminder_channel
from chalicelib.messaging.courier import Courier
from chalicelib.participants.link_delivery import LinkIssuer
from chalicelib.store.enums import ConsultationStatus, DeliveryStatus
from chalicelib.store.models import PARTICIPANT_SK_PREFIX, Clinic, Consultation

PARTICIPANT_PREFIX = PARTICIPANT_SK_PREFIX
__all__ = ["PARTICIPANT_PREFIX", "Reminders", "Swept"]


class Reminders:
    def __init__(self, *, clock: Clock, courier: Courier, links: LinkIssuer) -> None:
        self._clock = clock
        self._courier = courier
        self._links = links

    def run(self) -> Swept:
        """Send every due reminder; one participant's failure never stops the others."""
        return due_work.sweep(self._clock.now(), {PARTICIPANT_PREFIX: self.remind})

    def remind(self, consultation_id: str, sk: str, now: datetime) -> bool:
        """Handle one participant's due reminder; False when the provider refused it."""
        room = queries.load_waiting_room(consultation_id)
        participant = next((p for p in room.participants if p.sk == sk), None)
        if participant is None or participant.due_at is None or participant.due_at > now:
            return True  # handled meanwhile, or moved later: nothing due
        due_at, consultation = participant.due_at, room.consultation
        clinic = Clinic.get(consultation.clinic_id)
        channel = reminder_channel(participant, clinic)
        ok = True
        if (
            consultation.status == ConsultationStatus.SCHEDULED
            and not _ended(consultation, now)
            and channel
        ):
            outcome = self._courier.send_reminder(
                consultation,
                participant,
                self._links.issue_link(consultation, participant, clinic=clinic),
                channel,
                clinic=clinic,
                minutes=int(clinic.settings.reminder_lead_minutes),
                attempt=int(due_at.timestamp()) // 60,
            )
            ok = outcome.status != DeliveryStatus.FAILED
        due_work.clear(participant, due_at)
        return ok


def _ended(consultation: Consultation, now: datetime) -> bool:
    starts_at = consultation.starts_at or now
    return now >= starts_at + timedelta(minutes=int(consultation.duration_minutes))
