"""The REST API's OpenAPI 3.1 document, written by hand next to the routes it describes.

A test compares the documented operations with the app's routes both ways, so a route added
without its description (or a description left behind) fails the suite.
"""

from __future__ import annotations

from typing import Any

from chalicelib.clinician_auth import COOKIE_NAME, CSRF_HEADER

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
