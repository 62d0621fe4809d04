"""A consultation's participants, for a signed-in clinician: add, change and remove a guest,
and show anyone's personal link on screen as a QR code.

`chalicelib.consultations.roster` and `chalicelib.consultations.screen_links` do the work,
scoped to the clinician's clinic; every route here changes something, so each needs the CSRF header.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.consultations.parsing import new_guest, participant_change
from chalicelib.consultations.request_bodies import NewGuestBody, ParticipantChangeBody
from chalicelib.routes.clinician_api import answer, body_of, participant_body, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.response_bodies import ParticipantAnswer, ShownLinkAnswer
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

PARTICIPANTS = "/api/consultations/{consultation_id}/participants"
PARTICIPANT = PARTICIPANTS + "/{participant_id}"


@operation(
    blueprint,
    "POST",
    PARTICIPANTS,
    summary="Add a guest (family member, interpreter, second professional); at most three.",
    body=NewGuestBody,
    answers={
        201: answer_of("Added.", ParticipantAnswer),
        **errors(400, 401, 403, 404, e409="The consultation is full, cancelled or changed."),
    },
    security=Security.SESSION_AND_CSRF,
)
def add_guest(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    guest = new_guest(body_of(blueprint, NewGuestBody))
    added = services().participants.add_guest(principal, consultation_id, guest)
    return answer(participant_body(added), 201)


@operation(
    blueprint,
    "PATCH",
    PARTICIPANT,
    summary="Change a participant's name, contacts, channels or language (checked as a whole).",
    body=ParticipantChangeBody,
    answers={200: answer_of("Changed.", ParticipantAnswer), **errors(400, 401, 403, 404, 409)},
    security=Security.SESSION_AND_CSRF,
)
def change_participant(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    body = body_of(blueprint, ParticipantChangeBody)
    changed = services().participants.change(
        principal,
        consultation_id,
        participant_id,
        lambda current: participant_change(body, current),
    )
    return answer(participant_body(changed))


@operation(
    blueprint,
    "DELETE",
    PARTICIPANT,
    summary="Remove a guest; their links stop working. The patient cannot be removed (409).",
    answers={204: answer_of("Removed."), **errors(401, 403, 404, 409)},
    security=Security.SESSION_AND_CSRF,
)
def remove_guest(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    services().participants.remove_guest(principal, consultation_id, participant_id)
    return answer(None, 204)


@operation(
    blueprint,
    "POST",
    PARTICIPANT + "/links",
    summary="Issue a new personal link to show on screen, with its QR code (audited). Links "
    "already sent keep working.",
    answers={
        201: answer_of("The link, its QR code and its access code if needed.", ShownLinkAnswer),
        **errors(401, 403, 404, e409="The consultation is cancelled or has ended."),
    },
    security=Security.SESSION_AND_CSRF,
)
def show_link(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    link = services().screen_links.issue(principal, consultation_id, participant_id)
    shown = ShownLinkAnswer(
        url=link.url,
        qr_svg=link.qr_svg,
        access_code=link.access_code,
        expires_at=link.not_after.isoformat(),
    )
    return answer(shown, 201)
