"""A clinician's waiting-room actions: Start (call them in), "running late", "seen".

`chalicelib.waiting_room.clinic_actions` does the work, scoped to the clinician's clinic.
"""

from __future__ import annotations

import msgspec
from chalice import Blueprint, Response

from chalicelib.routes.clinician_api import answer, body_of, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.waiting_room_bodies import (
    DelayAnswer,
    DelayBody,
    DelayCreatedAnswer,
    StartAnswer,
    StartBody,
)
from chalicelib.store.enums import JoinWith
from chalicelib.waiting_room import frames
from chalicelib.waiting_room.ringing import Ring
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

CONSULTATION = "/api/consultations/{consultation_id}"
NOT_SCHEDULED = "The consultation is not scheduled, or changed meanwhile: reload it."


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/start",
    summary="Start: ring the waiting participants (all, or those named) in video or audio; "
    "those who asked, or all rung with `text`, are texted their link once per call.",
    body=StartBody,
    body_required=False,
    answers={
        200: answer_of("Rung.", StartAnswer),
        **errors(
            400,
            401,
            403,
            404,
            e409=NOT_SCHEDULED + " `not_waiting`: a named participant is not waiting.",
        ),
    },
    security=Security.SESSION_AND_CSRF,
)
def start(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    raw = blueprint.current_request.raw_body
    body = body_of(blueprint, StartBody) if raw and raw.strip() else StartBody()
    ring = Ring(
        mode=JoinWith(body.mode),
        participant_ids=None if body.participant_ids is None else tuple(body.participant_ids),
        text=body.text,
    )
    called = services().clinic_actions.start(principal, consultation_id, ring)
    return answer(
        StartAnswer(
            call_number=called.call_number,
            texted=called.texted,
            rung=called.rung,
            mode=JoinWith(called.mode),
        )
    )


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/delay",
    summary="Running late: shown at once in the waiting room, one message per participant.",
    body=DelayBody,
    answers={
        201: answer_of("Announced.", DelayCreatedAnswer),
        **errors(400, 401, 403, 404, e409=NOT_SCHEDULED),
    },
    security=Security.SESSION_AND_CSRF,
)
def delay(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    body = body_of(blueprint, DelayBody)
    text = body.text.strip() if body.text and body.text.strip() else None
    announced = services().clinic_actions.announce_delay(
        principal, consultation_id, body.minutes, text
    )
    shown = msgspec.convert(frames.delay_json(announced), DelayAnswer)
    return answer(DelayCreatedAnswer(delay=shown), 201)


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/seen",
    summary="The clinician opened the consultation: the late notices stop.",
    answers={204: answer_of("Noted."), **errors(401, 403, 404)},
    security=Security.SESSION_AND_CSRF,
)
def seen(consultation_id: str) -> Response:
    services().clinic_actions.seen(signed_in(blueprint), consultation_id)
    return answer(None, 204)
