"""The JSON shape of a chat message, the same in every frame and in the waiting room.

    {"message_id", "consultation_id", "client_id", "sent_at", "cursor",
     "author": {"kind": "participant"|"clinician", "id", "display_name", "role"},
     "text": str|null,
     "attachment": {"file_id", "file_name", "content_type", "size_bytes"}|null}

`cursor` is what `chat.history {before}` (and `POST .../chat/read {through}`) take to mean
this message: its sort key without `CHAT#`, `YYYY-MM-DDTHH:MM:SS.ffffffZ#<message_id>`.
Text is the text as written: the page renders it as text, never as HTML.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.store.models import CHAT_SK_PREFIX, ChatMessage

MESSAGE_FRAME = "chat.message"
#: A message's cursor: its UTC time to the microsecond, then its id.
CURSOR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#[A-Za-z0-9_-]{1,64}$")


def message_body(message: ChatMessage) -> dict[str, Any]:
    attachment = message.attachment
    return {
        "message_id": message.message_id,
        "consultation_id": message.consultation_id,
        "client_id": message.client_id,
        "sent_at": message.sent_at.isoformat(),
        "cursor": cursor_of(message),
        "author": {
            "kind": message.author_kind,
            "id": message.author_id,
            "display_name": message.author_name,
            "role": message.author_role,
        },
        "text": message.text,
        "attachment": None
        if attachment is None
        else {
            "file_id": attachment.file_id,
            "file_name": attachment.file_name,
            "content_type": attachment.content_type,
            "size_bytes": int(attachment.size_bytes),
        },
    }


def cursor_of(message: ChatMessage) -> str:
    """The message's place in the chat, as history pages and read marks name it."""
    return message.sk.removeprefix(CHAT_SK_PREFIX)


def message_frame(message: ChatMessage) -> dict[str, Any]:
    """The frame every member's connection receives for a new message."""
    return {"type": MESSAGE_FRAME, "message": message_body(message)}
