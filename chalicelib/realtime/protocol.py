"""The websocket message format: JSON objects with a `type`, and error frames.

Client to server: `{"type": "ping", "id": "42", ...}`; `id` is optional and echoed in the
reply, so a client can match answers to requests. Errors come back as
`{"type": "error", "code": "bad_json", "message": "...", "id": "42"}`.

API Gateway accepts 32 KB frames and 128 KB messages. Our messages are small (signaling,
chat text; files go through S3), so the app takes at most one frame's worth: anything larger
is refused with a `too_large` error frame instead of being half-processed. JSON nested
deeper than `chalicelib.safe_json.MAX_DEPTH` is a `bad_json` error frame, like invalid JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import InvalidField, MalformedJson, PayloadTooLarge
from chalicelib.safe_json import UnsafeJson, loads

MAX_MESSAGE_BYTES = 32 * 1024
MAX_TYPE_LENGTH = 64
MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class InboundMessage:
    type: str
    id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def reply(self, type_: str, **fields: Any) -> dict[str, Any]:
        """A frame answering this message, carrying its `id` when it had one."""
        frame: dict[str, Any] = {"type": type_, **fields}
        if self.id is not None:
            frame["id"] = self.id
        return frame


def parse_message(body: str) -> InboundMessage:
    if len(body.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise PayloadTooLarge(f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
    try:
        payload = loads(body)
    except UnsafeJson as error:
        raise MalformedJson(f"the message {error}") from None
    if not isinstance(payload, dict):
        raise MalformedJson("the message must be a JSON object")
    message_type = payload.pop("type", None)
    if not isinstance(message_type, str) or not 0 < len(message_type) <= MAX_TYPE_LENGTH:
        raise InvalidField("type", "every message needs a short string field 'type'")
    message_id = payload.pop("id", None)
    if message_id is not None and not (
        isinstance(message_id, str | int) and len(str(message_id)) <= MAX_ID_LENGTH
    ):
        raise InvalidField("id", "'id' must be a short string or number")
    return InboundMessage(
        type=message_type,
        id=None if message_id is None else str(message_id),
        data=payload,
    )


def request_id_of(body: str) -> str | None:
    """Best-effort `id` of a message that failed to parse, so its error can name it."""
    if len(body) > MAX_MESSAGE_BYTES:
        return None
    try:
        payload = loads(body)
    except UnsafeJson:
        return None
    if isinstance(payload, dict) and isinstance(payload.get("id"), str | int):
        return str(payload["id"])[:MAX_ID_LENGTH]
    return None
