"""`POST /api/ws-tickets`: a single-use websocket ticket for the signed-in clinician."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.auth.tickets import TICKET_LIFETIME
from chalicelib.routes.clinician_auth import authenticated_clinician
from chalicelib.routes.http_headers import NO_STORE
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/ws-tickets", methods=["POST"])
def issue_ticket() -> Response:
    principal = authenticated_clinician(blueprint.current_request, services().sessions)
    ticket = services().tickets.issue(principal)
    body = {"ticket": ticket, "expires_in": int(TICKET_LIFETIME.total_seconds())}
    return Response(body=body, status_code=201, headers=NO_STORE)
