"""Parsing untrusted JSON with a nesting limit, so bad input is a clear refusal, never a crash.

`json.loads` recurses once per level of nesting: a body of `"[" * 15000` raises
`RecursionError`, which no caller expects and which surfaced as a 500 with a logged traceback.
`loads` turns that, and any nesting deeper than `max_depth`, into `UnsafeJson`, a
`ValueError` whose message names the problem as a predicate ("is not valid JSON", "nests
deeper than 32 levels"), so a caller can say what it refused: `f"the message {error}"`.
Callers map it to their own `bad_json` error.
The depth of a parsed document is measured without recursion.

Standard library only: the media worker's image copies this file, so the app (websocket
messages) and the worker (its control API) parse the same way.
"""

from __future__ import annotations

import json
from typing import Any

#: Our documents nest a few levels (a candidate inside a message); 32 leaves ample room.
MAX_DEPTH = 32


class UnsafeJson(ValueError):
    """The text is not JSON, or nests deeper than allowed; the message says which."""


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed document; `UnsafeJson` for invalid JSON or nesting past `max_depth`."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise UnsafeJson(_too_deep(max_depth)) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are ValueErrors
        raise UnsafeJson("is not valid JSON") from None
    if depth_of(document) > max_depth:
        raise UnsafeJson(_too_deep(max_depth))
    return document


def depth_of(document: Any) -> int:
    """How deeply arrays and objects nest: 0 for a scalar, 1 for `[]` or `{}`."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep(max_depth: int) -> str:
    return f"nests deeper than {max_depth} levels"
