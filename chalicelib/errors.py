"""The one error hierarchy of the app.

Domain code raises these; `chalicelib.routes.error_responses` is the single place that turns them
into HTTP responses and websocket error frames. Each class carries its HTTP status and a
stable machine-readable `code`; clients branch on `code`, never on message text.

    VestibuleError (500, internal_error)
    ├── ConfigError (500, config_error)        a deployment is misconfigured
    └── ClientError (400, bad_request)         the caller can fix it
        ├── InvalidField (400, invalid_field)  names the offending `field`
        ├── MalformedJson (400, bad_json)
        ├── UnknownMessageType (400, unknown_type)
        ├── Unauthorized (401, unauthorized)
        ├── Forbidden (403, forbidden)
        ├── NotFound (404, not_found)
        ├── Conflict (409, conflict)
        ├── PayloadTooLarge (413, too_large)
        ├── RateLimited (429, rate_limited)    carries `retry_after` seconds
        │   └── LinkLocked (429, link_refused) a participant link after 5 wrong codes
        ├── LinkRefused (link_refused)         a participant link cannot be used; `reason`:
        │   ├── UnknownLink (404, unknown)     and a `message` in the participant's language
        │   ├── ExpiredLink (410, expired)
        │   ├── CancelledLink (410, cancelled)
        │   ├── AccessCodeRequired (401, access_code_required)
        │   └── WrongAccessCode (401, wrong_code)
        └── MediaUnavailable (503, media_unavailable)  no media worker can take the call now

Messages never contain personal data: they name fields and limits, not values.

The base derives from Chalice's `ChaliceUnhandledError`: Chalice turns any other exception
raised in a route into its own 500 before middleware sees it, but re-raises this one so the
mapping middleware can answer with the error's own status and body.
"""

from __future__ import annotations

from typing import Any, ClassVar

from chalice.app import ChaliceUnhandledError


class VestibuleError(ChaliceUnhandledError):
    """Base of every error the app raises on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, Any]:
        """Extra JSON fields for the client beyond `code` and `message`."""
        return {}


class ConfigError(VestibuleError):
    code = "config_error"


class ClientError(VestibuleError):
    status_code = 400
    code = "bad_request"


class InvalidField(ClientError):
    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def details(self) -> dict[str, Any]:
        return {"field": self.field}


class MalformedJson(ClientError):
    code = "bad_json"


class UnknownMessageType(ClientError):
    code = "unknown_type"


class Unauthorized(ClientError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ClientError):
    status_code = 403
    code = "forbidden"


class NotFound(ClientError):
    status_code = 404
    code = "not_found"


class Conflict(ClientError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(ClientError):
    status_code = 413
    code = "too_large"


class RateLimited(ClientError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def details(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class MediaUnavailable(ClientError):
    """No live media worker has room, or the assigned one did not answer: try again soon."""

    status_code = 503
    code = "media_unavailable"


class LinkRefused(ClientError):
    """A participant link cannot be used; `message` is localized for the participant."""

    code = "link_refused"
    reason: ClassVar[str] = "unknown"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.title = title

    def details(self) -> dict[str, Any]:
        return {"reason": self.reason, **({"title": self.title} if self.title else {})}


class UnknownLink(LinkRefused):
    status_code = 404
    reason = "unknown"


class ExpiredLink(LinkRefused):
    status_code = 410
    reason = "expired"


class CancelledLink(LinkRefused):
    status_code = 410
    reason = "cancelled"


class AccessCodeRequired(LinkRefused):
    status_code = 401
    reason = "access_code_required"


class WrongAccessCode(LinkRefused):
    status_code = 401
    reason = "wrong_code"


class LinkLocked(RateLimited):
    """Five wrong access codes locked the link; the answer carries `Retry-After`."""

    code = "link_refused"
    reason: ClassVar[str] = "locked"

    def details(self) -> dict[str, Any]:
        return {**super().details(), "reason": self.reason}
