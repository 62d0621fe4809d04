"""The REST API's OpenAPI 3.1 document, written by hand next to the routes it describes.

A test compares the documented operations with the app's routes both ways, so a route added
without its description (or a description left behind) fails the suite.
"""

from __future__ import annotations

from typing import Any

from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.routes.clinician_auth import COOKIE_NAME, CSRF_HEADER

Schema = dict[str, Any]

ERROR = {"$ref": "#/components/schemas/Error"}
CLINICIAN = {"$ref": "#/components/schemas/Clinician"}
SESSION_ONLY: list[dict[str, list[str]]] = [{"session": []}]
SESSION_AND_CSRF: list[dict[str, list[str]]] = [{"session": [], "csrf": []}]


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _object(properties: dict[str, Schema], *, required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _answer(description: str, schema: Schema | None = None) -> Schema:
    return {"description": description, **(_json(schema) if schema is not None else {})}


def _errors(*statuses: int) -> dict[str, Schema]:
    descriptions = {
        400: "The body is not valid JSON or a field is invalid (`error.field` names it).",
        401: "No live session, or the token is unknown, used or expired.",
        403: f"The `{CSRF_HEADER}` header is missing or wrong.",
        429: "Too many requests: wait `Retry-After` seconds.",
        500: "The deployment is misconfigured or something failed on our side.",
        503: "A dependency is unavailable.",
    }
    return {str(status): _answer(descriptions[status], ERROR) for status in statuses}


def _operation(summary: str, responses: dict[str, Schema], **extra: Any) -> Schema:
    return {"summary": summary, "responses": responses, **extra}


STRING = {"type": "string"}
COMPONENTS: Schema = {
    "schemas": {
        "Error": _object(
            {
                "error": _object(
                    {
                        "code": STRING,
                        "message": STRING,
                        "field": STRING,
                        "retry_after": {"type": "integer"},
                    },
                    required=("code", "message"),
                )
            },
            required=("error",),
        ),
        "Clinician": _object(
            {"clinician_id": STRING, "clinic_id": STRING, "display_name": STRING},
            required=("clinician_id", "clinic_id", "display_name"),
        ),
    },
    "securitySchemes": {
        "session": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME},
        "csrf": {"type": "apiKey", "in": "header", "name": CSRF_HEADER},
    },
}

PATHS: Schema = {
    "/api/health": {
        "get": _operation(
            "Whether this deployment can serve (configuration and DynamoDB).",
            {
                "200": _answer("Healthy.", _object({"status": STRING, "stage": STRING})),
                "503": _answer("Degraded.", _object({"status": STRING, "stage": STRING})),
            },
        )
    },
    "/api/openapi.json": {
        "get": _operation(
            "This document.", {"200": _answer("The OpenAPI document.", {"type": "object"})}
        )
    },
    "/api/clinician/sign-in-links": {
        "post": _operation(
            "Email a sign-in link if the address is an active clinician's.",
            {
                "202": _answer(
                    "The same answer for every address, known or not.",
                    _object({"status": {"const": "sent_if_known"}}, required=("status",)),
                ),
                **_errors(400, 429, 500),
            },
            requestBody={
                "required": True,
                **_json(
                    _object({"email": {"type": "string", "format": "email"}}, required=("email",))
                ),
            },
        )
    },
    "/api/clinician/sessions": {
        "post": _operation(
            "Spend a sign-in link's token for a session (sets the session cookie).",
            {
                "201": _answer(
                    f"Signed in; the `{COOKIE_NAME}` cookie is set.",
                    _object(
                        {
                            "clinician": CLINICIAN,
                            "csrf_token": STRING,
                            "expires_in": {"type": "integer"},
                        },
                        required=("clinician", "csrf_token", "expires_in"),
                    ),
                ),
                **_errors(400, 401),
            },
            requestBody={
                "required": True,
                **_json(_object({"token": STRING}, required=("token",))),
            },
        )
    },
    "/api/clinician/session": {
        "get": _operation(
            "Who is signed in, and the session's CSRF token.",
            {
                "200": _answer(
                    "The signed-in clinician.",
                    _object(
                        {"clinician": CLINICIAN, "csrf_token": STRING},
                        required=("clinician", "csrf_token"),
                    ),
                ),
                **_errors(401),
            },
            security=SESSION_ONLY,
        ),
        "delete": _operation(
            "Sign out: the session ends and its cookie is cleared.",
            {"204": _answer("Signed out."), **_errors(401, 403)},
            security=SESSION_AND_CSRF,
        ),
    },
    "/api/ws-tickets": {
        "post": _operation(
            "A single-use ticket to open the websocket (`?ticket=...`), valid for a minute.",
            {
                "201": _answer(
                    "The ticket.",
                    _object(
                        {"ticket": STRING, "expires_in": {"type": "integer"}},
                        required=("ticket", "expires_in"),
                    ),
                ),
                **_errors(401, 403),
            },
            security=SESSION_AND_CSRF,
        )
    },
}

