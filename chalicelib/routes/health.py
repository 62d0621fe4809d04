"""`GET /api/health`: is this deployment able to serve (configuration and DynamoDB)?"""

from __future__ import annotations

from chalice import Blueprint, Response
from pynamodb.exceptions import PynamoDBException

from chalicelib.models import ConsultationItem
from chalicelib.observability import logger
from chalicelib.routes.http_headers import NO_STORE
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/health", methods=["GET"])
def health() -> Response:
    settings = services().settings
    try:
        database_ok = ConsultationItem.exists()
    except PynamoDBException:
        logger.exception("health check could not reach DynamoDB")
        database_ok = False
    checks = {"dynamodb": "ok" if database_ok else "unavailable"}
    healthy = all(value == "ok" for value in checks.values())
    return Response(
        body={"status": "ok" if healthy else "degraded", "stage": settings.stage, "checks": checks},
        status_code=200 if healthy else 503,
        headers=NO_STORE,
    )
