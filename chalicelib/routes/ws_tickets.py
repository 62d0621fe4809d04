"""`POST /api/ws-tickets`: a single-use websocket ticket for the signed-in clinician."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.auth.tickets import TICKET_LIFETIME
from chalicelib.routes.clinician_api import answer, signed_in
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
    security=Security.SESSION_AND_CSRF,
)
def issue_ticket() -> Response:
    ticket = services().tickets.issue(signed_in(blueprint))
    return answer(TicketAnswer(ticket=ticket, expires_in=int(TICKET_LIFETIME.total_seconds())), 201)
