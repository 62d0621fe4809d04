"""A consultation's participants, for a signed-in clinician: add, change and remove a guest,
and show anyone's personal link on screen as a QR code.

`chalicelib.consultations.roster` and `chalicelib.consultations.screen_links` do the work,
scoped to the clinician's clinic; every route here changes something, so each needs the CSRF header.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.consultations.parsing import new_guest, participant_change
from chalicelib.routes.clinician_api import answer, body_of, iso, participant_body, signed_in
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

PARTICIPANTS = "/api/consultations/{consultation_id}/participants"
PARTICIPANT = PARTICIPANTS + "/{participant_id}"


@blueprint.route(PARTICIPANTS, methods=["POST"])
def add_guest(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    guest = new_guest(body_of(blueprint))
    added = services().participants.add_guest(principal, consultation_id, guest)
    return answer(participant_body(added), 201)


@blueprint.route(PARTICIPANT, methods=["PATCH"])
def change_participant(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    body = body_of(blueprint)
    changed = services().participants.change(
        principal,
        consultation_id,
        participant_id,
        lambda current: participant_change(body, current),
    )
    return answer(participant_body(changed))


@blueprint.route(PARTICIPANT, methods=["DELETE"])
def remove_guest(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    services().participants.remove_guest(principal, consultation_id, participant_id)
    return answer(None, 204)


@blueprint.route(PARTICIPANT + "/links", methods=["POST"])
def show_link(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    link = services().screen_links.issue(principal, consultation_id, participant_id)
    body = {
        "url": link.url,
        "qr_svg": link.qr_svg,
        "access_code": link.access_code,
        "expires_at": iso(link.not_after),
    }
    return answer(body, 201)
