"""The media worker's one error hierarchy.

The worker's code raises these on purpose; the control API maps them to responses by their
`status_code` and stable `code` (never by message text). Messages name the problem, never
personal data.

    MediaError (500, media_error)
    ├── IncompatibleAiortc (500, incompatible_aiortc)  the installed aiortc changed internals
    ├── BadRequest (400, bad_request)                   the caller can fix it
    │   ├── BadOffer (400, bad_offer)                    malformed or unsupported SDP offer
    │   ├── BadCandidate (400, bad_candidate)            malformed ICE candidate
    │   │   └── TooManyCandidates (400, too_many_candidates) past the per-peer cap
    │   ├── MalformedJson (400, bad_json)                the body is not a JSON object
    │   └── InvalidField (400, invalid_field)            names the `field`
    ├── Unauthorized (401, unauthorized)                unsigned, badly signed, expired, replayed
    ├── NotFound (404, not_found)
    │   ├── UnknownRoom (404, unknown_room)
    │   ├── UnknownParticipant (404, unknown_participant)
    │   └── UnknownEchoSession (404, unknown_echo_session)
    ├── RoomFull (409, room_full)                       the room already has its maximum
    ├── PayloadTooLarge (413, too_large)
    ├── TooManyRequests (429, too_many_requests)        the replay ledger is full: fail closed
    └── Unavailable (503, unavailable)
        ├── Draining (503, draining)                    no new rooms: the worker is shutting down
        └── AtCapacity (503, at_capacity)               no new rooms: the worker is full

`body()` gives the JSON error body, the same shape as the app's own errors.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MediaError(Exception):
    """Base of every error the media worker raises on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "media_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        """`{"error": {"code", "message", ...}}`, as the app's errors look to a client."""
        return {"error": {"code": self.code, "message": self.message, **self.details()}}

    def details(self) -> dict[str, Any]:
        return {}


class IncompatibleAiortc(MediaError):
    """aiortc's internals no longer match what `media_worker.aiortc_hooks` relies on."""

    code = "incompatible_aiortc"


class BadRequest(MediaError):
    status_code = 400
    code = "bad_request"


class BadOffer(BadRequest):
    code = "bad_offer"


class BadCandidate(BadRequest):
    code = "bad_candidate"


class TooManyCandidates(BadCandidate):
    code = "too_many_candidates"


class NotFound(MediaError):
    status_code = 404
    code = "not_found"


class UnknownRoom(NotFound):
    code = "unknown_room"


class UnknownParticipant(NotFound):
    code = "unknown_participant"


class UnknownEchoSession(NotFound):
    code = "unknown_echo_session"


class RoomFull(MediaError):
    status_code = 409
    code = "room_full"


class MalformedJson(BadRequest):
    code = "bad_json"


class InvalidField(BadRequest):
    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def details(self) -> dict[str, Any]:
        return {"field": self.field}


class Unauthorized(MediaError):
    status_code = 401
    code = "unauthorized"


class PayloadTooLarge(MediaError):
    status_code = 413
    code = "too_large"


class TooManyRequests(MediaError):
    status_code = 429
    code = "too_many_requests"


class Unavailable(MediaError):
    status_code = 503
    code = "unavailable"


class Draining(Unavailable):
    code = "draining"


class AtCapacity(Unavailable):
    code = "at_capacity"
