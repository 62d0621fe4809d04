"""Reading a REST request's JSON body or query string into its model, naming what is wrong.

Each body and query string is a msgspec `Struct` (`chalicelib.consultations.request_bodies`,
`chalicelib.routes.session_bodies`): decoding checks it, and a problem becomes a 400 that
names the field, with dotted names inside objects (`patient.channels`) and never the value
sent. Bodies that are not JSON, not an object, too large or nested too deeply are `bad_json`.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from chalice.app import MultiDict, Request

from chalicelib.errors import InvalidField, MalformedJson

#: Bodies of the JSON endpoints are small; anything bigger is refused before parsing.
MAX_BODY_BYTES = 16 * 1024

Model = TypeVar("Model")

#: msgspec's messages: `<what> - at `$.patient.channels[0]``; the path is absent at the top;
#: a bad key of a mapping is `<what> - at `key` in `$.texts``: the mapping is named.
_AT = re.compile(r"^(?P<what>.*?)(?: - at (?:`key` in )?`\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD_IN_MESSAGE = re.compile(r"^Object (?:missing required|contains unknown) field `([^`]+)`")
_INDEX = re.compile(r"\[\d+\]")


def decode(request: Request, model: type[Model], *, max_bytes: int = MAX_BODY_BYTES) -> Model:
    """The body as `model`; `MalformedJson` or `InvalidField` naming the field otherwise.

    Bodies are small; a route that takes long texts (a clinic's terms) passes `max_bytes`."""
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise MalformedJson(f"the request body is larger than {max_bytes // 1024} KB")
    try:
        return msgspec.json.decode(raw, type=model)
    except msgspec.ValidationError as error:
        raise _invalid(str(error)) from None
    except msgspec.DecodeError:
        raise MalformedJson("the request body is not valid JSON") from None
    except RecursionError:
        raise MalformedJson("the request body is nested too deeply") from None


def query(request: Request, model: type[Model]) -> Model:
    """The query string as `model` (text converted to dates, numbers and booleans)."""
    params = request.query_params or MultiDict({})
    values: dict[str, Any] = {name: params[name] for name in params}
    try:
        return msgspec.convert(values, model, strict=False)
    except msgspec.ValidationError as error:
        raise _invalid(str(error)) from None


def _invalid(message: str) -> MalformedJson | InvalidField:
    match = _AT.match(message)
    what, path = (match["what"], match["path"] or "") if match else (message, "")
    parts = [part for part in _INDEX.sub("", path).split(".") if part]
    named = _FIELD_IN_MESSAGE.match(what)
    if named:
        parts.append(named[1])
    if not parts:
        return MalformedJson("the request body must be a JSON object")
    field = ".".join(parts)
    if named:
        reason = "is required" if "missing" in what else "is not a field here"
    elif what.startswith("Invalid enum value"):
        reason = "is not one of the allowed values"
    else:
        reason = f"is invalid: {what[0].lower()}{what[1:]}"
    return InvalidField(field, f"`{field}` {reason}")