# --- consultations (chalicelib.routes.consultations) ------------------------------------

DELIVERY = _object(
    {
        "channel": STRING,
        "purpose": STRING,
        "status": {"enum": ["sending", "sent", "failed"]},
        "attempt": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "reason": {"type": ["string", "null"]},
        "message_id": {"type": ["string", "null"]},
    }
)
CHANNEL = {"enum": ["sms", "email", "whatsapp"]}
LANGUAGE = {"enum": ["en", "fr", "de", "fi"]}
MOMENT = {"type": "string", "format": "date-time"}
DURATION = {"type": "integer", "minimum": 5, "maximum": 240}
ROLE = {"enum": ["patient", "family", "interpreter", "professional"]}
PARTICIPANT = _object(
    {
        "participant_id": STRING,
        "role": ROLE,
        "display_name": STRING,
        "phone": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "language": LANGUAGE,
        "channels": {"type": "array", "items": CHANNEL},
        "presence": STRING,
        "deliveries": {"type": "array", "items": DELIVERY},
    },
    required=("participant_id", "role", "display_name", "channels", "deliveries"),
)
DETAILS: dict[str, Schema] = {
    "display_name": STRING,
    "phone": {"type": ["string", "null"], "description": "International form (+...)."},
    "email": {"type": ["string", "null"], "format": "email"},
    "channels": {"type": "array", "items": CHANNEL, "minItems": 1},
    "language": LANGUAGE,
}
CONSULTATION = _object(
    {
        "consultation_id": STRING,
        "clinic_id": STRING,
        "status": {"enum": ["scheduled", "cancelled"]},
        "starts_at": MOMENT,
        "time_zone": STRING,
        "duration_minutes": {"type": "integer"},
        "language": LANGUAGE,
        "access_code_required": {"type": "boolean"},
        "clinician_ids": {"type": "array", "items": STRING},
        "participants": {"type": "array", "items": PARTICIPANT},
    },
    required=("consultation_id", "status", "starts_at", "participants"),
)
NOT_FOUND = {"404": _answer("No such consultation in the clinician's clinic.", ERROR)}
CONFLICT = {"409": _answer("The consultation is cancelled or changed meanwhile.", ERROR)}
CONSULTATION_ID = {"name": "consultation_id", "in": "path", "required": True, "schema": STRING}
PARTICIPANT_ID = {"name": "participant_id", "in": "path", "required": True, "schema": STRING}


def _body(schema: Schema) -> Schema:
    return {"requestBody": {"required": True, **_json(schema)}}


