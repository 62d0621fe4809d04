"""Clinician sign-in: ask for an emailed link, spend it for a session, who am I, sign out.

`chalicelib.auth.magic_links`, `chalicelib.auth.clinician_sessions` and
`chalicelib.routes.clinician_auth` do the work; these routes translate requests and answers.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.auth.clinician_sessions import csrf_token_of
from chalicelib.routes.clinician_auth import (
    authenticated_clinician,
    cleared_cookie,
    session_cookie,
    session_token_of,
)
from chalicelib.routes.http_headers import NO_STORE, Headers, cookies_secure
from chalicelib.routes.request_body import json_object, required_text
from chalicelib.store.models import Clinician
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/clinician/sign-in-links", methods=["POST"])
def request_sign_in_link() -> Response:
    request = blueprint.current_request
    email = required_text(json_object(request), "email")
    source_ip = (request.context.get("identity") or {}).get("sourceIp") or "unknown"
    services().magic_links.request(email, source_ip=source_ip)
    return Response(body={"status": "sent_if_known"}, status_code=202, headers=NO_STORE)


@blueprint.route("/api/clinician/sessions", methods=["POST"])
def start_session() -> Response:
    token = required_text(json_object(blueprint.current_request), "token")
    clinician = services().magic_links.redeem(token)
    started = services().sessions.start(clinician)
    body = {
        "clinician": _clinician_body(clinician),
        "csrf_token": started.csrf_token,
        "expires_in": int(started.lifetime.total_seconds()),
    }
    cookie = session_cookie(started.token, lifetime=started.lifetime, secure=cookies_secure())
    headers: Headers = {**NO_STORE, "Set-Cookie": cookie}
    return Response(body=body, status_code=201, headers=headers)


@blueprint.route("/api/clinician/session", methods=["GET"])
def who_am_i() -> Response:
    request = blueprint.current_request
    clinician = services().sessions.resume_clinician(session_token_of(request))
    body = {
        "clinician": _clinician_body(clinician),
        "csrf_token": csrf_token_of(session_token_of(request) or ""),
    }
    return Response(body=body, status_code=200, headers=NO_STORE)


@blueprint.route("/api/clinician/session", methods=["DELETE"])
def sign_out() -> Response:
    request = blueprint.current_request
    authenticated_clinician(request, services().sessions)
    services().sessions.end(session_token_of(request) or "")
    headers: Headers = {**NO_STORE, "Set-Cookie": cleared_cookie(secure=cookies_secure())}
    return Response(body="", status_code=204, headers=headers)


def _clinician_body(clinician: Clinician) -> dict[str, str]:
    return {
        "clinician_id": clinician.clinician_id,
        "clinic_id": clinician.clinic_id,
        "display_name": clinician.display_name,
    }
