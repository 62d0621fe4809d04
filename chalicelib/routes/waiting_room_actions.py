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
)
from chalicelib.waiting_room import frames
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

CONSULTATION = "/api/consultations/{consultation_id}"
NOT_SCHEDULED = "The consultation is not scheduled, or changed meanwhile: reload it."


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/start",
    summary="Start: call the waiting participants in; those who asked are texted their link "
    "once per call.",
    answers={
        200: answer_of("Called.", StartAnswer),
        **errors(401, 403, 404, e409=NOT_SCHEDULED),
    },
    security=Security.SESSION_AND_CSRF,
)
def start(consultation_id: str) -> Response:
    called = services().clinic_actions.start(signed_in(blueprint), consultation_id)
    return answer(StartAnswer(call_number=called.call_number, texted=called.texted))


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
