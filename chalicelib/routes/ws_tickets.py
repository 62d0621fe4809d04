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
from chalicelib.routes.clinician_api import answer
from chalicelib.routes.clinician_auth import authenticated_clinician, session_token_of
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.response_bodies import TicketAnswer
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "POST",
    "/api/ws-tickets",
    summary="A single-use ticket to open the websocket (`?ticket=...`), valid for a minute.",
    answers={201: answer_of("The ticket.", TicketAnswer), **errors(401, 403)},
    security=Security.SESSION_AND_CSRF_OR_PARTICIPANT,
)
def issue_ticket() -> Response:
    ticket = services().tickets.issue(_ticket_holder(blueprint.current_request))
    return answer(TicketAnswer(ticket=ticket, expires_in=int(TICKET_LIFETIME.total_seconds())), 201)


def _ticket_holder(request: Request) -> Principal:
    participant_token = session_token_of(request, PARTICIPANT_COOKIE)
    if session_token_of(request) is None and participant_token is not None:
        return services().participant_links.resume(participant_token)
    return authenticated_clinician(request, services().sessions)
