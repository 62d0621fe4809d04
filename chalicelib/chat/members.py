"""Who belongs to a consultation's chat: its participants and its clinicians.

A participant is a member of their own consultation while it lists them and is not
cancelled (`participant_standing`); a clinician of the consultation's clinic is a member
when the consultation names them in `clinician_ids`. A clinician of another clinic meets
`NotFound`, as everywhere; a colleague of the same clinic not on the consultation is
`NotAMember`. The member carries what a message shows of its author (name, role) and the
language refusals are written in.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principals import Principal
from chalicelib.chat.refusals import ChatClosed, NotAMember
from chalicelib.errors import NotFound, Unauthorized
from chalicelib.participants.standing import participant_standing
from chalicelib.store.enums import ConsultationStatus
from chalicelib.store.models import (
    CONSULTATION_SK,
    Clinic,
    Clinician,
    Consultation,
    ConsultationItem,
)

CLINICIAN_ROLE = "clinician"


@dataclass(frozen=True)
class Member:
    principal: Principal
    consultation: Consultation
    display_name: str
    #: A participant's role (patient, family, ...) or "clinician".
    role: str
    language: str

    @property
    def consultation_id(self) -> str:
        return self.consultation.consultation_id


def member_of(principal: Principal, consultation_id: str | None) -> Member:
    """The principal as a member of the consultation; `NotFound` / `NotAMember` otherwise.

    A participant's consultation is their own: `consultation_id` may be None or must match.
    """
    if principal.kind == "participant":
        if consultation_id not in (None, principal.consultation_id):
            raise NotFound("no such consultation")
        try:
            standing = participant_standing(principal)
        except Unauthorized:
            raise NotFound("no such consultation") from None
        participant = standing.participant
        return Member(
            principal=principal,
            consultation=standing.consultation,
            display_name=participant.display_name,
            role=participant.role,
            language=participant.language,
        )
    if consultation_id is None:
        raise NotFound("name the consultation ('consultation_id')")
    consultation = _consultation(consultation_id)
    if consultation is None or consultation.clinic_id != principal.clinic_id:
        raise NotFound("no such consultation")
    clinician = _clinician(principal.id)
    language = clinician.language if clinician else "en"
    if clinician is None or not clinician.active or principal.id not in consultation.clinician_ids:
        raise NotAMember(language)
    if consultation.status == ConsultationStatus.CANCELLED:
        raise NotAMember(language)
    return Member(
        principal=principal,
        consultation=consultation,
        display_name=clinician.display_name,
        role=CLINICIAN_ROLE,
        language=language,
    )


def chat_readable_after_end(clinic: Clinic) -> bool:
    """The clinic's choice (`chat_after_end`, default yes): do participants still read the
    chat once the consultation has ended?"""
    return clinic.settings is None or clinic.settings.chat_after_end is not False


def require_readable(member: Member) -> None:
    """A participant reads an ended consultation's chat only if the clinic allows it;
    clinicians always do (it is part of their record of the consultation)."""
    consultation = member.consultation
    if member.principal.kind != "participant" or consultation.status != ConsultationStatus.ENDED:
        return
    try:
        clinic = Clinic.get(consultation.clinic_id)
    except Clinic.DoesNotExist:
        raise NotFound("no such consultation") from None
    if not chat_readable_after_end(clinic):
        raise ChatClosed(member.language)


def _consultation(consultation_id: str) -> Consultation | None:
    try:
        item = ConsultationItem.get(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
    except ConsultationItem.DoesNotExist:
        return None
    return item if isinstance(item, Consultation) else None


def _clinician(clinician_id: str) -> Clinician | None:
    try:
        return Clinician.get(clinician_id)
    except Clinician.DoesNotExist:
        return None
