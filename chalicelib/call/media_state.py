"""What each call member sends, shown to everyone: microphone, camera, privacy pause.

    call.media {audio, video, paused, consultation_id?} → call.media.saved {audio, video, paused};
        the other members get call.media {consultation_id, member: {kind, id}, audio, video, paused}
    call.state {consultation_id?} → call.state {consultation_id, call_number, mode, members}

The state is stored on the member's own item (the participant, or the clinician's
assignment: one UpdateItem), so `call.state` gives a late joiner or a reconnected page
everyone in the call now (the visit record's open stretches, one Query) with their name,
role and media state (one BatchGetItem, plus one for the clinicians' names).
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.call import frames, visits
from chalicelib.call.audience import CallAudience
from chalicelib.call.seats import CLINICIAN, PARTICIPANT, Seat, member_id, require_in_call
from chalicelib.clock import Clock
from chalicelib.errors import InvalidField, NotFound
from chalicelib.store.models import (
    CallMedia,
    CallVisit,
    Clinician,
    ClinicianAssignment,
    ConsultationItem,
    Participant,
)

CLINICIAN_ROLE = "clinician"


class MediaStates:
    def __init__(self, *, clock: Clock, audience: CallAudience) -> None:
        self._clock = clock
        self._audience = audience

    def set(self, seat: Seat, data: dict[str, Any], connection_id: str) -> dict[str, bool]:
        require_in_call(seat)
        media = {field: _flag(data, field) for field in ("audio", "video", "paused")}
        stored = CallMedia(**media, at=self._clock.now())  # type: ignore[no-untyped-call]
        pk, sk = seat.item_key()
        item, action = (
            (Participant(pk, sk), Participant.call_media.set(stored))
            if seat.kind == PARTICIPANT
            else (ClinicianAssignment(pk, sk), ClinicianAssignment.call_media.set(stored))
        )
        try:
            item.update(actions=[action], condition=ConsultationItem.sk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("you are no longer a member of this consultation") from None
            raise
        self._audience.to_members(
            seat.consultation,
            frames.media_frame(seat.consultation_id, seat.kind, seat.id, media),
            excluding=connection_id,
        )
        return media

    def state(self, seat: Seat) -> dict[str, Any]:
        consultation = seat.consultation
        present = visits.in_call_now(seat.consultation_id)
        return {
            "consultation_id": seat.consultation_id,
            "call_number": int(consultation.call_number or 0),
            "mode": consultation.call_mode,
            "members": _members(consultation.pk, present),
        }


def _members(pk: str, present: list[CallVisit]) -> list[dict[str, Any]]:
    if not present:
        return []
    keys = [
        (pk, Participant.sort_key(v.member_id))
        if v.member_kind == PARTICIPANT
        else (pk, ClinicianAssignment.sort_key(v.member_id))
        for v in present
    ]
    items = {
        (_kind(item), _id(item)): item
        for item in ConsultationItem.batch_get(keys)
        if isinstance(item, Participant | ClinicianAssignment)
    }
    clinician_ids = [v.member_id for v in present if v.member_kind == CLINICIAN]
    names = (
        {c.clinician_id: c.display_name for c in Clinician.batch_get(clinician_ids)}
        if clinician_ids
        else {}
    )
    members = []
    for visit in present:
        item = items.get((visit.member_kind, visit.member_id))
        if item is None:
            continue
        media = item.call_media
        shown = (
            frames.media_json(bool(media.audio), bool(media.video), bool(media.paused))
            if media is not None
            else frames.media_json(True, True, False)
        )
        members.append(
            {
                "kind": visit.member_kind,
                "id": visit.member_id,
                "member_id": member_id(visit.member_kind, visit.member_id),
                "display_name": (
                    item.display_name
                    if isinstance(item, Participant)
                    else names.get(visit.member_id, "")
                ),
                "role": item.role if isinstance(item, Participant) else CLINICIAN_ROLE,
                "joined_at": visit.joined_at.isoformat() if visit.joined_at else None,
                **shown,
            }
        )
    return members


def _kind(item: ConsultationItem) -> str:
    return PARTICIPANT if isinstance(item, Participant) else CLINICIAN


def _id(item: ConsultationItem) -> str:
    if isinstance(item, Participant):
        return str(item.participant_id)
    assert isinstance(item, ClinicianAssignment)
    return str(item.clinician_id)


def _flag(data: dict[str, Any], field: str) -> bool:
    value = data.get(field)
    if not isinstance(value, bool):
        raise InvalidField(field, f"'{field}' must be true or false")
    return value
