"""The clinic's live pages in a real browser: the dashboard and the consultation page follow
the waiting room over the websocket, alert when someone starts waiting, and act on it.

Two kinds of tests. Those marked "frames" push `waiting_room.*` frames of the contract
straight to the clinician's connections (as the backend's push does) and check what the
pages make of them: they pin the pages down whatever the backend does. Those marked
"journey" drive a patient through the REST API as the patient page would (their own
session cookie) and check the real pushes, the SMS in the outbox and the consent records.
`ALERT_SPY` records the notification and counts the chime's oscillators.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice
from playwright.sync_api import Browser, BrowserContext, Page, expect

from devstack.demo import CLINIC_ID
from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible
from tests.e2e.clinic_live import (
    ALERT_SPY,
    ASK_SPY,
    alerts,
    consultation_soon,
    day_url,
    push_to_clinic_staff,
    wait_until_live,
)
from tests.e2e.clinic_pages import ClinicApi, sign_in
from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go (under pytest's temporary directory, to be looked at)."""
    return tmp_path_factory.mktemp("clinic-screenshots")


@pytest.fixture(scope="module")
def clinic(stack: RunningStack, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(timezone_id="America/New_York")
    context.add_init_script(ALERT_SPY)
    page = context.new_page()
    sign_in(page, stack)
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(clinic: BrowserContext) -> Iterator[Page]:
    opened = clinic.new_page()
    yield opened
    opened.close()


@pytest.fixture
def api(clinic: BrowserContext, stack: RunningStack) -> ClinicApi:
    return ClinicApi(clinic, stack)


def row_of(page: Page, consultation_id: str) -> Any:
    return page.locator(f'li[data-consultation-id="{consultation_id}"]')


def participant_frame(record: dict[str, Any], presence: str, **fields: Any) -> dict[str, Any]:
    patient = record["participants"][0]
    return {
        "type": "waiting_room.participant",
        "consultation_id": record["consultation_id"],
        "participant_id": patient["participant_id"],
        "role": "patient",
        "presence": presence,
        "waiting_since": None,
        "device_check": None,
        "join_with": None,
        "notify_when_called": False,
        **fields,
    }


def screenshot(page: Page, shots: Path, name: str) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(shots / f"{name}-{viewport['width']}.png"), full_page=True)


# -- frames ---------------------------------------------------------------------------------


