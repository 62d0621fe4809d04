"""Clinician sign-in: ask for an emailed link, spend it for a session, who am I, sign out.

`chalicelib.auth.magic_links`, `chalicelib.auth.clinician_sessions`,
`chalicelib.auth.recent_devices` and `chalicelib.routes.clinician_auth` do the work; these
routes translate requests and answers. A successful sign-in also sets the recent-device
cookie (`vestibule_device`: HttpOnly, SameSite=Strict, 90 days, sent only to
`/api/clinician`), which lets this browser ask for her link whatever strangers do.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.auth import recent_devices
from chalicelib.auth.clinician_sessions import csrf_token_of
from chalicelib.auth.principals import Principal
from chalicelib.errors import Unauthorized
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

DEVICE_COOKIE = "vestibule_device"
#: Sent to the sign-in routes only (asking for a link, starting a session), not the rest.
DEVICE_COOKIE_PATH = "/api/clinician"


@blueprint.route("/api/clinician/sign-in-links", methods=["POST"])
def request_sign_in_link() -> Response:
    request = blueprint.current_request
    email = required_text(json_object(request), "email")
    source_ip = (request.context.get("identity") or {}).get("sourceIp") or "unknown"
    device_token = session_token_of(request, DEVICE_COOKIE)
    services().magic_links.request(email, source_ip=source_ip, device_token=device_token)
    return Response(body={"status": "sent_if_known"}, status_code=202, headers=NO_STORE)


@blueprint.route("/api/clinician/sessions", methods=["POST"])
def start_session() -> Response:
    request = blueprint.current_request
    token = required_text(json_object(request), "token")
    clinician = services().magic_links.redeem(token)
    started = services().sessions.start(clinician)
    device_token = services().recent_devices.remember(
        clinician, replacing=session_token_of(request, DEVICE_COOKIE)
    )
    body = {
        "clinician": _clinician_body(clinician),
        "csrf_token": started.csrf_token,
        "expires_in": int(started.lifetime.total_seconds()),
    }
    secure = cookies_secure()
    cookie = session_cookie(started.token, lifetime=started.lifetime, secure=secure)
    device_cookie = session_cookie(
        device_token,
        lifetime=recent_devices.LIFETIME,
        secure=secure,
        name=DEVICE_COOKIE,
        path=DEVICE_COOKIE_PATH,
    )
    headers: Headers = {**NO_STORE, "Set-Cookie": [cookie, device_cookie]}
    return Response(body=body, status_code=201, headers=headers)


@blueprint.route("/api/clinician/session", methods=["GET"])
def who_am_i() -> Response:
    request = blueprint.current_request
    principal = authenticated_clinician(request, services().sessions)
    body = {
        "clinician": _clinician_body(_active(principal)),
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


def _active(principal: Principal) -> Clinician:
    try:
        clinician = Clinician.get(principal.id)
    except Clinician.DoesNotExist:
        raise Unauthorized("the session's clinician no longer exists") from None
    if not clinician.active or clinician.clinic_id != principal.clinic_id:
        raise Unauthorized("the session's clinician is no longer active")
    return clinician


def _clinician_body(clinician: Clinician) -> dict[str, str]:
    return {
        "clinician_id": clinician.clinician_id,
        "clinic_id": clinician.clinic_id,
        "display_name": clinician.display_name,
    }
