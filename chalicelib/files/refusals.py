"""A refused upload, with a message in the uploader's language (`files.refused.*`)."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import InvalidField
from chalicelib.i18n.catalogue import text


class FileRefused(InvalidField):
    """An upload whose bytes are not an allowed, safe file (`reason` names why); status 422."""

    status_code = 422
    code = "file_refused"

    def __init__(self, language: str, reason: str) -> None:
        super().__init__("file", text(language, f"files.refused.{reason}"))
        self.reason = reason

    def details(self) -> dict[str, Any]:
        return {**super().details(), "reason": self.reason}