def test_frames_show_a_patient_arrive_on_the_dashboard_without_a_reload_and_alert(
    stack: RunningStack, stack_app: Chalice, page: Page, api: ClinicApi, shots: Path
) -> None:
    record = consultation_soon(api)
    page.goto(day_url(stack.options.front_url, record))
    wait_until_live(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    row = row_of(page, record["consultation_id"])

    push_to_clinic_staff(stack_app, CLINIC_ID, participant_frame(record, "link_opened"))
    expect(row).to_contain_text("Patient: Opened the link")
    assert alerts(page)["notifications"] == []

    since = (datetime.now(UTC) - timedelta(minutes=4, seconds=5)).isoformat()
    check = {"camera": "green", "microphone": "green", "speaker": "untested",
             "connection": "orange", "rtt_ms": 180, "jitter_ms": 9, "loss_percent": 1,
             "bitrate_kbps": 800}
    push_to_clinic_staff(
        stack_app, CLINIC_ID,
        participant_frame(record, "waiting", waiting_since=since, device_check=check,
                          notify_when_called=True),
    )
    expect(row).to_contain_text("Waiting (waiting 4 min)")
    expect(row).to_contain_text("Some problems: camera good, microphone good, speaker not tested, connection fair")
    expect(row).to_contain_text("Wants a text when called")
    expect(page.locator("#arrival-message")).to_contain_text("is waiting.")
    assert page.evaluate("() => window.__sameDocument") is True  # no reload
    spied = alerts(page)
    assert [n["title"] for n in spied["notifications"]] == ["A patient is waiting"]
    assert spied["tones"] == 2

    # The same state again (a duplicate push) alerts no second time.
    push_to_clinic_staff(stack_app, CLINIC_ID, participant_frame(record, "waiting", waiting_since=since))
    push_to_clinic_staff(
        stack_app, CLINIC_ID,
        {"type": "waiting_room.delay", "consultation_id": record["consultation_id"],
         "delay": {"minutes": 15, "text": "An emergency", "announced_at": datetime.now(UTC).isoformat()}},
    )
    expect(row).to_contain_text("Running 15 min late")
    expect(row).to_contain_text("An emergency")
    assert len(alerts(page)["notifications"]) == 1
    assert_accessible(page)
    screenshot(page, shots, "dashboard-live")


def test_frames_update_the_consultation_page_live(
    stack: RunningStack, stack_app: Chalice, page: Page, api: ClinicApi, shots: Path
) -> None:
    record = consultation_soon(api)
    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={record['consultation_id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consultation with")
    wait_until_live(page)
    room = page.locator("#waiting-room")
    expect(room).to_contain_text("Invited")
    expect(room).not_to_contain_text("null")
    since = datetime.now(UTC).isoformat()
    push_to_clinic_staff(
        stack_app, CLINIC_ID,
        participant_frame(record, "waiting", waiting_since=since, join_with="audio",
                          device_check={"camera": "red", "microphone": "green",
                                        "speaker": "green", "connection": "green"}),
    )
    expect(room).to_contain_text("Waiting (waiting less than a minute)")
    expect(room).to_contain_text("Problems: camera not working")
    expect(room).to_contain_text("Microphone only")
    expect(page.locator("#arrival-message")).to_contain_text("is waiting.")
    assert len(alerts(page)["notifications"]) == 1
    push_to_clinic_staff(stack_app, CLINIC_ID, participant_frame(record, "in_call"))
    expect(room).to_contain_text("In the call")
    assert_accessible(page)
    screenshot(page, shots, "consultation-live")


def test_running_late_refuses_a_bad_number_of_minutes_at_the_field(
    stack: RunningStack, page: Page, api: ClinicApi, shots: Path
) -> None:
    record = consultation_soon(api)
    page.goto(day_url(stack.options.front_url, record))
    row = row_of(page, record["consultation_id"])
    row.get_by_role("button", name="Running late").click()
    dialog = page.get_by_role("dialog", name="Running late")
    minutes = dialog.get_by_label("How many minutes late?")
    expect(minutes).to_be_focused()
    minutes.fill("0")
    dialog.get_by_role("button", name="Tell the participants").click()
    expect(minutes).to_have_attribute("aria-invalid", "true")
    expect(dialog).to_contain_text("Enter a whole number of minutes from 1 to 240.")
    expect(minutes).to_be_focused()
    assert_accessible(page)
    screenshot(page, shots, "running-late-dialog")
    page.keyboard.press("Escape")
    expect(row.get_by_role("button", name="Running late")).to_be_focused()


def test_notifications_are_asked_for_once_from_a_button_never_on_load(
    stack: RunningStack, browser: Browser
) -> None:
    context = browser.new_context()
    context.add_init_script(ASK_SPY)
    try:
        page = context.new_page()
        sign_in(page, stack)
        ask = page.get_by_role("button", name="Tell me when a patient is waiting")
        expect(ask).to_be_visible()
        assert alerts(page)["asked"] == 0
        ask.click()
        expect(page.locator(".notify-control")).to_contain_text("A notification and a sound tell you")
        assert alerts(page)["asked"] == 1
        page.reload()
        expect(page.locator(".notify-control")).to_contain_text("A notification and a sound tell you")
        expect(ask).to_have_count(0)

        page.evaluate("() => localStorage.removeItem('spy.permission')")
        page.reload()
        page.get_by_role("button", name="Not now").click()
        expect(ask).to_have_count(0)
        page.reload()
        expect(page.get_by_role("heading", name="Consultations")).to_be_visible()
        expect(ask).to_have_count(0)
        assert alerts(page)["asked"] == 0
    finally:
        context.close()
