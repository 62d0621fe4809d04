"""Helpers of the clinic-page browser tests: sign a browser in, and call the API as it.

Signing in is what a clinician does: ask for a link on the sign-in page, open the emailed
link from the outbox, press Continue. `ClinicApi` then calls the REST API with the same
browser context (its HttpOnly session cookie and the CSRF token), to prepare consultations
faster than through the form.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Page, expect

from devstack.demo import CLINIC_TIME_ZONE, CLINICIAN_EMAIL, CLINICIAN_NAME
from tests.e2e.local_stack import RunningStack
from tests.e2e.outbox_reader import link_in, messages_to, wait_for_message

SIGN_IN_LINK = re.compile(r"https?://\S+/clinic/sign-in\.html#token=[\w-]+")
PARTICIPANT_LINK = re.compile(r"https?://\S+/j/#[\w-]+")


def sign_in(
    page: Page,
    stack: RunningStack,
    *,
    address: str = CLINICIAN_EMAIL,
    name: str = CLINICIAN_NAME,
) -> None:
    """Sign `page`'s browser context in as a demo clinician, through the sign-in page.

    Each address may ask for five links in 15 minutes, and the suite signs in more often
    than that: the demo clinician's session (the HttpOnly cookie) is kept once made and
    handed to later contexts while the API still accepts it. A test that signs in several
    times on purpose uses the colleague's address, which always goes through the page.
    """
    if address == CLINICIAN_EMAIL and _resume(page, stack):
        return
    earlier = len(messages_to(stack, "emails", address))
    page.goto(f"{stack.options.front_url}/clinic/sign-in.html")
    page.get_by_label("Work email address").fill(address)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("a link is on its way")
    email = wait_for_message(stack, "emails", address, after=earlier)
    page.goto(link_in(email, SIGN_IN_LINK))
    page.get_by_role("button", name="Continue").click()
    # Said on the sign-in page, then in the header of the page it opens (which may have
    # live regions of its own: the chat's, the call's).
    expect(page.get_by_text(f"Signed in as {name}.")).to_be_visible()
    if address == CLINICIAN_EMAIL:
        _sessions[stack.options.front_url] = page.context.cookies()


#: The demo clinician's session cookies, per running stack (see `sign_in`).
_sessions: dict[str, list[Any]] = {}


def _resume(page: Page, stack: RunningStack) -> bool:
    """Hands the kept session to `page`'s context; False if there is none or it ended."""
    cookies = _sessions.get(stack.options.front_url)
    if not cookies:
        return False
    page.context.add_cookies(cookies)
    if not page.context.request.get(f"{stack.options.front_url}/api/clinician/session").ok:
        page.context.clear_cookies()
        del _sessions[stack.options.front_url]
        return False
    page.goto(f"{stack.options.front_url}/clinic/")
    return True


def unique_phone() -> str:
    """A French mobile number no other test uses, so its SMS are told apart in the outbox."""
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


def unique_name(first: str) -> str:
    return f"{first} {uuid.uuid4().hex[:6]}"


class ClinicApi:
    """The REST API as the signed-in browser context calls it."""

    def __init__(self, context: BrowserContext, stack: RunningStack) -> None:
        self._request = context.request
        self._base = stack.options.front_url
        session = self._request.get(f"{self._base}/api/clinician/session")
        assert session.ok, session.status
        self._csrf = session.json()["csrf_token"]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._request.fetch(
            f"{self._base}{path}",
            method=method,
            data=body,
            headers={"X-Vestibule-CSRF": self._csrf},
        )
        assert response.ok, (response.status, response.text())
        return response.json() if response.status != 204 else None

    def create_consultation(
        self,
        patient: dict[str, Any],
        *,
        day: date,
        hour: int,
        minute: int = 0,
        clinician_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        """A consultation at `hour:minute` on `day` in the clinic's time zone (by default
        the signed-in clinician's)."""
        starts_at = datetime(
            day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(CLINIC_TIME_ZONE)
        )
        record: dict[str, Any] = self.call(
            "POST",
            "/api/consultations",
            {
                "starts_at": starts_at.isoformat(),
                "time_zone": CLINIC_TIME_ZONE,
                "duration_minutes": 20,
                "language": "en",
                "patient": patient,
                **({"clinician_ids": clinician_ids} if clinician_ids else {}),
            },
        )
        return record
