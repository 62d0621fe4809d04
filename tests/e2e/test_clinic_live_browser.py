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

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chalicelib.store.models import Connection
from devstack.demo import CLINIC_ID
from tests.e2e import local_stack
from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible
from tests.e2e.clinic_live import (
    ALERT_SPY,
    ASK_SPY,
    FRAME_SPY,
    OTHER_CLINICIAN_EMAIL,
    OTHER_CLINICIAN_NAME,
    alerts,
    consultation_soon,
    day_url,
    frames_of,
    push_to_clinic_staff,
    seed_other_clinic,
    wait_until_live,
)
from tests.e2e.clinic_pages import PARTICIPANT_LINK, ClinicApi, sign_in
from tests.e2e.local_stack import RunningStack
from tests.e2e.outbox_reader import messages_to, wait_for_message
from tests.e2e.waiting_patient import Patient

pytestmark = pytest.mark.browser

GRANTED = "A notification and a sound tell you when a patient is waiting."


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
    check = {
        "camera": "green",
        "microphone": "green",
        "speaker": "untested",
        "connection": "orange",
        "rtt_ms": 180,
        "jitter_ms": 9,
        "loss_percent": 1,
        "bitrate_kbps": 800,
    }
    push_to_clinic_staff(
        stack_app,
        CLINIC_ID,
        participant_frame(
            record, "waiting", waiting_since=since, device_check=check, notify_when_called=True
        ),
    )
    expect(row).to_contain_text("Waiting (waiting 4 min)")
    expect(row).to_contain_text(
        "Some problems: camera good, microphone good, speaker not tested, connection fair"
    )
    expect(row).to_contain_text("Wants a text when called")
    expect(page.locator("#arrival-message")).to_contain_text("is waiting.")
    assert page.evaluate("() => window.__sameDocument") is True  # no reload
    spied = alerts(page)
    assert [n["title"] for n in spied["notifications"]] == ["A patient is waiting"]
    assert spied["tones"] == 2

    # The same state again (a duplicate push) alerts no second time.
    push_to_clinic_staff(
        stack_app, CLINIC_ID, participant_frame(record, "waiting", waiting_since=since)
    )
    push_to_clinic_staff(
        stack_app,
        CLINIC_ID,
        {
            "type": "waiting_room.delay",
            "consultation_id": record["consultation_id"],
            "delay": {
                "minutes": 15,
                "text": "An emergency",
                "announced_at": datetime.now(UTC).isoformat(),
            },
        },
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
    page.clock.install()  # "waiting N min" is counted on with the page's own clock
    seen = f"/api/consultations/{record['consultation_id']}/seen"
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(seen)):
        page.goto(
            f"{stack.options.front_url}/clinic/consultation.html?id={record['consultation_id']}"
        )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consultation with")
    wait_until_live(page)
    room = page.locator("#waiting-room")
    expect(room).to_contain_text("Invited")
    expect(room).not_to_contain_text("null")
    since = (datetime.now(UTC) - timedelta(seconds=45)).isoformat()
    push_to_clinic_staff(
        stack_app,
        CLINIC_ID,
        participant_frame(
            record,
            "waiting",
            waiting_since=since,
            join_with="audio",
            device_check={
                "camera": "red",
                "microphone": "green",
                "speaker": "green",
                "connection": "green",
            },
        ),
    )
    expect(room).to_contain_text("Waiting (waiting less than a minute)")
    page.clock.fast_forward(30_000)
    expect(room).to_contain_text("Waiting (waiting 1 min)")
    expect(room).to_contain_text("Problems: camera not working")
    expect(room).to_contain_text("Microphone only")
    expect(page.locator("#arrival-message")).to_contain_text("is waiting.")
    assert len(alerts(page)["notifications"]) == 1
    push_to_clinic_staff(stack_app, CLINIC_ID, participant_frame(record, "in_call"))
    expect(room).to_contain_text("In the call")
    expect(page.locator("#arrival-message")).to_be_empty()  # old news is taken away
    consents = f"/api/consultations/{record['consultation_id']}/consents"
    with page.expect_request(lambda r: r.method == "GET" and r.url.endswith(consents)):
        push_to_clinic_staff(
            stack_app,
            CLINIC_ID,
            {
                "type": "waiting_room.consent",
                "consultation_id": record["consultation_id"],
                "participant_id": record["participants"][0]["participant_id"],
                "terms_version": 0,
                "accepted_at": datetime.now(UTC).isoformat(),
            },
        )
    assert_accessible(page)
    screenshot(page, shots, "consultation-live")


def staff_connections() -> set[str]:
    return {c.connection_id for c in Connection.by_clinic_staff.query(CLINIC_ID)}


