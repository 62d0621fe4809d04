"""`GET /api/health`: is this deployment able to serve (configuration and DynamoDB)?"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.routes.clinician_api import answer
from chalicelib.routes.operations import Security, answer_of, operation
from chalicelib.routes.response_bodies import HealthAnswer
from chalicelib.store.tables import database_reachable
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "GET",
    "/api/health",
    summary="Whether this deployment can serve (configuration and DynamoDB).",
    answers={200: answer_of("Healthy.", HealthAnswer), 503: answer_of("Degraded.", HealthAnswer)},
    security=Security.PUBLIC,
)
def health() -> Response:
    reachable = database_reachable()
    return answer(
        HealthAnswer(
            status="ok" if reachable else "degraded",
            stage=services().settings.stage,
            checks={"dynamodb": "ok" if reachable else "unavailable"},
        ),
        200 if reachable else 503,
    )
