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
from chalicelib.routes.clinician_api import answer
from chalicelib.routes.clinician_auth import (
    authenticated_clinician,
    cleared_cookie,
    session_cookie,
    session_token_of,
)
from chalicelib.routes.http_headers import cookies_secure
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.request_body import decode
from chalicelib.routes.response_bodies import (
    ClinicianAnswer,
    ClinicianSessionAnswer,
    SignInLinkAnswer,
    WhoAmIAnswer,
)
from chalicelib.routes.session_bodies import ClinicianSessionBody, SignInLinkBody
from chalicelib.store.models import Clinician
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

DEVICE_COOKIE = "vestibule_device"
#: Sent to the sign-in routes only (asking for a link, starting a session), not the rest.
DEVICE_COOKIE_PATH = "/api/clinician"


@operation(
    blueprint,
    "POST",
    "/api/clinician/sign-in-links",
    summary="Email a sign-in link if the address is an active clinician's.",
    body=SignInLinkBody,
    answers={
        202: answer_of("The same answer for every address, known or not.", SignInLinkAnswer),
        **errors(400, 429, 500),
    },
    security=Security.PUBLIC,
)
def request_sign_in_link() -> Response:
    request = blueprint.current_request
    email = decode(request, SignInLinkBody).email.strip()
    source_ip = (request.context.get("identity") or {}).get("sourceIp") or "unknown"
    device_token = session_token_of(request, DEVICE_COOKIE)
    services().magic_links.request(email, source_ip=source_ip, device_token=device_token)
    return answer(SignInLinkAnswer(status="sent_if_known"), 202)


@operation(
    blueprint,
    "POST",
    "/api/clinician/sessions",
    summary="Spend a sign-in link's token for a session (sets the session cookie).",
    body=ClinicianSessionBody,
    answers={201: answer_of("Signed in.", ClinicianSessionAnswer), **errors(400, 401)},
    security=Security.PUBLIC,
)
def start_session() -> Response:
    request = blueprint.current_request
    token = decode(request, ClinicianSessionBody).token.strip()
    clinician = services().magic_links.redeem(token)
    started = services().sessions.start(clinician)
    device_token = services().recent_devices.remember(
        clinician, replacing=session_token_of(request, DEVICE_COOKIE)
    )
    body = ClinicianSessionAnswer(
        clinician=_clinician_body(clinician),
        csrf_token=started.csrf_token,
        expires_in=int(started.lifetime.total_seconds()),
    )
    secure = cookies_secure()
    cookie = session_cookie(started.token, lifetime=started.lifetime, secure=secure)
    device_cookie = session_cookie(
        device_token,
        lifetime=recent_devices.LIFETIME,
        secure=secure,
        name=DEVICE_COOKIE,
        path=DEVICE_COOKIE_PATH,
    )
    return answer(body, 201, headers={"Set-Cookie": [cookie, device_cookie]})


@operation(
    blueprint,
    "GET",
    "/api/clinician/session",
    summary="Who is signed in, and the session's CSRF token.",
    answers={200: answer_of("The signed-in clinician.", WhoAmIAnswer), **errors(401)},
    security=Security.SESSION,
)
def who_am_i() -> Response:
    request = blueprint.current_request
    clinician = services().sessions.resume_clinician(session_token_of(request))
    body = WhoAmIAnswer(
        clinician=_clinician_body(clinician),
        csrf_token=csrf_token_of(session_token_of(request) or ""),
    )
    return answer(body)


@operation(
    blueprint,
    "DELETE",
    "/api/clinician/session",
    summary="Sign out: the session ends and its cookie is cleared.",
    answers={204: answer_of("Signed out."), **errors(401, 403)},
    security=Security.SESSION_AND_CSRF,
)
def sign_out() -> Response:
    request = blueprint.current_request
    authenticated_clinician(request, services().sessions)
    services().sessions.end(session_token_of(request) or "")
    return answer(None, 204, headers={"Set-Cookie": cleared_cookie(secure=cookies_secure())})


def _clinician_body(clinician: Clinician) -> ClinicianAnswer:
    return ClinicianAnswer(
        clinician_id=clinician.clinician_id,
        clinic_id=clinician.clinic_id,
        display_name=clinician.display_name,
    )
