"""Signed calls from the app to a media worker's control API, with the standard library.

Each method is one request to the worker a consultation is assigned to
(`chalicelib.media.workers.WorkerEndpoint`), signed with `chalicelib.media.control_signing`
for that worker's id (no other worker accepts it) and bounded
by a timeout. urllib rather than an HTTP library keeps the Lambda package small.

The worker's refusals become the app's errors, so routes and websocket handlers need no
media-specific handling: 400 → `InvalidField` (or `ClientError`), 404 → `NotFound`,
409 → `Conflict` (the room is full), 413 → `PayloadTooLarge`; 503 (a draining or full
worker refusing a *new* room: none of the consultation's calls is there), any other status
and a worker that does not answer in time → `MediaUnavailable`, on which a caller asks
`MediaWorkerRegistry.assign(..., instead_of=worker.worker_id)` for another worker and tries
once more. 401 means the worker refused our signature: the two
sides' `VESTIBULE_MEDIA_SHARED_SECRET` differ, their clocks disagree, or the worker at the
registered URL has another id than the registry's (`ConfigError`).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from chalicelib.errors import (
    ClientError,
    ConfigError,
    Conflict,
    InvalidField,
    MediaUnavailable,
    NotFound,
    PayloadTooLarge,
)
from chalicelib.media import control_signing
from chalicelib.media.workers import WorkerEndpoint

#: Seconds for one call; an offer includes the worker's ICE gathering.
DEFAULT_TIMEOUT = 10.0

#: Sends a request within a timeout; returns (status, body) for every HTTP answer.
Transport = Callable[[urllib.request.Request, float], tuple[int, bytes]]

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def urllib_transport(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


class MediaClient:
    def __init__(
        self,
        *,
        secret: str | None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: Transport = urllib_transport,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._timeout = timeout
        self._transport = transport
        self._now = now

    def offer(
        self, worker: WorkerEndpoint, room_id: str, participant_id: str, sdp: str
    ) -> dict[str, Any]:
        """Join (or rejoin) a room with an SDP offer; returns `{"sdp": answer, "roster": [...]}`."""
        path = _path("rooms", room_id, "participants", participant_id, "offer")
        answer: dict[str, Any] = self._call(worker, "POST", path, {"sdp": sdp})
        return answer

    def add_ice_candidate(
        self, worker: WorkerEndpoint, room_id: str, participant_id: str, candidate: dict[str, Any]
    ) -> None:
        path = _path("rooms", room_id, "participants", participant_id, "ice")
        self._call(worker, "POST", path, {"candidate": candidate})

    def leave(self, worker: WorkerEndpoint, room_id: str, participant_id: str) -> None:
        self._call(worker, "DELETE", _path("rooms", room_id, "participants", participant_id))

    def roster(self, worker: WorkerEndpoint, room_id: str) -> list[dict[str, Any]]:
        roster: list[dict[str, Any]] = self._call(worker, "GET", _path("rooms", room_id, "roster"))[
            "roster"
        ]
        return roster

    def start_echo(self, worker: WorkerEndpoint, sdp: str) -> dict[str, Any]:
        """Start the connection test's loop-back; returns `{"session_id", "sdp"}`."""
        session: dict[str, Any] = self._call(worker, "POST", _path("echo"), {"sdp": sdp})
        return session

    def echo_stats(self, worker: WorkerEndpoint, session_id: str) -> dict[str, Any]:
        stats: dict[str, Any] = self._call(worker, "GET", _path("echo", session_id, "stats"))
        return stats

    def stop_echo(self, worker: WorkerEndpoint, session_id: str) -> None:
        self._call(worker, "DELETE", _path("echo", session_id))

    def _call(
        self, worker: WorkerEndpoint, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> Any:
        if self._secret is None:
            raise ConfigError("VESTIBULE_MEDIA_SHARED_SECRET is not set: media workers refuse us")
        url = worker.control_url.rstrip("/") + path
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ConfigError(f"media worker {worker.worker_id} has no http(s) control URL")
        body = b"" if payload is None else json.dumps(payload).encode()
        signed_path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        headers = control_signing.sign(
            self._secret, method, signed_path, body, worker_id=worker.worker_id, now=self._now()
        )
        if payload is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, data=body if payload is not None else None, headers=headers, method=method
        )
        try:
            status, answer = self._transport(request, self._timeout)
        except (OSError, http.client.HTTPException):  # URLError and timeouts are OSErrors
            raise MediaUnavailable("the media worker did not answer; try again") from None
        document = _json_or_empty(answer)
        if 200 <= status < 300:
            return document
        raise _refusal(status, document.get("error", {}))


def _path(*segments: str) -> str:
    return "".join("/" + urllib.parse.quote(segment, safe="") for segment in segments)


def _json_or_empty(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body) if body else {}
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _refusal(status: int, error: dict[str, Any]) -> Exception:
    message = str(error.get("message") or f"the media worker answered {status}")
    if status == 400:
        field = error.get("field")
        return InvalidField(str(field), message) if field else ClientError(message)
    if status == 401:
        return ConfigError(
            "the media worker refused the app's signature: VESTIBULE_MEDIA_SHARED_SECRET "
            "differs between the app and the worker, their clocks disagree, or the worker at "
            "that URL is not the worker the registry names (requests are signed for its id)"
        )
    by_status: dict[int, type[ClientError]] = {
        404: NotFound,
        409: Conflict,
        413: PayloadTooLarge,
    }
    return by_status.get(status, MediaUnavailable)(message)