PATHS["/api/consultations"] = {
    "post": _operation(
        "Schedule a consultation with its patient (one transaction).",
        {"201": _answer("Scheduled.", CONSULTATION), **_errors(400, 401, 403)},
        security=SESSION_AND_CSRF,
        **_body(
            _object(
                {
                    "starts_at": MOMENT,
                    "time_zone": STRING,
                    "duration_minutes": DURATION,
                    "language": LANGUAGE,
                    "clinician_ids": {"type": "array", "items": STRING},
                    "access_code_required": {"type": "boolean"},
                    "patient": _object(DETAILS, required=("display_name", "channels")),
                },
                required=("starts_at", "time_zone", "duration_minutes", "language", "patient"),
            )
        ),
    ),
    "get": _operation(
        "The clinic's (or with `mine=true`, the caller's) consultations on a local day.",
        {
            "200": _answer(
                "In start order.",
                _object(
                    {
                        "consultations": {
                            "type": "array",
                            "items": _object(
                                {
                                    "consultation_id": STRING,
                                    "starts_at": MOMENT,
                                    "duration_minutes": {"type": "integer"},
                                    "status": STRING,
                                    "patient_display_name": {"type": ["string", "null"]},
                                }
                            ),
                        }
                    },
                    required=("consultations",),
                ),
            ),
            **_errors(400, 401),
        },
        security=SESSION_ONLY,
        parameters=[
            {"name": "day", "in": "query", "schema": {"type": "string", "format": "date"}},
            {"name": "mine", "in": "query", "schema": {"type": "boolean"}},
        ],
    ),
}
PATHS["/api/consultations/{consultation_id}"] = {
    "parameters": [CONSULTATION_ID],
    "get": _operation(
        "A consultation, its participants and their delivery outcomes.",
        {"200": _answer("The consultation.", CONSULTATION), **_errors(401), **NOT_FOUND},
        security=SESSION_ONLY,
    ),
    "patch": _operation(
        "Change the time, time zone, duration or language (assignments follow).",
        {
            "200": _answer("Changed.", CONSULTATION),
            **_errors(400, 401, 403),
            **NOT_FOUND,
            **CONFLICT,
        },
        security=SESSION_AND_CSRF,
        **_body(
            _object(
                {
                    "starts_at": MOMENT,
                    "time_zone": STRING,
                    "duration_minutes": DURATION,
                    "language": LANGUAGE,
                }
            )
        ),
    ),
}
PATHS["/api/consultations/{consultation_id}/cancel"] = {
    "parameters": [CONSULTATION_ID],
    "post": _operation(
        "Cancel the consultation (idempotent).",
        {"200": _answer("Cancelled.", CONSULTATION), **_errors(401, 403), **NOT_FOUND},
        security=SESSION_AND_CSRF,
    ),
}
PATHS["/api/consultations/{consultation_id}/participants/{participant_id}/invitations"] = {
    "parameters": [CONSULTATION_ID, PARTICIPANT_ID],
    "post": _operation(
        "Send the participant's invitation on a channel; a retry with the same `attempt` "
        "sends nothing, `resend` sends again.",
        {
            "200": _answer(
                "The outcome (`duplicate`: this attempt was sent before).",
                _object(
                    {
                        "channel": CHANNEL,
                        "purpose": STRING,
                        "attempt": {"type": "integer"},
                        "status": {"enum": ["sent", "failed", "duplicate"]},
                        "reason": {"type": ["string", "null"]},
                        "message_id": {"type": ["string", "null"]},
                    }
                ),
            ),
            **_errors(400, 401, 403, 500),
            **NOT_FOUND,
            **CONFLICT,
        },
        security=SESSION_AND_CSRF,
        **_body(
            _object(
                {
                    "channel": CHANNEL,
                    "resend": {"type": "boolean"},
                    "attempt": {"type": "integer", "minimum": 1, "maximum": 100},
                },
                required=("channel",),
            )
        ),
    ),
}


PARTICIPANTS_PATH = "/api/consultations/{consultation_id}/participants"
PATHS[PARTICIPANTS_PATH] = {
    "parameters": [CONSULTATION_ID],
    "post": _operation(
        "Add a guest (family member, interpreter, second professional); at most three.",
        {
            "201": _answer("Added.", PARTICIPANT),
            **_errors(400, 401, 403),
            **NOT_FOUND,
            "409": _answer("The consultation is full, cancelled or changed meanwhile.", ERROR),
        },
        security=SESSION_AND_CSRF,
        **_body(
            _object(
                {**DETAILS, "role": {"enum": ["family", "interpreter", "professional"]}},
                required=("role", "display_name", "channels"),
            )
        ),
    ),
}
PATHS[PARTICIPANTS_PATH + "/{participant_id}"] = {
    "parameters": [CONSULTATION_ID, PARTICIPANT_ID],
    "patch": _operation(
        "Change a participant's name, contacts, channels or language (checked as a whole).",
        {
            "200": _answer("Changed.", PARTICIPANT),
            **_errors(400, 401, 403),
            **NOT_FOUND,
            **CONFLICT,
        },
        security=SESSION_AND_CSRF,
        **_body(_object(DETAILS)),
    ),
    "delete": _operation(
        "Remove a guest; their links stop working. The patient cannot be removed (409).",
        {"204": _answer("Removed."), **_errors(401, 403), **NOT_FOUND, **CONFLICT},
        security=SESSION_AND_CSRF,
    ),
}
PATHS[PARTICIPANTS_PATH + "/{participant_id}/links"] = {
    "parameters": [CONSULTATION_ID, PARTICIPANT_ID],
    "post": _operation(
        "Issue a new personal link to show on screen, with its QR code (audited). Links "
        "already sent keep working.",
        {
            "201": _answer(
                "The link, its QR code as an SVG document, and its access code if needed.",
                _object(
                    {
                        "url": STRING,
                        "qr_svg": STRING,
                        "access_code": {"type": ["string", "null"]},
                        "expires_at": MOMENT,
                    },
                    required=("url", "qr_svg", "access_code", "expires_at"),
                ),
            ),
            **_errors(401, 403),
            **NOT_FOUND,
            "409": _answer("The consultation is cancelled or has ended.", ERROR),
        },
        security=SESSION_AND_CSRF,
    ),
}


# --- the clinic (chalicelib.routes.clinic) ---------------------------------------------

