"""A consultation's participants after scheduling: add a guest, change details, remove a guest.

A consultation has its patient plus at most `MAX_PARTICIPANTS - 1` guests (a family member,
an interpreter, a second professional). Adding one is a single transaction: the
consultation's `guest_count` goes up by one under the condition that it is below the limit
and the consultation is still scheduled, and the guest's item is put; two clinicians adding
the fourth guest at once cannot both succeed (`Conflict`). Removing a guest is the reverse;
the patient cannot be removed. Changing a participant's details (a mistyped phone number)
re-checks them as a whole, moves the reminder with the channels, and for the patient keeps
the name copied onto the consultation and the clinicians' days in step, in one transaction.

Every call is scoped like `chalicelib.consultations.schedule`: another clinic's consultation is
`NotFound`, as one that does not exist. A removed guest's links stop working at once, since
exchanging a link reads its participant.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pynamodb.attributes import UnicodeAttribute
from pynamodb.expressions.update import Action

from chalicelib.auth.principals import Principal
from chalicelib.clock import Clock
from chalicelib.consultations.parsing import NewGuest, ParticipantDetails
from chalicelib.consultations.reminder_timing import due_actions, reminder_due, schedule_on
from chalicelib.consultations.schedule import Consultations
from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import Conflict
from chalicelib.store.enums import ConsultationStatus, ParticipantRole
from chalicelib.store.models import (
    MAX_PARTICIPANTS,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    Participant,
)

MAX_GUESTS = MAX_PARTICIPANTS - 1

DetailsEdit = Callable[[ParticipantDetails], ParticipantDetails]


class Participants:
    def __init__(self, *, consultations: Consultations, clock: Clock) -> None:
        self._consultations = consultations
        self._clock = clock

    def add_guest(self, principal: Principal, consultation_id: str, guest: NewGuest) -> Participant:
        """Add `guest`; `Conflict` when the consultation is full or no longer scheduled."""
        consultation = self._consultations.get_scheduled(principal, consultation_id).consultation
        clinic = self._consultations.clinic_of(principal)
        details, participant_id = guest.details, uuid.uuid4().hex
        item = Participant(
            pk=consultation.pk,
            sk=Participant.sort_key(participant_id),
            consultation_id=consultation_id,
            participant_id=participant_id,
            role=guest.role,
            display_name=details.display_name,
            phone=details.phone,
            email=details.email,
            language=details.language or consultation.language,
            channels=list(details.channels),
            expires_at=consultation.expires_at,
            clinic_day=consultation.clinic_day,
            starts_at=consultation.starts_at,
        )
        if consultation.starts_at is not None:
            schedule_on(
                item, reminder_due(item, consultation.starts_at, clinic, now=self._clock.now())
            )
        with ConsultationTransaction(on_condition=_full) as transaction:
            transaction.update(
                consultation,
                actions=[Consultation.guest_count.add(1)],
                condition=(
                    (
                        Consultation.guest_count.does_not_exist()
                        | (Consultation.guest_count < MAX_GUESTS)
                    )
                    & (Consultation.status == ConsultationStatus.SCHEDULED)
                ),
            )
            transaction.save(item, condition=ConsultationItem.sk.does_not_exist())
        return item

    def change(
        self, principal: Principal, consultation_id: str, participant_id: str, edit: DetailsEdit
    ) -> Participant:
        """Apply `edit` to the participant's details (it validates them as a whole)."""
        record = self._consultations.get_scheduled(principal, consultation_id)
        participant = record.participant(participant_id)
        details = edit(details_of(participant))
        consultation = record.consultation
        renamed = (
            participant.role == ParticipantRole.PATIENT
            and details.display_name != participant.display_name
        )
        participant.display_name, participant.phone, participant.email = (
            details.display_name,
            details.phone,
            details.email,
        )
        participant.channels = list(details.channels)
        participant.language = details.language or consultation.language
        if consultation.starts_at is not None:
            clinic = self._consultations.clinic_of(principal)
            now = self._clock.now()
            schedule_on(
                participant, reminder_due(participant, consultation.starts_at, clinic, now=now)
            )
        actions: list[Action] = [
            Participant.display_name.set(participant.display_name),
            _set_or_remove(Participant.phone, participant.phone),
            _set_or_remove(Participant.email, participant.email),
            Participant.channels.set(participant.channels),
            Participant.language.set(participant.language),
            *due_actions(participant.due_at),
        ]
        with ConsultationTransaction() as transaction:
            transaction.update(participant, actions=actions, condition=ConsultationItem.sk.exists())
            if renamed:
                _rename_patient(transaction, consultation, details.display_name)
        return participant  # as written: no read back

    def remove_guest(self, principal: Principal, consultation_id: str, participant_id: str) -> None:
        """Remove a guest (their links stop working); the patient cannot be removed."""
        record = self._consultations.get_scheduled(principal, consultation_id)
        participant = record.participant(participant_id)
        if participant.role == ParticipantRole.PATIENT:
            raise Conflict("the patient cannot be removed; cancel the consultation instead")
        with ConsultationTransaction() as transaction:
            transaction.delete(participant, condition=ConsultationItem.sk.exists())
            transaction.update(
                record.consultation,
                actions=[Consultation.guest_count.add(-1)],
                condition=Consultation.guest_count > 0,
            )


def details_of(participant: Participant) -> ParticipantDetails:
    """A participant's details as the input checks read them."""
    return ParticipantDetails(
        display_name=participant.display_name,
        phone=participant.phone,
        email=participant.email,
        channels=tuple(participant.channels),
        language=participant.language,
    )


def _rename_patient(
    transaction: ConsultationTransaction, consultation: Consultation, name: str
) -> None:
    transaction.update(consultation, actions=[Consultation.patient_display_name.set(name)])
    for clinician_id in consultation.clinician_ids:
        transaction.update(
            ClinicianAssignment(consultation.pk, ClinicianAssignment.sort_key(clinician_id)),
            actions=[ClinicianAssignment.patient_display_name.set(name)],
            condition=ConsultationItem.sk.exists(),
        )


def _set_or_remove(attribute: UnicodeAttribute, value: str | None) -> Action:
    return attribute.set(value) if value is not None else attribute.remove()


def _full() -> Conflict:
    return Conflict(
        f"a consultation has at most {MAX_PARTICIPANTS} participants, or it is not scheduled"
    )
