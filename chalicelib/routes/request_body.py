"""Reading a REST request's JSON body, with errors that name what is wrong."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Request

from chalicelib.errors import InvalidField, MalformedJson

#: Bodies of the JSON endpoints are small; anything bigger is refused before parsing.
MAX_BODY_BYTES = 16 * 1024


def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; `MalformedJson` when it is not one."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise MalformedJson("the request body is too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MalformedJson("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise MalformedJson("the request body must be a JSON object")
    return body


def required_text(body: dict[str, Any], field: str, *, max_length: int = 512) -> str:
    """A non-empty string field, stripped; `InvalidField` naming it otherwise."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(field, f"`{field}` is required and must be a non-empty string")
    if len(value) > max_length:
        raise InvalidField(field, f"`{field}` must be at most {max_length} characters")
    return value.strip()
