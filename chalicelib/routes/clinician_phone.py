"""The signed-in clinician's own mobile number, for SMS late notices: read, set, remove.

Only the clinician themself reads or changes it (the session's clinician, never an id in
the path). The number is personal data: no log line carries it, and it leaves with the
account (`chalicelib.clinics.staff`).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.clinics import staff
from chalicelib.errors import NotFound
from chalicelib.routes.clinic_settings_bodies import PhoneAnswer, PhoneBody
from chalicelib.routes.clinician_api import answer, body_of, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.store.models import Clinician

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "GET",
    "/api/clinician/phone",
    summary="The signed-in clinician's own mobile number (for SMS late notices), or null.",
    answers={200: answer_of("The number.", PhoneAnswer), **errors(401, 404)},
    security=Security.SESSION,
)
def phone() -> Response:
    principal = signed_in(blueprint)
    try:
        clinician = Clinician.get(principal.id, consistent_read=True)
    except Clinician.DoesNotExist:
        raise NotFound("there is no such clinician") from None
    return answer(PhoneAnswer(phone=clinician.phone))


@operation(
    blueprint,
    "PUT",
    "/api/clinician/phone",
    summary="Set the signed-in clinician's own mobile number (with its country code, "
    "E.164 after normalising); null or an empty string removes it.",
    body=PhoneBody,
    answers={
        200: answer_of("The number as stored.", PhoneAnswer),
        **errors(400, 401, 403, 404),
    },
    security=Security.SESSION_AND_CSRF,
)
def set_phone() -> Response:
    principal = signed_in(blueprint)
    body = body_of(blueprint, PhoneBody)
    return answer(PhoneAnswer(phone=staff.set_phone(principal.id, body.phone)))
