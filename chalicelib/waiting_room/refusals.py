"""The waiting room's refusals: each a 4xx with a stable `code` and, for participants, a
message in their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.errors import ClientError, Conflict, Forbidden
from chalicelib.i18n import catalogue


class TermsRequired(Conflict):
    code = "terms_required"


class NotOpenYet(Forbidden):
    code = "not_open_yet"

    def __init__(self, message: str, *, join_opens_at: datetime) -> None:
        super().__init__(message)
        self.join_opens_at = join_opens_at

    def details(self) -> dict[str, Any]:
        return {"join_opens_at": self.join_opens_at.isoformat()}


class ConsultationOver(ClientError):
    """The consultation was cancelled or has ended: 410."""

    status_code = 410
    code = "consultation_over"

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status

    def details(self) -> dict[str, Any]:
        return {"status": self.status}


class NoPhone(Conflict):
    code = "no_phone"


def over(language: str, status: str) -> ConsultationOver:
    key = "page.cancelled.title" if status == "cancelled" else "page.link_expired.title"
    return ConsultationOver(catalogue.text(language, key), status=status)


def not_open_yet(language: str, opens_at: datetime, time_zone: str) -> NotOpenYet:
    when = catalogue.format_when(opens_at, time_zone, language)
    return NotOpenYet(
        catalogue.text(language, "api.waiting.opens_at", when=when), join_opens_at=opens_at
    )


def terms_required(language: str) -> TermsRequired:
    return TermsRequired(catalogue.text(language, "api.waiting.terms_required"))


def no_phone(language: str) -> NoPhone:
    return NoPhone(catalogue.text(language, "api.waiting.no_phone"))
