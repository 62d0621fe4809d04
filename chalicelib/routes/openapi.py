"""`GET /api/openapi.json`: the REST API's OpenAPI document (`routes.openapi_document`).

The document is imported when first asked for, not with the app (cold starts).
"""

from __future__ import annotations

from chalice import Blueprint, Response

blueprint = Blueprint(__name__)


@blueprint.route("/api/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    from chalicelib.routes.openapi_document import document

    return Response(body=document(), status_code=200, headers={"Cache-Control": "no-cache"})
