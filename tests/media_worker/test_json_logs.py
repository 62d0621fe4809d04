"""The worker's log lines: JSON with ids, and exceptions without their (leaky) messages."""

from __future__ import annotations

import json
import logging
import sys

from media_worker.json_logs import JsonLineFormatter


def record(**extra: object) -> logging.LogRecord:
    line = logging.LogRecord("media_worker.x", logging.INFO, __file__, 1, "joined", None, None)
    line.__dict__.update(extra)
    return line


def test_a_line_is_one_json_object_with_the_extra_fields() -> None:
    formatted = JsonLineFormatter(service="media_worker").format(record(room_id="c1"))

    line = json.loads(formatted)
    assert "\n" not in formatted
    assert line["message"] == "joined"
    assert (line["level"], line["logger"], line["service"]) == (
        "INFO",
        "media_worker.x",
        "media_worker",
    )
    assert line["room_id"] == "c1"
    assert line["time"].endswith("+00:00")


def test_an_exception_is_logged_by_type_and_place_never_by_message() -> None:
    try:
        raise ValueError("a=candidate:1 1 udp 2130706431 198.51.100.23 50000 typ host")
    except ValueError:
        failed = record()
        failed.exc_info = sys.exc_info()

    line = json.loads(JsonLineFormatter().format(failed))

    assert line["error_type"] == "ValueError"
    assert "test_json_logs.py" in line["error_where"][-1]
    assert "198.51.100.23" not in json.dumps(line)
