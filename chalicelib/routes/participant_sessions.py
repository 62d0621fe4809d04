"""Participant sessions: a link's token (and access code) for a session; who am I; sign out.

`chalicelib.participants.links` does the work. No route here acts on a GET of a link: the
token only ever arrives in a POST body, sent by the page's script.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.errors import Unauthorized
from chalicelib.i18n.languages import Language
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.routes.clinician_api import answer
from chalicelib.routes.clinician_auth import cleared_cookie, session_cookie, session_token_of
from chalicelib.routes.http_headers import cookies_secure
from chalicelib.routes.operations import Answer, Security, answer_of, errors, operation
from chalicelib.routes.request_body import decode
from chalicelib.routes.response_bodies import (
    LinkRefusedAnswer,
    ParticipantSessionAnswer,
    ParticipantWhoAmIAnswer,
)
from chalicelib.routes.session_bodies import ParticipantSessionBody
from chalicelib.store.enums import ParticipantRole
from chalicelib.store.models import (
    Clinic,
)
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "POST",
    "/api/participant-sessions",
    summary="Exchange a participant link's token (and access code) for a session (sets the "
    f"`{COOKIE_NAME}` cookie). Refusals carry a `reason` and a localized message.",
    body=ParticipantSessionBody,
    answers={
        201: answer_of("The participant's session has started.", ParticipantSessionAnswer),
        **errors(400),
        401: Answer("An access code is required or wrong.", LinkRefusedAnswer),
        404: Answer("The link is unknown (message in the browser's language).", LinkRefusedAnswer),
        410: Answer("The consultation has ended or was cancelled.", LinkRefusedAnswer),
        429: Answer("Five wrong codes locked the link: wait `Retry-After`.", LinkRefusedAnswer),
    },
    security=Security.PUBLIC,
)
def start_participant_session() -> Response:
    request = blueprint.current_request
    body = decode(request, ParticipantSessionBody)
    started = services().participant_links.exchange(
        body.token.strip(),
        access_code=body.access_code,
        browser_language=request.headers.get("accept-language"),
    )
    services().waiting_room.link_opened(started.principal)
    cookie = session_cookie(
        started.token,
        lifetime=started.lifetime,
        secure=cookies_secure(),
        name=COOKIE_NAME,
    )
    session = ParticipantSessionAnswer(
        consultation_id=started.principal.consultation_id or "",
        participant_id=started.principal.id,
        language=Language(started.language),
        expires_in=int(started.lifetime.total_seconds()),
    )
    return answer(session, 201, headers={"Set-Cookie": cookie})


@operation(
    blueprint,
    "GET",
    "/api/participant-session",
    summary="Who the participant is: their consultation, role, language, clinic and start time.",
    answers={200: answer_of("The participant.", ParticipantWhoAmIAnswer), **errors(401)},
    security=Security.PARTICIPANT,
)
def who_am_i() -> Response:
    request = blueprint.current_request
    standing = services().participant_links.resume_standing(session_token_of(request, COOKIE_NAME))
    consultation, participant = standing.consultation, standing.participant
    try:
        clinic = Clinic.get(consultation.clinic_id)
    except Clinic.DoesNotExist:
        raise Unauthorized("the session's clinic no longer exists") from None
    who = ParticipantWhoAmIAnswer(
        consultation_id=consultation.consultation_id,
        participant_id=participant.participant_id,
        role=ParticipantRole(participant.role),
        language=Language(participant.language),
        clinic_name=clinic.name,
        starts_at=consultation.starts_at.isoformat() if consultation.starts_at else None,
    )
    return answer(who)


@operation(
    blueprint,
    "DELETE",
    "/api/participant-session",
    summary="Sign out: the participant's session ends and its cookie is cleared (the link "
    "still works).",
    answers={204: answer_of("Signed out."), **errors(401)},
    security=Security.PARTICIPANT,
)
def sign_out() -> Response:
    request = blueprint.current_request
    services().participant_links.end_session(session_token_of(request, COOKIE_NAME))
    cookie = cleared_cookie(secure=cookies_secure(), name=COOKIE_NAME)
    return answer(None, 204, headers={"Set-Cookie": cookie})
