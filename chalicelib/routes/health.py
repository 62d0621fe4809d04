"""`GET /api/health`: is this deployment able to serve (configuration and DynamoDB)?"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.routes.http_headers import NO_STORE
from chalicelib.store.tables import database_reachable
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/health", methods=["GET"])
def health() -> Response:
    settings = services().settings
    checks = {"dynamodb": "ok" if database_reachable() else "unavailable"}
    healthy = all(value == "ok" for value in checks.values())
    return Response(
        body={"status": "ok" if healthy else "degraded", "stage": settings.stage, "checks": checks},
        status_code=200 if healthy else 503,
        headers=NO_STORE,
    )
