"""The chat between the patient's phone-sized page and the clinician's consultation page, in
Chromium against the local stack: messages both ways, text that looks like HTML shown as
text, a message written while the connection is down sent once when it is back (even across
a reload), a photo and a PDF sent and saved by the other side, a disguised executable
refused with the server's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from devstack.demo import CLINIC_TIME_ZONE
from tests.e2e.accessibility import assert_accessible
from tests.e2e.call_pages import Visit, signed_in_clinician, visit_in
from tests.e2e.clinic_pages import ClinicApi
from tests.e2e.local_stack import RunningStack
from tests.e2e.patient_pages import expect_step
from tests.support import sample_files as files

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
PRESIGNED = re.compile(r"^https?://\S+X-Amz-Signature=")


@pytest.fixture(scope="module")
def clinician_context(stack: RunningStack, browser: Browser) -> Iterator[BrowserContext]:
    with signed_in_clinician(stack, browser, accept_downloads=True) as context:
        yield context


@pytest.fixture
def consultation(
    stack: RunningStack, browser: Browser, clinician_context: BrowserContext
) -> Iterator[Visit]:
    """A patient waiting (their page open at phone size) and the clinician's page open."""
    with visit_in(stack, browser, clinician_context) as visit:
        yield visit


def chat_of(page: Page | Locator) -> Locator:
    return page.get_by_role("region", name="Messages")


def send(page: Page | Locator, text: str) -> None:
    chat = chat_of(page)
    chat.get_by_label("Your message").fill(text)
    chat.get_by_role("button", name="Send", exact=True).click()


def messages(page: Page | Locator) -> Locator:
    return chat_of(page).locator(".chat-list > li")


def test_messages_go_both_ways_and_html_in_them_stays_text(consultation: Visit) -> None:
    patient, clinician = consultation.patient, consultation.clinician
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    for page in (patient, clinician):
        page.on("dialog", record)
    expect(chat_of(patient)).to_contain_text("No messages yet.")

    written = f"I have a rash {XSS} see https://example.org/rash-photos."
    send(patient, written)
    mine = messages(patient).last
    expect(mine).to_contain_text("Sent")
    expect(mine).to_contain_text("You")

    theirs = messages(clinician).last
    expect(theirs).to_contain_text(f"{consultation.patient_name} · Patient")
    expect(theirs.locator(".chat-text")).to_have_text(written)
    assert chat_of(clinician).locator(".chat-list img").count() == 0  # no element from the text
    link = theirs.get_by_role("link", name="https://example.org/rash-photos")
    expect(link).to_have_attribute("href", "https://example.org/rash-photos")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    assert theirs.locator("time").get_attribute("datetime")

    send(clinician, "Thank you. I will call you in a few minutes.")
    answer = messages(patient).last
    expect(answer).to_contain_text("Dr Demo · Clinician")
    expect(answer).to_contain_text("I will call you in a few minutes.")
    assert dialogs == []  # no alert() ran anywhere
    assert_accessible(patient)
    assert_accessible(clinician)


def test_a_message_written_offline_is_sent_once_when_the_connection_is_back(
    consultation: Visit,
) -> None:
    patient, clinician = consultation.patient, consultation.clinician
    context = patient.context
    context.route("**/api/ws-tickets", lambda route: route.abort())
    patient.evaluate("async () => (await import('/j/live.js')).liveChannel().socket.close()")

    send(patient, "Written in a tunnel")
    expect(messages(patient).last).to_contain_text("Sending…")
    patient.reload()  # still down: the tab's outbox keeps it
    expect_step(patient, "You are in the waiting room")
    expect(messages(patient).last).to_contain_text("Sending…")
    patient.wait_for_timeout(1000)
    expect(chat_of(clinician).get_by_text("Written in a tunnel")).to_have_count(0)

    context.unroute("**/api/ws-tickets")
    expect(messages(patient).last).to_contain_text("Sent", timeout=40_000)
    expect(chat_of(clinician).get_by_text("Written in a tunnel")).to_have_count(1)
    clinician.reload()  # what the server stored, not only what was pushed
    expect(chat_of(clinician).get_by_text("Written in a tunnel")).to_have_count(1)
    expect(chat_of(patient).get_by_text("Written in a tunnel")).to_have_count(1)


