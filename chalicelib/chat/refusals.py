"""Chat refusals a person sees, with a message in the sender's language.

Each is a `ClientError` (an error frame on the websocket, a 4xx over HTTP) whose `message`
comes from the catalogue (`chat.refused.*`), so the page can show it as it is.
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import Conflict, Forbidden, InvalidField, RateLimited
from chalicelib.i18n.catalogue import text


class MessageRefused(InvalidField):
    """A chat message the app does not take (`reason`: `empty`, `too_long`)."""

    def __init__(self, language: str, reason: str, **values: object) -> None:
        super().__init__("text", text(language, f"chat.refused.{reason}", **values))
        self.reason = reason

    def details(self) -> dict[str, Any]:
        return {**super().details(), "reason": self.reason}


class NotAMember(Forbidden):
    """The sender is not a participant or clinician of this consultation."""

    code = "not_a_member"

    def __init__(self, language: str) -> None:
        super().__init__(text(language, "chat.refused.not_a_member"))


class ChatClosed(Conflict):
    """The consultation has ended: its chat is read, not written (`consultation_over`)."""

    code = "consultation_over"

    def __init__(self, language: str) -> None:
        super().__init__(text(language, "chat.refused.consultation_over"))


class ChatRateLimited(RateLimited):
    def __init__(self, language: str, *, retry_after: int) -> None:
        super().__init__(
            text(language, "chat.refused.rate_limited", seconds=retry_after),
            retry_after=retry_after,
        )
