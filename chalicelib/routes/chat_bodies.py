"""Request and answer bodies of the chat's HTTP routes (messages themselves travel over the
websocket; their shape is `waiting_room_bodies.ChatMessageAnswer`)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from chalicelib.chat.frames import CURSOR

Cursor = Annotated[
    str,
    Meta(
        pattern=CURSOR.pattern,
        description="A message's `cursor`, as its frames and the waiting room carry it.",
    ),
]


class ReadBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/consultations/{id}/chat/read`: the newest message the page has shown."""

    through: Cursor


class ReadAnswer(Struct, kw_only=True):
    consultation_id: str
    #: Messages the clinician has still not read (those after `through`).
    unread_messages: int
