"""Helpers of the chat's and the call's browser tests: a signed-in clinician, a patient
waiting at phone size with the clinician's consultation page open, and ways to look at the
call on a page.

`visit_in` creates a consultation starting in five minutes, takes its patient through the
way in by the API (terms, device check, waiting), opens both pages, and closes them after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from devstack.demo import CLINIC_TIME_ZONE
from tests.e2e.clinic_pages import ClinicApi, sign_in, unique_name, unique_phone
from tests.e2e.local_stack import RunningStack
from tests.e2e.patient_pages import PHONE, expect_step
from tests.e2e.waiting_patient import Patient

#: Media through the worker on a loaded 2-core machine can take a while to flow.
MEDIA_TIMEOUT_MS = 40_000
#: The page's own video has decoded frames and is playing.
PLAYING = "video => video.videoWidth > 0 && video.readyState >= 2 && !video.paused"


@dataclass
class Visit:
    consultation_id: str
    patient_name: str
    patient: Page
    clinician: Page
    clinic: ClinicApi
    patient_session: Patient

    def close(self) -> None:
        if not self.clinician.is_closed():
            self.clinician.close()
        self.patient_session.close()


@contextmanager
def signed_in_clinician(
    stack: RunningStack, browser: Browser, **options: bool
) -> Iterator[BrowserContext]:
    """A browser context signed in as the demo clinician (`options`: `new_context`'s)."""
    context = browser.new_context(**options)  # type: ignore[arg-type]
    sign_in(context.new_page(), stack)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def visit_in(
    stack: RunningStack, browser: Browser, clinician_context: BrowserContext
) -> Iterator[Visit]:
    visit = open_visit(stack, browser, clinician_context)
    try:
        yield visit
    finally:
        visit.close()


def open_visit(stack: RunningStack, browser: Browser, clinician_context: BrowserContext) -> Visit:
    """A patient in the waiting room (their page at phone size), the clinician's page open."""
    clinic = ClinicApi(clinician_context, stack)
    name = unique_name("Aino")
    starts_at = (datetime.now(UTC) + timedelta(minutes=5)).replace(second=0, microsecond=0)
    record = clinic.call(
        "POST",
        "/api/consultations",
        {
            "starts_at": starts_at.isoformat(),
            "time_zone": CLINIC_TIME_ZONE,
            "duration_minutes": 20,
            "language": "en",
            "patient": {"display_name": name, "phone": unique_phone(), "channels": ["sms"]},
        },
    )
    consultation_id = record["consultation_id"]
    [patient_record] = record["participants"]
    shown = clinic.call(
        "POST",
        f"/api/consultations/{consultation_id}/participants/{patient_record['participant_id']}/links",
        {},
    )
    patient = Patient(browser, stack)
    patient.call("POST", "/api/participant-sessions", {"token": shown["url"].split("#", 1)[1]})
    patient.accept_terms()
    patient.check_devices()
    patient.wait()
    patient_page = patient.context.new_page()
    patient_page.set_viewport_size(PHONE)
    patient_page.goto(shown["url"])
    patient_page.get_by_role("button", name="Continue", exact=True).click()
    expect_step(patient_page, "You are in the waiting room")

    page = clinician_context.new_page()
    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={consultation_id}")
    expect(page.locator(".live-state")).to_have_attribute("data-state", "connected")
    return Visit(consultation_id, name, patient_page, page, clinic, patient)


def call_of(page: Page) -> Locator:
    return page.get_by_role("region", name="Video call")


def remote_tile(page: Page, name: str) -> Locator:
    return call_of(page).locator("figure.tile:not(.self)").filter(has_text=name)


def expect_playing(page: Page, tile: Locator) -> None:
    video = tile.locator("video").element_handle()
    page.wait_for_function(PLAYING, arg=video, timeout=MEDIA_TIMEOUT_MS)


def answer_a_video_call(visit: Visit) -> None:
    """The clinician calls with camera, the patient answers with camera, both see the other."""
    visit.clinician.locator("#waiting-room").get_by_role("button", name="Call with camera").click()
    visit.patient.get_by_role("button", name="Answer with camera").click()
    expect_playing(visit.clinician, remote_tile(visit.clinician, visit.patient_name))
    expect_playing(visit.patient, remote_tile(visit.patient, "Dr Demo"))
