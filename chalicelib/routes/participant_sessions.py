"""Participant sessions: a link's token (and access code) for a session; who am I; sign out.

`chalicelib.participants.links` does the work. No route here acts on a GET of a link: the
token only ever arrives in a POST body, sent by the page's script.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.errors import InvalidField, Unauthorized
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.routes.clinician_auth import cleared_cookie, session_cookie, session_token_of
from chalicelib.routes.http_headers import NO_STORE, cookies_secure
from chalicelib.routes.request_body import json_object, required_text
from chalicelib.store.models import Clinic
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/participant-sessions", methods=["POST"])
def start_participant_session() -> Response:
    request = blueprint.current_request
    body = json_object(request)
    token = required_text(body, "token")
    code = body.get("access_code")
    if code is not None and not isinstance(code, str):
        raise InvalidField("access_code", "`access_code` must be a string")
    started = services().participant_links.exchange(
        token, access_code=code, browser_language=request.headers.get("accept-language")
    )
    cookie = session_cookie(
        started.token,
        lifetime=started.lifetime,
        secure=cookies_secure(),
        name=COOKIE_NAME,
    )
    answer = {
        "consultation_id": started.principal.consultation_id,
        "participant_id": started.principal.id,
        "language": started.language,
        "expires_in": int(started.lifetime.total_seconds()),
    }
    return Response(body=answer, status_code=201, headers={**NO_STORE, "Set-Cookie": cookie})


@blueprint.route("/api/participant-session", methods=["GET"])
def who_am_i() -> Response:
    request = blueprint.current_request
    standing = services().participant_links.resume_standing(session_token_of(request, COOKIE_NAME))
    consultation, participant = standing.consultation, standing.participant
    try:
        clinic = Clinic.get(consultation.clinic_id)
    except Clinic.DoesNotExist:
        raise Unauthorized("the session's clinic no longer exists") from None
    answer = {
        "consultation_id": consultation.consultation_id,
        "participant_id": participant.participant_id,
        "role": participant.role,
        "language": participant.language,
        "clinic_name": clinic.name,
        "starts_at": consultation.starts_at.isoformat() if consultation.starts_at else None,
    }
    return Response(body=answer, status_code=200, headers=NO_STORE)


@blueprint.route("/api/participant-session", methods=["DELETE"])
def sign_out() -> Response:
    request = blueprint.current_request
    services().participant_links.end_session(session_token_of(request, COOKIE_NAME))
    cookie = cleared_cookie(secure=cookies_secure(), name=COOKIE_NAME)
    return Response(body="", status_code=204, headers={**NO_STORE, "Set-Cookie": cookie})
