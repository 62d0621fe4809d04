"""Request and answer bodies of the file routes (the chat message they answer with is
`waiting_room_bodies.ChatMessageAnswer`, which the waiting room's answer carries too)."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from chalicelib.files.attachments import MAX_FILE_NAME
from chalicelib.routes.waiting_room_bodies import ChatMessageAnswer


class UploadBody(Struct, kw_only=True):
    """`POST .../files`: the file the browser is about to upload."""

    file_name: Annotated[str, Meta(min_length=1, max_length=MAX_FILE_NAME)]
    #: What the browser says it is: image/jpeg, image/png or application/pdf (anything else
    #: is refused); the bytes are checked after the upload regardless.
    content_type: Annotated[str, Meta(min_length=1, max_length=128)]


class PresignedPostAnswer(Struct, kw_only=True):
    """Post the file as multipart/form-data to `url`: every field, then `file` last."""

    url: str
    fields: dict[str, str]


class UploadAnswer(Struct, kw_only=True):
    file_id: str
    upload: PresignedPostAnswer
    expires_in: Annotated[int, Meta(description="Seconds the upload form stays valid.")]
    max_bytes: int


class CompletedAnswer(Struct, kw_only=True):
    message: ChatMessageAnswer


class DownloadAnswer(Struct, kw_only=True):
    """Open `url` (a presigned GET) to save the file; it is valid `expires_in` seconds."""

    url: str
    expires_in: int
