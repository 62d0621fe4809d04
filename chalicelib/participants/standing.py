"""Whether a participant may still act: checked each time a session or ticket is resumed.

A participant session (or a websocket ticket issued from one) names one participant of one
consultation. It stops working as soon as the consultation is cancelled or deleted, or the
participant is removed (a guest taken off the consultation), not only when its own time runs
out. The check costs one BatchGetItem of the consultation and the participant (both in the
consultation's partition): 1 RCU, eventually consistent, one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.auth.principals import Principal
from chalicelib.errors import Unauthorized
from chalicelib.store.enums import ConsultationStatus
from chalicelib.store.models import (
    CONSULTATION_SK,
    Consultation,
    ConsultationItem,
    Participant,
)

CANCELLED = ConsultationStatus.CANCELLED


@dataclass(frozen=True)
class ParticipantStanding:
    principal: Principal
    consultation: Consultation
    participant: Participant


def participant_standing(principal: Principal) -> ParticipantStanding:
    """The participant's consultation and record, both still live; `Unauthorized` otherwise."""
    if principal.kind != "participant" or principal.consultation_id is None:
        raise Unauthorized("the session does not belong to a participant")
    partition = ConsultationItem.partition(principal.consultation_id)
    keys = [(partition, CONSULTATION_SK), (partition, Participant.sort_key(principal.id))]
    found = list(ConsultationItem.batch_get(keys))
    consultation = next((item for item in found if isinstance(item, Consultation)), None)
    participant = next((item for item in found if isinstance(item, Participant)), None)
    if consultation is None or participant is None:
        raise Unauthorized("the session's consultation or participant no longer exists")
    if consultation.clinic_id != principal.clinic_id:
        raise Unauthorized("the session's consultation no longer exists")
    if consultation.status == CANCELLED:
        raise Unauthorized("the consultation has been cancelled")
    return ParticipantStanding(principal, consultation, participant)
