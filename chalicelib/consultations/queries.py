"""The reads that shaped the consultations table, each a single DynamoDB Query.

* `load_waiting_room`: the consultation, its participants and its recent chat, in one
  descending Query of the consultation's partition (see the sort-key order in models.py).
* `clinic_day` / `clinician_day`: a clinic's or a clinician's consultations on a local day,
  in start order, from the two day indexes.
* `due_work`: keys of items whose scheduled work is due, from the sparse due-work index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.errors import NotFound
from chalicelib.store.models import (
    MAX_PARTICIPANTS,
    RECENT_CHAT_MESSAGES,
    ChatMessage,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    Participant,
    day_key,
    due_day_key,
)


@dataclass(frozen=True)
class WaitingRoomSnapshot:
    consultation: Consultation
    participants: list[Participant]
    #: Oldest first, at most `RECENT_CHAT_MESSAGES`.
    recent_chat: list[ChatMessage]


def load_waiting_room(consultation_id: str) -> WaitingRoomSnapshot:
    consultation: Consultation | None = None
    participants: list[Participant] = []
    chat: list[ChatMessage] = []
    items = ConsultationItem.query(
        ConsultationItem.partition(consultation_id),
        scan_index_forward=False,
        limit=MAX_PARTICIPANTS + 1 + RECENT_CHAT_MESSAGES,
        page_size=MAX_PARTICIPANTS + 1 + RECENT_CHAT_MESSAGES,
    )
    for item in items:
        if isinstance(item, Consultation):
            consultation = item
        elif isinstance(item, Participant):
            participants.append(item)
        elif isinstance(item, ChatMessage):
            chat.append(item)
    if consultation is None:
        raise NotFound("no such consultation")
    participants.sort(key=lambda participant: participant.participant_id)
    # With fewer participants than the most, a few more messages fit the Query's limit.
    latest = chat[:RECENT_CHAT_MESSAGES]
    return WaitingRoomSnapshot(consultation, participants, list(reversed(latest)))


def clinic_day(clinic_id: str, day: date) -> list[Consultation]:
    return clinic_day_with_participants(clinic_id, day)[0]


def clinic_day_with_participants(
    clinic_id: str, day: date
) -> tuple[list[Consultation], dict[str, list[Participant]]]:
    """The clinic's consultations on a day and their participants (by consultation id), from
    one Query: participants carry their consultation's `clinic_day` and `starts_at`."""
    consultations: list[Consultation] = []
    participants: dict[str, list[Participant]] = {}
    for item in ConsultationItem.by_clinic_day.query(day_key(clinic_id, day)):
        if isinstance(item, Consultation):
            consultations.append(item)
        elif isinstance(item, Participant):
            participants.setdefault(item.consultation_id, []).append(item)
    for found in participants.values():
        found.sort(key=lambda participant: participant.participant_id)
    return consultations, participants


def clinician_day(clinician_id: str, day: date) -> list[ClinicianAssignment]:
    return [
        item
        for item in ConsultationItem.by_clinician_day.query(day_key(clinician_id, day))
        if isinstance(item, ClinicianAssignment)
    ]


def due_work(now: datetime) -> list[tuple[str, str]]:
    """(pk, sk) of every item due at or before `now`, from today's and yesterday's buckets.

    Yesterday's bucket catches work that fell due just before midnight UTC and was not
    handled yet (the sweeper runs every minute, so older work cannot be pending for long).
    """
    keys: list[tuple[str, str]] = []
    for moment in (now - timedelta(days=1), now):
        for item in ConsultationItem.by_due_work.query(
            due_day_key(moment), ConsultationItem.due_at <= now
        ):
            keys.append((item.pk, item.sk))
    return keys