PATHS["/api/clinic"] = {
    "get": _operation(
        "The signed-in clinician's clinic: what its forms offer.",
        {
            "200": _answer(
                "The clinic.",
                _object(
                    {
                        "clinic_id": STRING,
                        "name": STRING,
                        "time_zone": STRING,
                        "default_language": LANGUAGE,
                        "languages": {"type": "array", "items": LANGUAGE},
                        "channels": {"type": "array", "items": CHANNEL},
                        "reminder_lead_minutes": {"type": "integer"},
                        "clinicians": {
                            "type": "array",
                            "items": _object(
                                {"clinician_id": STRING, "display_name": STRING},
                                required=("clinician_id", "display_name"),
                            ),
                        },
                    },
                    required=("clinic_id", "name", "time_zone", "languages", "clinicians"),
                ),
            ),
            **_errors(401),
            "404": _answer("The clinician's clinic does not exist.", ERROR),
        },
        security=SESSION_ONLY,
    )
}


# --- participants: a link's token for a session -----------------------------------------

COMPONENTS["securitySchemes"]["participant_session"] = {
    "type": "apiKey",
    "in": "cookie",
    "name": PARTICIPANT_COOKIE,
}
LINK_REFUSED = _object(
    {
        "error": _object(
            {
                "code": {"const": "link_refused"},
                "reason": {
                    "enum": [
                        "unknown",
                        "expired",
                        "cancelled",
                        "access_code_required",
                        "wrong_code",
                        "locked",
                    ]
                },
                "title": STRING,
                "message": STRING,
                "retry_after": {"type": "integer"},
            },
            required=("code", "reason", "message"),
        )
    },
    required=("error",),
)
PATHS["/api/participant-sessions"] = {
    "post": _operation(
        "Exchange a participant link's token (and access code) for a session (sets the "
        f"`{PARTICIPANT_COOKIE}` cookie). Refusals carry a `reason` and a localized message.",
        {
            "201": _answer(
                "The participant's session has started.",
                _object(
                    {
                        "consultation_id": STRING,
                        "participant_id": STRING,
                        "language": STRING,
                        "expires_in": {"type": "integer"},
                    },
                    required=("consultation_id", "participant_id", "language", "expires_in"),
                ),
            ),
            **_errors(400),
            "401": _answer(
                "An access code is required (`access_code_required`) or wrong.", LINK_REFUSED
            ),
            "404": _answer(
                "The link is unknown (message in the browser's language).", LINK_REFUSED
            ),
            "410": _answer(
                "The consultation has ended (`expired`) or was `cancelled`.", LINK_REFUSED
            ),
            "429": _answer(
                "Five wrong codes locked the link: wait `Retry-After` seconds.", LINK_REFUSED
            ),
        },
        requestBody={
            "required": True,
            **_json(
                _object(
                    {"token": STRING, "access_code": {"type": "string", "pattern": "^[0-9]{6}$"}},
                    required=("token",),
                )
            ),
        },
    )
}
PATHS["/api/participant-session"] = {
    "get": _operation(
        "Who the participant is: their consultation, role, language, clinic and start time.",
        {
            "200": _answer(
                "The participant of this session.",
                _object(
                    {
                        "consultation_id": STRING,
                        "participant_id": STRING,
                        "role": {"enum": ["patient", "family", "interpreter", "professional"]},
                        "language": STRING,
                        "clinic_name": STRING,
                        "starts_at": {"type": "string", "format": "date-time"},
                    },
                    required=("consultation_id", "participant_id", "role", "language"),
                ),
            ),
            **_errors(401),
        },
        security=[{"participant_session": []}],
    )
}


# --- participants: the join page's texts, and signing out -------------------------------

PATHS["/api/participant-session"]["delete"] = _operation(
    "Sign out: the participant's session ends and its cookie is cleared (the link still works).",
    {"204": _answer("Signed out."), **_errors(401)},
    security=[{"participant_session": []}],
)
PATHS["/api/participant-texts"] = {
    "get": _operation(
        "The participant pages' texts (`page.*` catalogue keys) in one language; public and "
        "cacheable for 5 minutes. Without `language`, or with one we have no texts for, the "
        "`Accept-Language` header decides, else English.",
        {
            "200": _answer(
                "The language chosen and its texts, by key.",
                _object(
                    {
                        "language": LANGUAGE,
                        "texts": {"type": "object", "additionalProperties": STRING},
                    },
                    required=("language", "texts"),
                ),
            )
        },
        parameters=[{"name": "language", "in": "query", "schema": STRING}],
    )
}


def document() -> Schema:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vestibule REST API",
            "version": "0.1.0",
            "description": 'Errors are `{"error": {"code", "message", ...}}`; '
            "clients branch on `code`.",
        },
        "paths": PATHS,
        "components": COMPONENTS,
    }
