"""When a participant may join, and which step of the patient page they have reached.

Joining opens the clinic's `join_opens_minutes_before` (10 by default) before the
appointment; the device check may run any time before that. A consultation is over
("ended") once a clinician ended it (status `ended`, `chalicelib.call.ending`) or its links
stop working (its planned end plus the clinic's grace,
`chalicelib.participants.links.link_end`), or "cancelled".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from chalicelib.participants.links import link_end
from chalicelib.store.enums import CallAnswer, ConsultationStatus, Presence
from chalicelib.store.models import Clinic, Consultation, Participant

RoomStatus = Literal["scheduled", "cancelled", "ended"]
Step = Literal["terms", "device_check", "waiting", "call", "ended", "cancelled"]


def join_opens_at(consultation: Consultation, clinic: Clinic) -> datetime:
    starts_at = _start(consultation)
    return starts_at - timedelta(minutes=int(clinic.settings.join_opens_minutes_before))


def room_status(consultation: Consultation, clinic: Clinic, now: datetime) -> RoomStatus:
    if consultation.status == ConsultationStatus.CANCELLED:
        return "cancelled"
    if consultation.status == ConsultationStatus.ENDED:
        return "ended"
    if now >= link_end(consultation, clinic):
        return "ended"
    return "scheduled"


def joining_open(consultation: Consultation, clinic: Clinic, now: datetime) -> bool:
    return room_status(consultation, clinic, now) == "scheduled" and now >= join_opens_at(
        consultation, clinic
    )


def terms_accepted(participant: Participant, clinic: Clinic) -> bool:
    """Accepted iff the participant's last accepted version is the clinic's current one."""
    accepted = participant.accepted_terms_version
    return accepted is not None and int(accepted) == int(clinic.terms_version or 0)


def step(
    consultation: Consultation, participant: Participant, clinic: Clinic, now: datetime
) -> Step:
    """The step the page shows: the furthest reached, terms again when they changed."""
    status = room_status(consultation, clinic, now)
    if status != "scheduled":
        return status
    if not terms_accepted(participant, clinic):
        return "terms"
    presence = participant.presence
    if presence == Presence.IN_CALL or (
        presence == Presence.WAITING and ringing(consultation, participant)
    ):
        return "call"
    if presence == Presence.WAITING:
        return "waiting"
    return "device_check"


def ringing(consultation: Consultation, participant: Participant) -> bool:
    """The current call rings this participant, and they have not declined it."""
    number = int(consultation.call_number or 0)
    if number == 0 or participant.participant_id not in consultation.call_rung:
        return False
    declined = participant.call_answer == CallAnswer.DECLINE
    return not (declined and int(participant.call_answer_number or 0) == number)


def _start(consultation: Consultation) -> datetime:
    if consultation.starts_at is None:
        raise ValueError("a consultation in a waiting room has a start time")
    return consultation.starts_at