def test_a_photo_and_a_pdf_are_sent_and_saved_and_an_executable_is_refused(
    consultation: Visit, tmp_path: Path
) -> None:
    patient, clinician = consultation.patient, consultation.clinician
    located = tmp_path / "rash.jpg"
    located.write_bytes(files.jpeg_with_exif(files.tiff_with_gps()))
    with patient.expect_file_chooser() as choosing:
        chat_of(patient).get_by_role("button", name="Send a photo or document").click()
    choosing.value.set_files(str(located))
    expect(chat_of(patient).get_by_role("status")).to_have_text("rash.jpg was sent.")

    # The page re-encoded the photo: its GPS location never left the phone.
    photo = chat_of(clinician).get_by_role("button", name="Save the photo rash.jpg")
    thumbnail = photo.get_by_role("img", name="rash.jpg")
    photo.scroll_into_view_if_needed()  # its link is asked for once it is in view
    expect(thumbnail).to_have_attribute("src", PRESIGNED)
    clinician.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    with clinician.expect_download() as saving:
        photo.click()
    saved = Path(saving.value.path())
    assert saving.value.suggested_filename == "rash.jpg"
    assert saved.read_bytes()[:3] == b"\xff\xd8\xff"
    assert b"Exif" not in saved.read_bytes()

    letter = tmp_path / "letter.pdf"
    letter.write_bytes(files.pdf())
    with clinician.expect_file_chooser() as choosing:
        chat_of(clinician).get_by_role("button", name="Send a photo or document").click()
    choosing.value.set_files(str(letter))
    document = chat_of(patient).get_by_role("button", name="Save letter.pdf")
    expect(document).to_be_visible()
    with patient.expect_download() as saving:
        document.click()
    assert Path(saving.value.path()).read_bytes() == letter.read_bytes()

    disguised = tmp_path / "scan.pdf"
    disguised.write_bytes(files.EXECUTABLE)
    with patient.expect_file_chooser() as choosing:
        chat_of(patient).get_by_role("button", name="Send a photo or document").click()
    choosing.value.set_files(str(disguised))
    status = chat_of(patient).get_by_role("status")
    expect(status).to_contain_text("This file cannot be sent")
    expect(status).to_have_class("chat-status error")
    expect(chat_of(clinician).get_by_text("scan.pdf")).to_have_count(0)
    assert_accessible(patient)


def test_the_dashboard_counts_unread_messages_live_and_answers_from_a_dialog(
    consultation: Visit, clinician_context: BrowserContext, stack: RunningStack
) -> None:
    patient, cid = consultation.patient, consultation.consultation_id
    consultation.clinician.close()  # an open consultation page would read them at once
    clinic = ClinicApi(clinician_context, stack)
    today = datetime.now(ZoneInfo(CLINIC_TIME_ZONE)).date().isoformat()
    dashboard = clinician_context.new_page()
    dashboard.goto(f"{stack.options.front_url}/clinic/?day={today}")
    expect(dashboard.locator("#live-state")).to_have_attribute("data-state", "connected")
    row = dashboard.locator(f'li[data-consultation-id="{cid}"]')
    button = row.get_by_role("button", name=re.compile(r"^Messages"))
    expect(button).to_have_text("Messages")

    send(patient, "Is there parking near the clinic?")
    expect(button).to_have_text("Messages (1 new message)")
    send(patient, "And is the entrance step-free?")
    expect(button).to_have_text("Messages (2 new messages)")
    assert clinic.call("GET", f"/api/consultations/{cid}")["unread_messages"] == 2

    button.click()
    dialog = dashboard.get_by_role("dialog")
    expect(messages(dialog)).to_have_count(2)
    expect(row.get_by_role("button", name=re.compile(r"^Messages"))).to_have_text("Messages")
    assert clinic.call("GET", f"/api/consultations/{cid}")["unread_messages"] == 0
    assert_accessible(dashboard)
    send(dialog, "Yes to both: parking behind the building, and a ramp.")
    expect(messages(patient).last).to_contain_text("parking behind the building")
    send(patient, "Thank you!")  # arrives while the dialog is open: read at once
    expect(messages(dialog).last).to_contain_text("Thank you!")
    dialog.get_by_role("button", name="Close").click()
    expect(row.get_by_role("button", name=re.compile(r"^Messages"))).to_have_text("Messages")

    # The consultation page reads what arrives while its chat is in view; the dashboard, in
    # another tab, hears that from the server.
    page = clinician_context.new_page()
    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={cid}")
    expect(page.locator(".live-state")).to_have_attribute("data-state", "connected")
    chat_of(page).scroll_into_view_if_needed()
    send(patient, "See you soon.")
    expect(messages(page).last).to_contain_text("See you soon.")
    expect(row.get_by_role("button", name=re.compile(r"^Messages"))).to_have_text("Messages")
    expect(chat_of(page).locator(".unread")).to_have_text("")
