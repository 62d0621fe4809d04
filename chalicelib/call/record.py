"""The visit record a clinician reads: when the consultation started and ended, who took
part and for how long (`GET /api/consultations/{id}/visit`). No media is recorded.

One GetItem (the consultation), one Query (the visits), one BatchGetItem (the members'
items) and one BatchGetItem of the clinicians' names. A member still in the call counts
up to now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.auth.principals import Principal
from chalicelib.call import visits
from chalicelib.call.seats import PARTICIPANT
from chalicelib.clock import Clock
from chalicelib.errors import NotFound
from chalicelib.store.models import (
    CONSULTATION_SK,
    Clinician,
    Consultation,
    ConsultationItem,
    Participant,
)

CLINICIAN_ROLE = "clinician"


@dataclass(frozen=True)
class MemberVisit:
    kind: str
    id: str
    display_name: str
    role: str
    first_joined_at: datetime
    last_left_at: datetime | None
    seconds: int
    in_call: bool


@dataclass(frozen=True)
class VisitRecord:
    started_at: datetime | None
    ended_at: datetime | None
    members: list[MemberVisit]


class VisitRecords:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def read(self, principal: Principal, consultation_id: str) -> VisitRecord:
        consultation = _consultation(consultation_id)
        if consultation is None or consultation.clinic_id != principal.clinic_id:
            raise NotFound("no such consultation")
        now = self._clock.now()
        stretches = sorted(visits.visits(consultation_id), key=lambda v: v.first_joined_at)
        participants = {
            p.participant_id: p
            for p in _items(
                consultation.pk, [v.member_id for v in stretches if v.member_kind == PARTICIPANT]
            )
        }
        clinician_ids = [v.member_id for v in stretches if v.member_kind != PARTICIPANT]
        names = (
            {c.clinician_id: c.display_name for c in Clinician.batch_get(clinician_ids)}
            if clinician_ids
            else {}
        )
        members = []
        for visit in stretches:
            open_since = visit.joined_at
            seconds = int(visit.seconds or 0)
            if open_since is not None:
                seconds += max(0, round((now - open_since).total_seconds()))
            who = participants.get(visit.member_id) if visit.member_kind == PARTICIPANT else None
            members.append(
                MemberVisit(
                    kind=visit.member_kind,
                    id=visit.member_id,
                    display_name=(who.display_name if who else names.get(visit.member_id, "")),
                    role=who.role
                    if who
                    else (CLINICIAN_ROLE if visit.member_kind != PARTICIPANT else ""),
                    first_joined_at=visit.first_joined_at,
                    last_left_at=visit.last_left_at,
                    seconds=seconds,
                    in_call=open_since is not None,
                )
            )
        return VisitRecord(consultation.started_at, consultation.ended_at, members)


def _consultation(consultation_id: str) -> Consultation | None:
    try:
        item = ConsultationItem.get(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
    except ConsultationItem.DoesNotExist:
        return None
    return item if isinstance(item, Consultation) else None


def _items(pk: str, participant_ids: list[str]) -> list[Participant]:
    if not participant_ids:
        return []
    keys = [(pk, Participant.sort_key(pid)) for pid in participant_ids]
    return [i for i in ConsultationItem.batch_get(keys) if isinstance(i, Participant)]
