"""The registry of REST operations: each route declares the models it takes and returns.

`@operation(blueprint, "POST", "/api/consultations", body=NewConsultationBody,
answers={201: answer_of("Scheduled.", ConsultationAnswer), **errors(400, 401, 403)}, ...)`
registers the Chalice route and records what it takes and returns; the OpenAPI document
(`chalicelib.routes.openapi_document`) is generated from this registry and the models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from chalice import Blueprint

from chalicelib.routes.response_bodies import ErrorAnswer

View = TypeVar("View", bound=Callable[..., Any])


class Security(StrEnum):
    """Who may call an operation."""

    PUBLIC = "public"
    SESSION = "session"  # a clinician's session cookie
    SESSION_AND_CSRF = "session_and_csrf"  # and the CSRF header (every unsafe method)
    PARTICIPANT = "participant"  # a participant's session cookie
    #: a clinician's session with the CSRF header, or else a participant's session cookie
    SESSION_AND_CSRF_OR_PARTICIPANT = "session_and_csrf_or_participant"


@dataclass(frozen=True)
class Answer:
    description: str
    model: type | None = None  # None: no body (204)


@dataclass(frozen=True, kw_only=True)
class Operation:
    method: str
    path: str
    summary: str
    answers: Mapping[int, Answer]
    security: Security
    body: type | None = None
    query: type | None = None
    #: False when the body may be left out (every field then has its default).
    body_required: bool = True


#: Every operation, by (method, path), filled as the route modules are imported.
OPERATIONS: dict[tuple[str, str], Operation] = {}

ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON or a field is invalid (`error.field` names it).",
    401: "No live session, or the token is unknown, used or expired.",
    403: "The CSRF header is missing or wrong.",
    404: "No such consultation or participant in the clinician's clinic.",
    409: "The consultation is cancelled or was changed meanwhile.",
    429: "Too many requests: wait `Retry-After` seconds.",
    500: "The deployment is misconfigured or something failed on our side.",
    503: "A dependency is unavailable.",
}


def answer_of(description: str, model: type | None = None) -> Answer:
    return Answer(description, model)


def errors(*statuses: int, **described: str) -> dict[int, Answer]:
    """Error answers with the usual descriptions; `e409="..."` gives one of its own."""
    answers = {status: Answer(ERROR_DESCRIPTIONS[status], ErrorAnswer) for status in statuses}
    for key, description in described.items():
        answers[int(key.removeprefix("e"))] = Answer(description, ErrorAnswer)
    return answers


def operation(
    blueprint: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    answers: Mapping[int, Answer],
    security: Security,
    body: type | None = None,
    query: type | None = None,
    body_required: bool = True,
) -> Callable[[View], View]:
    """Register `view` as the Chalice route `method path`, and record what it takes."""

    def register(view: View) -> View:
        OPERATIONS[(method.lower(), path)] = Operation(
            method=method.lower(),
            path=path,
            summary=summary,
            answers=answers,
            security=security,
            body=body,
            query=query,
            body_required=body_required,
        )
        blueprint.route(path, methods=[method])(view)
        return view

    return register
