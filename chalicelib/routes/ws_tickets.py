"""`POST /api/ws-tickets`: a single-use websocket ticket for a signed-in clinician, or for a
participant with a session (the participant cookie, when no clinician cookie is sent).

Both sessions are resumed by the domain, which refuses a deactivated clinician and a
participant of a cancelled consultation; the ticket is checked again when redeemed.
"""

from __future__ import annotations

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.auth.principals import Principal
from chalicelib.auth.tickets import TICKET_LIFETIME
from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.routes.clinician_auth import authenticated_clinician, session_token_of
from chalicelib.routes.http_headers import NO_STORE
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/ws-tickets", methods=["POST"])
def issue_ticket() -> Response:
    principal = _ticket_holder(blueprint.current_request)
    ticket = services().tickets.issue(principal)
    body = {"ticket": ticket, "expires_in": int(TICKET_LIFETIME.total_seconds())}
    return Response(body=body, status_code=201, headers=NO_STORE)


def _ticket_holder(request: Request) -> Principal:
    participant_token = session_token_of(request, PARTICIPANT_COOKIE)
    if session_token_of(request) is None and participant_token is not None:
        return services().participant_links.resume(participant_token)
    return authenticated_clinician(request, services().sessions)
