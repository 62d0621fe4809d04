"""`GET /api/openapi.json`: the REST API's OpenAPI document (`routes.openapi_document`).

The document is imported when first asked for, not with the app (cold starts).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.routes.http_headers import JSON_CONTENT, Headers
from chalicelib.routes.operations import Security, answer_of, operation
from chalicelib.routes.response_bodies import OpenApiAnswer

blueprint = Blueprint(__name__)


@operation(
    blueprint,
    "GET",
    "/api/openapi.json",
    summary="This document.",
    answers={200: answer_of("The OpenAPI document.", OpenApiAnswer)},
    security=Security.PUBLIC,
)
def openapi_document() -> Response:
    from chalicelib.routes.openapi_document import document

    headers: Headers = {"Cache-Control": "no-cache", **JSON_CONTENT}
    return Response(body=document(), status_code=200, headers=headers)
