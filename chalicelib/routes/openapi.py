"""`GET /api/openapi.json`: the REST API's OpenAPI document (`routes.openapi_document`)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.routes.openapi_document import document

blueprint = Blueprint(__name__)


@blueprint.route("/api/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    return Response(body=document(), status_code=200, headers={"Cache-Control": "no-cache"})
