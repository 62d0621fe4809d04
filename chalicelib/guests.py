"""Guests of a consultation: a family member, an interpreter or a second professional.

A consultation has its patient plus at most `MAX_PARTICIPANTS - 1` guests. Adding one is a
single transaction: the consultation's `guest_count` goes up by one under the condition that
it is below the limit and the consultation is not cancelled, and the guest's `Participant`
item is put; two clinicians adding the fourth guest at once cannot both succeed. A full
consultation is `Conflict` (409). Scoped by the clinician's principal: another clinic's
consultation is `NotFound`, like one that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import i18n
from chalicelib.errors import Conflict, InvalidField, NotFound
from chalicelib.models import (
    CONSULTATION_SK,
    MAX_PARTICIPANTS,
    Consultation,
    ConsultationItem,
    Participant,
)
from chalicelib.principals import Principal

GUEST_ROLES = ("family", "interpreter", "professional")
MAX_GUESTS = MAX_PARTICIPANTS - 1


@dataclass(frozen=True, kw_only=True)
class NewGuest:
    display_name: str
    role: str
    language: str
    phone: str | None = None
    email: str | None = None


def add_guest(
    principal: Principal, consultation_id: str, guest: NewGuest, *, region: str
) -> Participant:
    """Add `guest` to the consultation; `Conflict` when it already has four participants."""
    if guest.role not in GUEST_ROLES:
        raise InvalidField("role", f"role must be one of {', '.join(GUEST_ROLES)}")
    if not guest.phone and not guest.email:
        raise InvalidField("phone", "a guest needs a phone number or an email address")
    consultation = _consultation_of(principal, consultation_id)
    participant_id = uuid.uuid4().hex
    item = Participant(
        pk=consultation.pk,
        sk=Participant.sort_key(participant_id),
        consultation_id=consultation_id,
        participant_id=participant_id,
        role=guest.role,
        display_name=guest.display_name,
        phone=guest.phone,
        email=guest.email,
        language=i18n.supported(guest.language),
        channels=[
            channel for channel, value in (("sms", guest.phone), ("email", guest.email)) if value
        ],
        expires_at=consultation.expires_at,
    )
    try:
        with TransactWrite(connection=Connection(region=region)) as transaction:
            transaction.update(
                consultation,
                actions=[Consultation.guest_count.add(1)],
                condition=(
                    (
                        Consultation.guest_count.does_not_exist()
                        | (Consultation.guest_count < MAX_GUESTS)
                    )
                    & (Consultation.status != "cancelled")
                ),
            )
            transaction.save(item, condition=Participant.sk.does_not_exist())
    except TransactWriteError as error:
        reasons = {reason.code for reason in error.cancellation_reasons if reason}
        if "ConditionalCheckFailed" not in reasons:
            raise
        raise Conflict(
            f"a consultation has at most {MAX_PARTICIPANTS} participants, or it was cancelled"
        ) from None
    return item


def _consultation_of(principal: Principal, consultation_id: str) -> Consultation:
    try:
        consultation = Consultation.get(
            ConsultationItem.partition(consultation_id), CONSULTATION_SK
        )
    except Consultation.DoesNotExist:
        raise NotFound("no such consultation") from None
    if principal.kind != "clinician" or consultation.clinic_id != principal.clinic_id:
        raise NotFound("no such consultation")
    return consultation