def test_after_the_server_cuts_the_connection_the_dashboard_reconnects_and_reads_again(
    stack: RunningStack, stack_app: Chalice, page: Page, api: ClinicApi, management_client: Any
) -> None:
    record = consultation_soon(api)
    before = staff_connections()
    page.goto(day_url(stack.options.front_url, record))
    wait_until_live(page)
    ours = staff_connections() - before  # this page's, not those of pages closed earlier
    assert len(ours) == 1, ours
    with page.expect_request(
        lambda r: r.method == "GET" and "/api/consultations?day=" in r.url, timeout=15_000
    ):
        for connection_id in ours:
            management_client.delete_connection(ConnectionId=connection_id)
        expect(page.locator(".live-state")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator(".live-state")).to_have_attribute("data-state", "connected")


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
        expect(page.locator(".notify-control")).to_contain_text(GRANTED)
        assert alerts(page)["asked"] == 1
        page.reload()
        expect(page.locator(".notify-control")).to_contain_text(GRANTED)
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


# -- every clinic page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "ready"),
    [
        ("sign-in", "/clinic/sign-in.html", "Clinic sign-in"),
        ("dashboard", "/clinic/", "Consultations"),
        ("new-consultation", "/clinic/new.html", "New consultation"),
        ("consultation", "/clinic/consultation.html?id={id}", "Consultation with"),
        ("terms", "/clinic/terms.html", "Terms and data protection"),
    ],
)
def test_every_clinic_page_has_no_accessibility_violation_at_360_px_and_desktop(
    stack: RunningStack, page: Page, api: ClinicApi, shots: Path, name: str, path: str, ready: str
) -> None:
    record = consultation_soon(api)
    page.goto(f"{stack.options.front_url}{path.format(id=record['consultation_id'])}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ready)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    screenshot(page, shots, name)


# -- journeys: a patient through the REST API, the real pushes ------------------------------


@pytest.fixture(scope="module")
def other_clinic(stack: RunningStack, browser: Browser) -> Iterator[BrowserContext]:
    """A clinician of ANOTHER clinic, signed in, their page's frames recorded."""
    seed_other_clinic(local_stack.app_for(stack))
    context = browser.new_context()
    context.add_init_script(FRAME_SPY)
    page = context.new_page()
    sign_in(page, stack, address=OTHER_CLINICIAN_EMAIL, name=OTHER_CLINICIAN_NAME)
    page.close()
    yield context
    context.close()


@pytest.fixture
def patient(browser: Browser, stack: RunningStack) -> Iterator[Patient]:
    arriving = Patient(browser, stack)
    yield arriving
    arriving.close()


def test_a_patient_arriving_shows_on_the_dashboard_live_and_no_other_clinic_hears_of_it(
    stack: RunningStack,
    page: Page,
    api: ClinicApi,
    patient: Patient,
    other_clinic: BrowserContext,
    shots: Path,
) -> None:
    record = consultation_soon(api)
    consultation_id = record["consultation_id"]
    patient_id = record["participants"][0]["participant_id"]
    elsewhere = other_clinic.new_page()
    elsewhere.goto(f"{stack.options.front_url}/clinic/")
    wait_until_live(elsewhere)
    page.goto(day_url(stack.options.front_url, record))
    wait_until_live(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    row = row_of(page, consultation_id)

    patient.open_link(api, consultation_id, patient_id)
    expect(row).to_contain_text("Patient: Opened the link")
    patient.accept_terms()
    expect(row).to_contain_text("Patient: Accepted the terms")
    patient.check_devices()
    expect(row).to_contain_text("Patient: Checked their device")
    expect(row).to_contain_text("Some problems: camera good, microphone good")
    assert alerts(page)["notifications"] == []
    patient.wait()
    expect(row).to_contain_text("Patient: Waiting (waiting less than a minute)")
    expect(page.locator("#arrival-message")).to_contain_text(
        f"{record['participants'][0]['display_name']}"
    )
    assert page.evaluate("() => window.__sameDocument") is True
    spied = alerts(page)
    assert [n["title"] for n in spied["notifications"]] == ["A patient is waiting"]
    assert spied["tones"] == 2
    screenshot(page, shots, "dashboard-patient-waiting")

    # The other clinic's dashboard was connected all along and heard nothing of it.
    elsewhere.wait_for_timeout(500)
    assert frames_of(elsewhere, consultation_id) == []
    assert row_of(elsewhere, consultation_id).count() == 0
    elsewhere.close()


def test_running_late_from_the_consultation_page_reaches_the_waiting_patient_by_sms(
    stack: RunningStack, page: Page, api: ClinicApi, patient: Patient
) -> None:
    record = consultation_soon(api)
    consultation_id = record["consultation_id"]
    phone = record["participants"][0]["phone"]
    patient.open_link(api, consultation_id, record["participants"][0]["participant_id"])
    patient.accept_terms()
    patient.wait()
    earlier = len(messages_to(stack, "sms", phone))

    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={consultation_id}")
    room = page.locator("#waiting-room")
    expect(room).to_contain_text("Waiting (waiting")
    room.get_by_role("button", name="Running late").click()
    dialog = page.get_by_role("dialog", name="Running late")
    dialog.get_by_label("How many minutes late?").fill("15")
    dialog.get_by_label("Short message (optional)").fill("An emergency")
    dialog.get_by_role("button", name="Tell the participants").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#page-message")).to_contain_text("Delay announced: Running 15 min late")
    expect(room).to_contain_text("Running 15 min late")
    expect(room).to_contain_text("An emergency")
    sms = wait_for_message(stack, "sms", phone, after=earlier)
    assert "15" in sms["body"]
    assert patient.waiting_room()["delay"]["minutes"] == 15

    room.get_by_role("button", name="Call with camera").click()
    expect(page.locator("#page-message")).to_have_text(
        "Started: the waiting participants are called in."
    )
    assert patient.waiting_room()["consultation"]["call_number"] == 1


def test_a_call_from_the_dashboard_texts_the_patient_who_asked_and_opens_the_call(
    stack: RunningStack, page: Page, api: ClinicApi, patient: Patient
) -> None:
    record = consultation_soon(api)
    consultation_id = record["consultation_id"]
    phone = record["participants"][0]["phone"]
    patient.open_link(api, consultation_id, record["participants"][0]["participant_id"])
    patient.accept_terms()
    patient.wait()
    earlier = len(messages_to(stack, "sms", phone))

    page.goto(day_url(stack.options.front_url, record))
    wait_until_live(page)
    row = row_of(page, consultation_id)
    patient.call("PUT", "/api/participant/notify-when-called", {"enabled": True})
    expect(row).to_contain_text("Wants a text when called")
    row.get_by_role("button", name="Call with sound only").click()
    # The clinician goes to the consultation page, into the call they started.
    expect(page).to_have_url(
        re.compile(rf"/clinic/consultation\.html\?id={consultation_id}&call=audio$")
    )
    sms = wait_for_message(stack, "sms", phone, after=earlier)
    assert PARTICIPANT_LINK.search(sms["body"]), sms["body"]


def test_the_consultation_page_lists_each_acceptance_with_its_version_and_time(
    stack: RunningStack, page: Page, api: ClinicApi, patient: Patient, shots: Path
) -> None:
    record = consultation_soon(api)
    consultation_id = record["consultation_id"]
    patient.open_link(api, consultation_id, record["participants"][0]["participant_id"])
    terms = patient.accept_terms()
    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={consultation_id}")
    number = terms["version"]
    version = "the default terms (version 0)" if number == 0 else f"version {number} of"
    patient_row = (
        page.locator("#consents")
        .get_by_role("listitem")
        .filter(has_text=record["participants"][0]["display_name"])
    )
    expect(patient_row).to_contain_text(version)
    expect(patient_row).to_contain_text("in English on")
    expect(patient_row.locator("time")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, shots, "consultation-consents")


def test_the_consultation_page_shows_who_accepted_which_terms_live(
    stack: RunningStack, page: Page, api: ClinicApi, patient: Patient
) -> None:
    record = consultation_soon(api)
    consultation_id = record["consultation_id"]
    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={consultation_id}")
    consents = page.locator("#consents")
    expect(consents).to_contain_text("Nobody has accepted the terms yet.")
    wait_until_live(page)
    patient.open_link(api, consultation_id, record["participants"][0]["participant_id"])
    terms = patient.accept_terms()
    number = terms["version"]
    version = "the default terms (version 0)" if number == 0 else f"version {number} of"
    patient_row = consents.get_by_role("listitem").filter(
        has_text=record["participants"][0]["display_name"]
    )
    expect(patient_row).to_contain_text(version)
    expect(patient_row).to_contain_text("in English on")
    expect(page.locator("#waiting-room")).to_contain_text("Accepted the terms")
    assert_accessible(page)


def test_the_terms_editor_saves_a_new_version_that_the_next_participant_is_shown(
    stack: RunningStack, page: Page, api: ClinicApi, patient: Patient, shots: Path
) -> None:
    page.goto(f"{stack.options.front_url}/clinic/terms.html")
    current = page.locator("#current")
    expect(current).to_contain_text("In use:")
    before = int(page.locator("#versions > li").first.get_attribute("data-version") or 0)
    english = page.get_by_label("English (en)")
    expect(english).not_to_have_value("")  # the current text, or the catalogue's default
    text = f"Terms of the e2e clinic {datetime.now(UTC).isoformat()}: we keep your data safe."
    english.fill(text)
    page.get_by_role("button", name="Save as new version").click()
    expect(page.locator("#terms-message")).to_have_text(
        f"Saved as version {before + 1}. Participants are asked to accept it before they join."
    )
    expect(current).to_have_text(f"In use: version {before + 1}.")
    newest = page.locator("#versions > li").first
    expect(newest).to_contain_text(f"Version {before + 1}")
    expect(newest).to_contain_text("by Dr Demo")
    expect(english).to_have_value(text)
    assert_accessible(page)
    screenshot(page, shots, "terms-saved")

    record = consultation_soon(api)
    patient.open_link(api, record["consultation_id"], record["participants"][0]["participant_id"])
    shown = patient.waiting_room()["terms"]
    assert (shown["version"], shown["text"]) == (before + 1, text)
