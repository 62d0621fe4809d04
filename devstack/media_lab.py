"""The media lab: try a call through the local stack's media worker from two browser tabs.

`/dev/media` is a developer page that joins the call of a demo consultation with the web
UI's own modules (`web/js/realtime.js`, `web/js/media/call_session.js`). It asks
`POST /dev/media/ticket` for a websocket ticket of a new test participant; that route
exists only in the local stack and creates the demo consultation when it is missing, and
records the test participant as a guest (a ticket's holder must be a participant of the
consultation when the ticket is redeemed).
The browser tests drive the same page.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from aiohttp import web
from pynamodb.exceptions import PutError

from chalicelib import wiring
from chalicelib.auth.principals import Principal
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
        consultation_id = str(payload.get("consultation_id") or DEFAULT_CONSULTATION)
        if len(consultation_id) > _MAX_ID_CHARS or not consultation_id.replace("-", "").isalnum():
            raise web.HTTPBadRequest(text="consultation_id: letters, digits and dashes only")
        ensure_consultation(consultation_id, datetime.now(UTC))
        participant_id = f"lab-{uuid.uuid4().hex[:8]}"
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
    )
    try:
        consultation.save(condition=ConsultationItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def record_participant(consultation_id: str, participant_id: str) -> None:
    """The lab's test participant, as a guest of the demo consultation."""
    Participant(
        pk=ConsultationItem.partition(consultation_id),
        sk=Participant.sort_key(participant_id),
        consultation_id=consultation_id,
        participant_id=participant_id,
        role="guest",
        display_name="Media lab",
        language=demo.CLINIC_LANGUAGE,
    ).save()
