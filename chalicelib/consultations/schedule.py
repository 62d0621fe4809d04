"""A clinic's consultations: schedule, read, list a day, reschedule, cancel.

Every call is scoped by the signed-in clinician's principal: a consultation of another
clinic is `NotFound`, exactly as one that does not exist. Writes that touch several items
of a consultation's partition (the consultation, its patient, one `ClinicianAssignment` per
clinician, whose copies of the schedule feed each clinician's day) are one DynamoDB
transaction, so no reader ever sees half of a change. Day keys use the clinic's local
date; `expires_at` is the end of the consultation plus the retention period (a reschedule's
new one is then given to the chat's items: `chalicelib.consultations.expiry`). Who is told
of a cancellation or a new time, and how, is `chalicelib.consultations.change_notices`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pynamodb.expressions.update import Action

from chalicelib.auth.principals import Principal
from chalicelib.clock import Clock
from chalicelib.consultations import queries
from chalicelib.consultations.change_notices import ScheduleNotices
from chalicelib.consultations.expiry import follow_expiry
from chalicelib.consultations.parsing import NewConsultation, ScheduleChange
from chalicelib.consultations.reminder_timing import due_actions, reminder_due, schedule_on
from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import ClientError, Conflict, InvalidField, NotFound
from chalicelib.store.enums import ConsultationStatus, ParticipantRole
from chalicelib.store.models import (
    CONSULTATION_SK,
    Clinic,
    Clinician,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    DelayNotice,
    Participant,
    day_key,
)


@dataclass(frozen=True)
class ConsultationRecord:
    consultation: Consultation
    participants: list[Participant]

    def participant(self, participant_id: str) -> Participant:
        """One of its participants; `NotFound` for any other id."""
        for participant in self.participants:
            if participant.participant_id == participant_id:
                return participant
        raise NotFound("no such participant")


@dataclass(frozen=True)
class DayEntry:
    """One line of a day's list, from the consultation or a clinician's assignment copy."""

    consultation_id: str
    starts_at: datetime
    duration_minutes: int
    status: str
    patient_display_name: str | None
    #: Its participants, for the dashboard's waiting summary (from the clinic's day index).
    participants: tuple[Participant, ...] = ()
    #: The clinician's latest "running late" message, if any.
    delay: DelayNotice | None = None
    #: Chat messages the signed-in clinician has not read (from the consultation item).
    unread_messages: int = 0
    #: Whether the signed-in clinician is on it (and so may read and write its chat).
    chat_member: bool = False


class Consultations:
    def __init__(self, *, clock: Clock, retention: timedelta, notices: ScheduleNotices) -> None:
        self._clock = clock
        self._retention = retention
        self._notices = notices

    def create(self, principal: Principal, new: NewConsultation) -> ConsultationRecord:
        clinic = self.clinic_of(principal)
        for clinician_id in new.clinician_ids:
            _require_colleague(clinician_id, principal.clinic_id)
        consultation_id, now = uuid.uuid4().hex, self._clock.now()
        pk, expires_at = ConsultationItem.partition(consultation_id), self._expiry(new)
        local_day = _local_day(new.starts_at, clinic)
        consultation = Consultation(
            pk=pk,
            sk=CONSULTATION_SK,
            consultation_id=consultation_id,
            clinic_id=principal.clinic_id,
            clinic_day=day_key(principal.clinic_id, local_day),
            starts_at=new.starts_at,
            time_zone=new.time_zone,
            duration_minutes=new.duration_minutes,
            language=new.language,
            status=ConsultationStatus.SCHEDULED,
            access_code_required=new.access_code_required,
            clinician_ids=list(new.clinician_ids),
            patient_display_name=new.patient.display_name,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
        )
        patient_id = uuid.uuid4().hex
        patient = Participant(
            pk=pk,
            sk=Participant.sort_key(patient_id),
            consultation_id=consultation_id,
            participant_id=patient_id,
            role=ParticipantRole.PATIENT,
            display_name=new.patient.display_name,
            phone=new.patient.phone,
            email=new.patient.email,
            language=new.patient.language or new.language,
            channels=list(new.patient.channels),
            expires_at=expires_at,
            # In the clinic's day index too, for the dashboard's waiting summary.
            clinic_day=consultation.clinic_day,
            starts_at=new.starts_at,
        )
        schedule_on(patient, self._reminder_due(patient, new.starts_at, clinic))
        with self._transaction(on_condition=_colleague_error) as transaction:
            new_item = ConsultationItem.pk.does_not_exist()
            transaction.save(consultation, condition=new_item)
            transaction.save(patient, condition=new_item)
            for clinician_id in new.clinician_ids:
                transaction.condition_check(
                    Clinician,
                    clinician_id,
                    condition=(Clinician.clinic_id == principal.clinic_id)
                    & (Clinician.active == True),  # noqa: E712 (a DynamoDB condition)
                )
                assignment = ClinicianAssignment(
                    pk=pk,
                    sk=ClinicianAssignment.sort_key(clinician_id),
                    consultation_id=consultation_id,
                    clinic_id=principal.clinic_id,
                    clinician_id=clinician_id,
                    clinician_day=day_key(clinician_id, local_day),
                    starts_at=new.starts_at,
                    duration_minutes=new.duration_minutes,
                    status=ConsultationStatus.SCHEDULED,
                    patient_display_name=new.patient.display_name,
                    expires_at=expires_at,
                )
                transaction.save(assignment, condition=new_item)
        return ConsultationRecord(consultation, [patient])

    def get(self, principal: Principal, consultation_id: str) -> ConsultationRecord:
        try:
            room = queries.load_waiting_room(consultation_id)
        except NotFound:
            raise NotFound("no such consultation") from None
        if room.consultation.clinic_id != principal.clinic_id:
            raise NotFound("no such consultation")
        return ConsultationRecord(room.consultation, room.participants)

    def get_scheduled(self, principal: Principal, consultation_id: str) -> ConsultationRecord:
        """`get`, refusing with `Conflict` a consultation that is no longer scheduled."""
        record = self.get(principal, consultation_id)
        if record.consultation.status != ConsultationStatus.SCHEDULED:
            raise Conflict("the consultation is not scheduled")
        return record

    def day(self, principal: Principal, day: date | None, *, mine: bool) -> list[DayEntry]:
        """The clinic's (or with `mine`, the caller's) consultations on a local day."""
        day = day or self._clock.now().astimezone(_zone(self.clinic_of(principal))).date()
        consultations, participants = queries.clinic_day_with_participants(principal.clinic_id, day)
        items: list[Consultation] | list[ClinicianAssignment] = (
            queries.clinician_day(principal.id, day) if mine else consultations
        )
        found = {consultation.consultation_id: consultation for consultation in consultations}
        return [
            _day_entry(item, found.get(item.consultation_id), participants, principal.id)
            for item in items
            if item.clinic_id == principal.clinic_id
        ]

    def reschedule(
        self, principal: Principal, consultation_id: str, change: ScheduleChange
    ) -> ConsultationRecord:
        """Change the schedule in one transaction; a new start time notifies the invited.

        A move of `starts_at` increments the consultation's `revision` (under the condition
        that the start read still holds, so racing moves cannot both count) and sets
        `moved_at`. Every PATCH that gives `starts_at` then sends the latest move's notices:
        a repeated one finds them sent, or completes what a failed earlier run did not send.
        """
        record = self.get(principal, consultation_id)
        consultation = record.consultation
        if consultation.status != ConsultationStatus.SCHEDULED:
            raise Conflict("only a scheduled consultation can be changed")
        moved = change.starts_at is not None and change.starts_at != consultation.starts_at
        starts_at = change.starts_at or consultation.starts_at or self._clock.now()
        duration = change.duration_minutes or int(consultation.duration_minutes)
        expires_at = starts_at + timedelta(minutes=duration) + self._retention
        clinic = self.clinic_of(principal)
        local_day = _local_day(starts_at, clinic)
        schedule: list[Action] = [
            ConsultationItem.starts_at.set(starts_at),
            ConsultationItem.expires_at.set(expires_at),
        ]
        actions = [
            *schedule,
            Consultation.duration_minutes.set(duration),
            Consultation.updated_at.set(self._clock.now()),
            ConsultationItem.clinic_day.set(day_key(principal.clinic_id, local_day)),
        ]
        if change.time_zone is not None:
            actions.append(Consultation.time_zone.set(change.time_zone))
        if change.language is not None:
            actions.append(Consultation.language.set(change.language))
        condition = Consultation.status == ConsultationStatus.SCHEDULED
        if moved:
            actions += [Consultation.revision.add(1), Consultation.moved_at.set(self._clock.now())]
            condition &= ConsultationItem.starts_at == consultation.starts_at
        with self._transaction() as transaction:
            transaction.update(consultation, actions=actions, condition=condition)
            for clinician_id in consultation.clinician_ids:
                transaction.update(
                    _assignment_key(consultation_id, clinician_id),
                    actions=[
                        *schedule,
                        ClinicianAssignment.duration_minutes.set(duration),
                        ConsultationItem.clinician_day.set(day_key(clinician_id, local_day)),
                    ],
                    condition=ConsultationItem.pk.exists(),
                )
            for participant in record.participants:
                due_at = self._reminder_due(participant, starts_at, clinic)
                transaction.update(
                    participant,
                    actions=[
                        *schedule,
                        ConsultationItem.clinic_day.set(day_key(principal.clinic_id, local_day)),
                        *due_actions(due_at),
                    ],
                    condition=ConsultationItem.sk.exists(),  # never recreate a removed guest
                )
        follow_expiry(consultation_id)  # the chat, its receipts and uploads
        record = self.get(principal, consultation_id)
        if change.starts_at is not None:
            self._notices.change(record.consultation, record.participants, clinic)
            record = self.get(principal, consultation_id)
        return record

    def cancel(self, principal: Principal, consultation_id: str) -> ConsultationRecord:
        """Mark it cancelled (the days show it so) and tell whoever was invited; idempotent.

        A repeated or retried cancel sends no notice twice, but completes the notices that a
        failed earlier run did not send (`chalicelib.consultations.change_notices`).
        """
        record = self.get(principal, consultation_id)
        if record.consultation.status == ConsultationStatus.ENDED:
            raise Conflict("the consultation has ended; it cannot be cancelled")
        if record.consultation.status != ConsultationStatus.CANCELLED:
            self._mark_cancelled(record)
            record = self.get(principal, consultation_id)
        clinic = self.clinic_of(principal)
        self._notices.cancellation(record.consultation, record.participants, clinic)
        return self.get(principal, consultation_id)

    def _mark_cancelled(self, record: ConsultationRecord) -> None:
        consultation_id = record.consultation.consultation_id
        with self._transaction() as transaction:
            transaction.update(
                record.consultation,
                actions=[
                    Consultation.status.set(ConsultationStatus.CANCELLED),
                    Consultation.updated_at.set(self._clock.now()),
                ],
                condition=Consultation.status == ConsultationStatus.SCHEDULED,
            )
            for clinician_id in record.consultation.clinician_ids:
                transaction.update(
                    _assignment_key(consultation_id, clinician_id),
                    actions=[ClinicianAssignment.status.set(ConsultationStatus.CANCELLED)],
                    condition=ConsultationItem.pk.exists(),
                )
            for participant in record.participants:  # no reminder of a cancelled one
                transaction.update(
                    participant,
                    actions=due_actions(None),
                    condition=ConsultationItem.sk.exists(),
                )

    def _reminder_due(
        self, participant: Participant, starts_at: datetime, clinic: Clinic
    ) -> datetime | None:
        return reminder_due(participant, starts_at, clinic, now=self._clock.now())

    def clinic_of(self, principal: Principal) -> Clinic:
        try:
            return Clinic.get(principal.clinic_id)
        except Clinic.DoesNotExist:
            raise NotFound("the clinician's clinic does not exist") from None

    def _expiry(self, new: NewConsultation) -> datetime:
        return new.starts_at + timedelta(minutes=new.duration_minutes) + self._retention

    def _transaction(
        self, on_condition: Callable[[], ClientError] | None = None
    ) -> ConsultationTransaction:
        return ConsultationTransaction(on_condition)


def _day_entry(
    item: Consultation | ClinicianAssignment,
    consultation: Consultation | None,
    participants: dict[str, list[Participant]],
    reader_id: str,
) -> DayEntry:
    return DayEntry(
        item.consultation_id,
        item.starts_at or datetime.min,
        int(item.duration_minutes),
        item.status,
        item.patient_display_name,
        tuple(participants.get(item.consultation_id, ())),
        consultation.delay if consultation else None,
        consultation.unread_for(reader_id) if consultation else 0,
        consultation is not None and reader_id in (consultation.clinician_ids or []),
    )


def _require_colleague(clinician_id: str, clinic_id: str) -> None:
    try:
        clinician = Clinician.get(clinician_id)
    except Clinician.DoesNotExist:
        raise _colleague_error() from None
    if clinician.clinic_id != clinic_id or not clinician.active:
        raise _colleague_error()


def _colleague_error() -> InvalidField:
    return InvalidField(
        "clinician_ids", "every clinician must be an active clinician of the clinic"
    )


def _assignment_key(consultation_id: str, clinician_id: str) -> ClinicianAssignment:
    return ClinicianAssignment(
        ConsultationItem.partition(consultation_id), ClinicianAssignment.sort_key(clinician_id)
    )


def _zone(clinic: Clinic) -> ZoneInfo:
    return ZoneInfo(clinic.time_zone)


def _local_day(moment: datetime, clinic: Clinic) -> date:
    return moment.astimezone(_zone(clinic)).date()
