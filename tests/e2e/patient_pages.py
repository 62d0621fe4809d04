"""Helpers of the patient-page browser tests: a patient invited the way a clinic does it.

The clinician (a signed-in browser context, `ClinicApi`) creates a consultation that asks
for an access code and sends the invitation by SMS; the link comes from the SMS in the
outbox, the code from the email. `join` is what the patient does on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from devstack.demo import CLINIC_TIME_ZONE
from tests.e2e.clinic_pages import PARTICIPANT_LINK, ClinicApi, unique_name, unique_phone
from tests.e2e.local_stack import RunningStack
from tests.e2e.outbox_reader import link_in, wait_for_message

ACCESS_CODE = re.compile(r"\b\d{6}\b")
#: A phone the size of a cheap Android's screen.
PHONE = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Invited:
    consultation_id: str
    participant_id: str
    name: str
    phone: str
    link: str
    code: str


def invite_by_sms(
    stack: RunningStack, clinic: ClinicApi, *, starts_in: timedelta = timedelta(minutes=5)
) -> Invited:
    """A new consultation with an access code; its patient's link sent by SMS, code by email."""
    name, phone = unique_name("Aino"), unique_phone()
    email = f"{phone[1:]}@patients.example"
    starts_at = (datetime.now(UTC) + starts_in).replace(second=0, microsecond=0)
    record = clinic.call(
        "POST",
        "/api/consultations",
        {
            "starts_at": starts_at.isoformat(),
            "time_zone": CLINIC_TIME_ZONE,
            "duration_minutes": 20,
            "language": "en",
            "access_code_required": True,
            "patient": {"display_name": name, "phone": phone, "email": email, "channels": ["sms"]},
        },
    )
    consultation_id = record["consultation_id"]
    [patient] = [p for p in record["participants"] if p["role"] == "patient"]
    clinic.call(
        "POST",
        f"/api/consultations/{consultation_id}/participants/{patient['participant_id']}/invitations",
        {"channel": "sms", "attempt": 1},
    )
    link = link_in(wait_for_message(stack, "sms", phone), PARTICIPANT_LINK)
    code = link_in(wait_for_message(stack, "emails", email), ACCESS_CODE)
    return Invited(consultation_id, patient["participant_id"], name, phone, link, code)


def join(page: Page, invited: Invited) -> None:
    """Opens the link and gives the access code, as the patient does."""
    page.goto(invited.link)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_label("Access code").fill(invited.code)
    page.get_by_role("button", name="Continue", exact=True).click()


def expect_step(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading, timeout=20_000)
