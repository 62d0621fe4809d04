"""A participant on their way in, driven through the REST API as the patient page drives it.

`Patient` holds its own browser context, so the participant session cookie
(`vestibule_participant`) it gets from `POST /api/participant-sessions` is kept and sent
like the page's; it then reads the waiting room, accepts the shown terms, reports a device
check and enters the waiting room, each step one call of the contract.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, BrowserContext

from tests.e2e.clinic_pages import ClinicApi
from tests.e2e.local_stack import RunningStack

GREEN_CHECK = {
    "camera": "green",
    "microphone": "green",
    "speaker": "untested",
    "connection": "orange",
    "rtt_ms": 180,
    "jitter_ms": 12,
    "loss_percent": 1.5,
    "bitrate_kbps": 900,
    "join_with": "video",
}


class Patient:
    """One participant's session; `close()` ends its browser context."""

    def __init__(self, browser: Browser, stack: RunningStack) -> None:
        self.context: BrowserContext = browser.new_context()
        self._base = stack.options.front_url

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if body is None and method != "GET":
            body = {}  # the API refuses a POST or PUT without a JSON body (415)
        response = self.context.request.fetch(f"{self._base}{path}", method=method, data=body)
        assert response.ok, (method, path, response.status, response.text())
        return response.json() if response.status != 204 else None

    def open_link(self, clinic: ClinicApi, consultation_id: str, participant_id: str) -> None:
        """What opening a fresh link does: the token (after `#`) for a session."""
        shown = clinic.call(
            "POST",
            f"/api/consultations/{consultation_id}/participants/{participant_id}/links",
            {},
        )
        token = shown["url"].split("#", 1)[1]
        self.call("POST", "/api/participant-sessions", {"token": token})

    def waiting_room(self) -> dict[str, Any]:
        room: dict[str, Any] = self.call("GET", "/api/participant/waiting-room")
        return room

    def accept_terms(self) -> dict[str, Any]:
        terms = self.waiting_room()["terms"]
        self.call(
            "POST",
            "/api/participant/consents",
            {
                "terms_version": terms["version"],
                "sha256": terms["sha256"],
                "language": terms["language"],
            },
        )
        return dict(terms)

    def check_devices(self, result: dict[str, Any] | None = None) -> None:
        self.call("POST", "/api/participant/device-check", result or GREEN_CHECK)

    def wait(self) -> None:
        self.call("POST", "/api/participant/waiting")

    def close(self) -> None:
        self.context.close()
