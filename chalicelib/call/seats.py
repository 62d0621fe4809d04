"""Who is asking, as a member of a consultation's call, and may they send media now.

A participant's connection belongs to their consultation; a clinician's connection belongs
to the clinic, so a clinician names the consultation (`consultation_id`). A clinician of
another clinic meets `not_found`; a colleague not in the consultation's `clinician_ids`
`not_a_member` (the chat's codes). The media worker knows every member by one id: a
participant's id, or `clinician-<clinician id>` for a clinician, which no participant id
(32 hex digits) can equal.

The media gate (`require_in_call`): a participant sends media only while their presence is
`in_call` (they accepted the current call: only answering it enters that state, and
leaving, a drop or the end leave it), or to rejoin the current call after their connection
dropped in it; a clinician once the consultation has been started (`call_number >= 1`);
both only while it is scheduled (`call_over` otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.call.refusals import CallOver, NotAMember, NotInCall
from chalicelib.errors import InvalidField, NotFound
from chalicelib.store.enums import ConsultationStatus, Presence
from chalicelib.store.models import (
    CONSULTATION_SK,
    ClinicianAssignment,
    Connection,
    Consultation,
    ConsultationItem,
    Participant,
)

PARTICIPANT = "participant"
CLINICIAN = "clinician"
CLINICIAN_MEMBER_PREFIX = "clinician-"
MAX_CONSULTATION_ID = 64


@dataclass(frozen=True)
class Seat:
    """A member of a consultation: its consultation, and who they are."""

    consultation: Consultation
    kind: str  # "participant" | "clinician"
    id: str
    #: The participant's item (None for a clinician).
    participant: Participant | None = None

    @property
    def consultation_id(self) -> str:
        return self.consultation.consultation_id

    @property
    def language(self) -> str:
        """The language of the member's refusals: a participant's own, else English."""
        return self.participant.language if self.participant is not None else "en"

    @property
    def member_id(self) -> str:
        """The id the media worker knows this member by."""
        return member_id(self.kind, self.id)

    def item_key(self) -> tuple[str, str]:
        """The key of the member's own item: the participant, or the clinician's assignment."""
        if self.kind == PARTICIPANT:
            return self.consultation.pk, Participant.sort_key(self.id)
        return self.consultation.pk, ClinicianAssignment.sort_key(self.id)


def member_id(kind: str, id_: str) -> str:
    return id_ if kind == PARTICIPANT else f"{CLINICIAN_MEMBER_PREFIX}{id_}"


def seat_of(connection: Connection, data: dict[str, Any]) -> Seat:
    """The connection's holder as a member of the consultation (two GetItems at most:
    one BatchGetItem for a participant, one GetItem for a clinician)."""
    named = _named_consultation(data)
    if connection.principal_kind == PARTICIPANT:
        consultation_id = connection.consultation_id
        if consultation_id is None or named not in (None, consultation_id):
            raise NotFound("no such consultation")
        consultation, participant = _participant_and_consultation(
            consultation_id, connection.principal_id
        )
        if consultation.clinic_id != connection.clinic_id:
            raise NotFound("no such consultation")
        return Seat(consultation, PARTICIPANT, connection.principal_id, participant)
    if named is None:
        raise InvalidField("consultation_id", "name the consultation ('consultation_id')")
    found = _consultation(named)
    if found is None or found.clinic_id != connection.clinic_id:
        raise NotFound("no such consultation")
    if connection.principal_id not in found.clinician_ids:
        raise NotAMember()
    return Seat(found, CLINICIAN, connection.principal_id)


def require_in_call(seat: Seat) -> bool:
    """The media gate: `call_over`, or `not_in_call`, unless this member may send media.

    True when the member is a participant whose connection dropped in the current call
    (presence back to `waiting`, `call_dropped` = the call's number): they may rejoin it
    (a reloaded page) without being rung again, and `media.join` moves them back in.
    """
    consultation = seat.consultation
    if consultation.status != ConsultationStatus.SCHEDULED:
        raise CallOver(seat.language)
    if seat.kind == CLINICIAN:
        if int(consultation.call_number or 0) < 1:
            raise NotInCall()
        return False
    participant = seat.participant
    if participant is not None and participant.presence == Presence.IN_CALL:
        return False
    if participant is not None and dropped_from_current_call(participant, consultation):
        return True
    raise NotInCall(seat.language)


def dropped_from_current_call(participant: Participant, consultation: Consultation) -> bool:
    number = int(consultation.call_number or 0)
    return (
        participant.presence == Presence.WAITING
        and number > 0
        and int(participant.call_dropped or 0) == number
    )


def _named_consultation(data: dict[str, Any]) -> str | None:
    value = data.get("consultation_id")
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CONSULTATION_ID:
        raise InvalidField("consultation_id", "'consultation_id' must be a short string")
    return value


def _consultation(consultation_id: str) -> Consultation | None:
    try:
        item = ConsultationItem.get(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
    except ConsultationItem.DoesNotExist:
        return None
    return item if isinstance(item, Consultation) else None


def _participant_and_consultation(
    consultation_id: str, participant_id: str
) -> tuple[Consultation, Participant]:
    pk = ConsultationItem.partition(consultation_id)
    found = list(
        ConsultationItem.batch_get(
            [(pk, CONSULTATION_SK), (pk, Participant.sort_key(participant_id))]
        )
    )
    consultation = next((i for i in found if isinstance(i, Consultation)), None)
    participant = next((i for i in found if isinstance(i, Participant)), None)
    if consultation is None or participant is None:
        raise NotFound("no such consultation")
    return consultation, participant
