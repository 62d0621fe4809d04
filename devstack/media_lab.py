"""The media lab: try a call through the local stack's media worker from two browser tabs.

`/dev/media` is a developer page that joins the call of a demo consultation with the web
UI's own modules (`web/shared/realtime.js`, `web/shared/media/call-session.js`). It asks
`POST /dev/media/ticket` for a websocket ticket of a new test participant (or, when the
page reconnects, of the participant it names); that route exists only in the local stack,
creates the demo consultation when it is missing (already started: its first call rung),
and records the test participant as a guest who accepted the call (a ticket's holder must
be a participant of the consultation when the ticket is redeemed, and only a participant
in the call passes the media gate, `chalicelib.call.seats`).
The browser tests drive the same page.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from aiohttp import web
from pynamodb.exceptions import PutError

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.store.enums import JoinWith, ParticipantRole, Presence
from chalicelib.store.models import (
    CONSULTATION_SK,
    Consultation,
    ConsultationItem,
    Participant,
    day_key,
)
from devstack import demo

DEFAULT_CONSULTATION = "demo-call"
_MAX_ID_CHARS = 64


def routes(websocket_url: str) -> list[web.RouteDef]:
    async def ticket(request: web.Request) -> web.Response:
        payload = await request.json() if request.can_read_body else {}
        consultation_id = _lab_id(payload, "consultation_id") or DEFAULT_CONSULTATION
        participant_id = _lab_id(payload, "participant_id") or f"lab-{uuid.uuid4().hex[:8]}"
        ensure_consultation(consultation_id, datetime.now(UTC))
        record_participant(consultation_id, participant_id)
        principal = Principal(
            kind="participant",
            id=participant_id,
            clinic_id=demo.CLINIC_ID,
            consultation_id=consultation_id,
        )
        return web.json_response(
            {
                "ticket": wiring.services().tickets.issue(principal),
                "participant_id": participant_id,
                "consultation_id": consultation_id,
                "websocket_url": websocket_url,
            },
            headers={"Cache-Control": "no-store"},
        )

    return [web.post("/dev/media/ticket", ticket)]


def _lab_id(payload: dict[str, object], field: str) -> str | None:
    """The id `payload` names in `field`, if any: letters, digits and dashes only."""
    value = str(payload.get(field) or "")
    if not value:
        return None
    if len(value) > _MAX_ID_CHARS or not value.replace("-", "").isalnum():
        raise web.HTTPBadRequest(text=f"{field}: letters, digits and dashes only")
    return value


def ensure_consultation(consultation_id: str, now: datetime) -> None:
    """Create a demo consultation starting now, unless it exists."""
    consultation = Consultation(
        pk=ConsultationItem.partition(consultation_id),
        sk=CONSULTATION_SK,
        consultation_id=consultation_id,
        clinic_id=demo.CLINIC_ID,
        clinic_day=day_key(demo.CLINIC_ID, now.date()),
        starts_at=now,
        time_zone=demo.CLINIC_TIME_ZONE,
        duration_minutes=30,
        language=demo.CLINIC_LANGUAGE,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=1),
        call_number=1,
        call_mode=JoinWith.VIDEO.value,
        started_at=now,
        call_started_at=now,
    )
    try:
        consultation.save(condition=ConsultationItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def record_participant(consultation_id: str, participant_id: str) -> None:
    """The lab's test participant, as a guest of the demo consultation who accepted its
    call (the lab skips the ringing)."""
    Participant(
        pk=ConsultationItem.partition(consultation_id),
        sk=Participant.sort_key(participant_id),
        consultation_id=consultation_id,
        participant_id=participant_id,
        role=ParticipantRole.PROFESSIONAL,
        display_name="Media lab",
        language=demo.CLINIC_LANGUAGE,
        presence=Presence.IN_CALL.value,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    ).save()
