"""The media worker's logs: one JSON object per line on stderr, ids only.

Every line has `time`, `level`, `logger` and `message`, plus the `extra={...}` fields of
the call (ids, counts, codes). What a line never holds: SDP, ICE candidates, IP addresses
of participants, names. Exceptions are logged by type and code location only, because an
exception's message (from aiortc, say) can quote an SDP line or a candidate's address.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

#: Attributes every `LogRecord` has; anything else came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonLineFormatter(logging.Formatter):
    def __init__(self, **fields: str) -> None:
        super().__init__()
        self._fields = fields

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **self._fields,
        }
        line.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info and record.exc_info[1] is not None:
            line.update(describe_exception(record.exc_info[1]))
        return json.dumps(line, default=str)


def describe_exception(error: BaseException) -> dict[str, Any]:
    """An exception without its message: its type and where it was raised."""
    frames = traceback.extract_tb(error.__traceback__)[-5:]
    return {
        "error_type": type(error).__name__,
        "error_where": [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in frames],
    }


def configure(*, level: str = "INFO", **fields: str) -> None:
    """Send every logger's lines as JSON to stderr; `fields` go on every line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter(**fields))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiortc and aioice log SDP-level details and addresses at DEBUG/INFO.
    for noisy in ("aiortc", "aioice", "aiohttp.access", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
