"""The patient's page in Chromium with fake devices, against the local stack.

A patient opens the SMS link (after a link-preview bot fetched it), gives the code from the
email, accepts the terms, runs the device check with a green connection through the media
worker's echo, and waits; a reload and another device land in the waiting room; the
clinician's delay shows live; "text me" brings an SMS when the clinician starts. Every
step passes axe-core at 360 px and desktop width, and each is saved as a 360 px screenshot
(`PATIENT_SCREENSHOTS`, default the test's temporary directory) to be looked at.
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.clinic_pages import PARTICIPANT_LINK, ClinicApi, sign_in
from tests.e2e.local_stack import RunningStack
from tests.e2e.outbox_reader import link_in, messages_to, wait_for_message
from tests.e2e.patient_pages import (
    ACCESS_CODE,
    PHONE,
    Invited,
    expect_step,
    invite_by_sms,
    join,
)

pytestmark = pytest.mark.browser

WHATSAPP_ANDROID = (
    "Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 WhatsApp/2.23.24.76"
)
#: User agents of in-app browsers (and two real browsers), with the app each one is.
IN_APP_AGENTS = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.0;FBDV/iPhone14,5]": "Facebook",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 "
    "Mobile Safari/537.36 Instagram 307.0.0.34.111 Android": "Instagram",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/119.0 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/430.0]": "Messenger",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 Safari Line/13.17.0": "LINE",
    WHATSAPP_ANDROID: "WhatsApp",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 "
    "Mobile Safari/537.36": None,
    "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/23.0 Chrome/115.0 Mobile Safari/537.36": None,
}
NewContext = Callable[..., BrowserContext]
#: The connection test runs about 10 seconds; a loaded machine may need more.
CHECK_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def clinic(stack: RunningStack, browser: Browser) -> Iterator[ClinicApi]:
    context = browser.new_context()
    sign_in(context.new_page(), stack)
    yield ClinicApi(context, stack)
    context.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Makes phone-sized browser contexts (each a device of its own), closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(user_agent: str | None = None) -> BrowserContext:
        context = browser.new_context(viewport=PHONE, locale="en-GB", user_agent=user_agent)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("PATIENT_SCREENSHOTS", tmp_path))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def snap(page: Page, directory: Path, name: str) -> None:
    """A 360 px screenshot of the whole page, then axe-core at 360 px and desktop width."""
    page.set_viewport_size({"width": 320, "height": 640})  # the smallest phones
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
    assert_accessible(page)
    page.set_viewport_size(PHONE)


def accept_terms(page: Page) -> None:
    expect_step(page, "Before you join")
    join_button = page.get_by_role("button", name="Join the consultation")
    expect(join_button).to_be_disabled()
    page.get_by_label("I have read and accept").check()
    join_button.click()


def check_devices(page: Page) -> None:
    expect_step(page, "Check your camera, microphone and connection")
    connection = page.locator(".lights li").filter(has_text="Internet connection")
    expect(connection).not_to_contain_text("Testing", timeout=CHECK_TIMEOUT_MS)
    figures = [connection.get_attribute("data-figures")]
    if "Working" not in connection.inner_text():
        # On loopback only a starved CPU makes jitter: the patient's "test again", once.
        page.get_by_role("button", name="Test the connection again").click()
        expect(connection).not_to_contain_text("Testing", timeout=CHECK_TIMEOUT_MS)
        figures.append(connection.get_attribute("data-figures"))
    expect(connection, f"the connection tests measured {figures}").to_contain_text("Working")
    expect(page.locator(".lights li").filter(has_text="Camera")).to_contain_text("Working")


def participant_of(clinic: ClinicApi, invited: Invited) -> dict[str, object]:
    record = clinic.call("GET", f"/api/consultations/{invited.consultation_id}")
    [me] = [p for p in record["participants"] if p["participant_id"] == invited.participant_id]
    return dict(me)


def test_from_the_sms_link_to_the_waiting_room_and_back_on_reload_and_another_device(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext, screenshots: Path
) -> None:
    invited = invite_by_sms(stack, clinic)
    # A link-preview bot fetches the link first: a plain GET, which must change nothing.
    with urllib.request.urlopen(invited.link) as preview:  # noqa: S310 (the local stack)
        assert preview.status == 200
    page = new_context().new_page()
    page.goto(invited.link)
    snap(page, screenshots, "1-link")
    join(page, invited)

    accept_terms(page)  # the screenshot of the terms is taken before ticking, below
    check_devices(page)
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    sound = page.locator(".lights li").filter(has_text="Sound")
    expect(sound).to_contain_text("Not tested")
    page.get_by_role("button", name="Play a test sound").click()
    page.get_by_role("button", name="I heard it").click()
    expect(sound).to_contain_text("Working")
    snap(page, screenshots, "3-device-check")
    page.get_by_role("button", name="Join with camera and microphone").click()

    expect_step(page, "You are in the waiting room")
    expect(page.get_by_text("Dr Demo will call you here")).to_be_visible()
    expect(page.locator("#clinic-name")).to_have_text("Demo Clinic")
    snap(page, screenshots, "4-waiting-room")
    me = participant_of(clinic, invited)
    assert me["presence"] == "waiting"
    assert me["join_with"] == "video"
    assert me["device_check"]["connection"] == "green"  # type: ignore[index]
    assert me["device_check"]["speaker"] == "green"  # type: ignore[index]

    page.reload()  # lands in the waiting room, not on "Continue"
    expect_step(page, "You are in the waiting room")

    other_device = new_context().new_page()
    join(other_device, invited)
    expect_step(other_device, "You are in the waiting room")

    clinic.call(
        "POST",
        f"/api/consultations/{invited.consultation_id}/delay",
        {"minutes": 15, "text": "An emergency, sorry."},
    )
    expect(page.get_by_text("running about 15 minutes late")).to_be_visible()
    expect(page.get_by_text("An emergency, sorry.")).to_be_visible()
    wait_for_message(stack, "sms", invited.phone, after=1)  # the delay's SMS

    clinic.call("POST", f"/api/consultations/{invited.consultation_id}/start", {})
    expect(page.get_by_role("alert")).to_have_text("Dr Demo is calling you now")
    expect_step(page, "It's your turn")
    expect(page.get_by_text("About 15 to")).to_be_hidden()
    snap(page, screenshots, "4b-called")


def test_after_a_lost_connection_the_waiting_room_catches_up_and_the_language_switches(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext
) -> None:
    invited = invite_by_sms(stack, clinic)
    context = new_context()
    page = context.new_page()
    join(page, invited)
    accept_terms(page)
    check_devices(page)
    page.get_by_role("button", name="Join with microphone only").click()
    expect_step(page, "You are in the waiting room")

    # The websocket drops and cannot come back for a while (no ticket): a delay announced
    # meanwhile is pushed to nobody; once reconnected, the page reads the waiting room again.
    context.route("**/api/ws-tickets", lambda route: route.abort())
    page.evaluate("async () => (await import('/j/live.js')).liveChannel().socket.close()")
    clinic.call("POST", f"/api/consultations/{invited.consultation_id}/delay", {"minutes": 20})
    page.wait_for_timeout(1500)
    expect(page.get_by_text("running about 20 minutes late")).to_have_count(0)
    context.unroute("**/api/ws-tickets")
    expect(page.get_by_text("running about 20 minutes late")).to_be_visible(timeout=40_000)

    page.get_by_label("Language").select_option("fi")
    expect_step(page, "Olet odotushuoneessa")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    room = page.request.get(f"{stack.options.front_url}/api/participant/waiting-room").json()
    assert room["me"]["language"] == "fi"
    page.reload()
    expect_step(page, "Olet odotushuoneessa")

    # The backend pushes no `waiting_room.consultation` frame on cancel yet: the reload says it.
    clinic.call("POST", f"/api/consultations/{invited.consultation_id}/cancel", {})
    page.reload()
    expect_step(page, "Tämä vastaanotto on peruttu")


def test_text_me_then_close_the_page_and_the_start_sends_the_link(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext, screenshots: Path
) -> None:
    invited = invite_by_sms(stack, clinic)
    page = new_context().new_page()
    join(page, invited)
    accept_terms(page)
    check_devices(page)
    page.get_by_role("button", name="Join with microphone only").click()
    expect_step(page, "You are in the waiting room")

    page.get_by_role("button", name="Text me when it's my turn").click()
    expect(page.get_by_text("You may close this page")).to_be_visible()
    expect(page.get_by_role("button", name="Don't text me")).to_have_attribute(
        "aria-pressed", "true"
    )
    snap(page, screenshots, "5-text-me")
    page.close()

    before = len(messages_to(stack, "sms", invited.phone))
    email = f"{invited.phone[1:]}@patients.example"
    emails_before = len(messages_to(stack, "emails", email))
    clinic.call("POST", f"/api/consultations/{invited.consultation_id}/start", {})
    sms = wait_for_message(stack, "sms", invited.phone, after=before)
    link = link_in(sms, PARTICIPANT_LINK)
    assert link.startswith(f"{stack.options.front_url}/j/#")

    # Opening the texted link (its own code comes by email) rings at once.
    code = link_in(wait_for_message(stack, "emails", email, after=emails_before), ACCESS_CODE)
    page = new_context().new_page()
    join(page, Invited(**{**invited.__dict__, "link": link, "code": code}))
    expect(page.get_by_role("alert")).to_have_text("Dr Demo is calling you now")
    expect(page.get_by_role("button", name="Answer with camera")).to_be_visible()


def test_the_terms_and_the_receipt_page(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext, screenshots: Path
) -> None:
    invited = invite_by_sms(stack, clinic)
    context = new_context()
    page = context.new_page()
    join(page, invited)
    expect_step(page, "Before you join")
    expect(page.get_by_text("Step 1 of 3")).to_be_visible()
    snap(page, screenshots, "2-terms")

    # The clinic saves new terms while the patient reads the old ones: 409, asked again.
    new_text = f"New terms of Demo Clinic for {invited.name}."
    clinic.call("POST", "/api/clinic/terms", {"texts": {"en": new_text}})
    page.get_by_label("I have read and accept").check()
    page.get_by_role("button", name="Join the consultation").click()
    expect(page.get_by_text("The clinic has just updated its terms")).to_be_visible()
    expect(page.get_by_text(new_text)).to_be_visible()
    accept_terms(page)
    expect_step(page, "Check your camera, microphone and connection")

    receipt = context.new_page()
    receipt.goto(f"{stack.options.front_url}/j/receipt.html")
    expect(receipt.get_by_role("heading", level=1)).to_have_text("Your consent receipt")
    expect(receipt.locator("#clinic")).to_have_text("Demo Clinic")
    expect(receipt.locator("#sha")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(receipt.get_by_text(new_text)).to_be_visible()
    snap(receipt, screenshots, "6-receipt")


def test_before_the_window_the_page_counts_down_and_offers_the_device_check(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext, screenshots: Path
) -> None:
    invited = invite_by_sms(stack, clinic, starts_in=timedelta(hours=3))
    page = new_context().new_page()
    join(page, invited)
    accept_terms(page)
    check_devices(page)
    page.get_by_role("button", name="Join with camera and microphone").click()

    expect_step(page, "Joining opens soon")
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^Opens in 2 h \d+ min$"))
    snap(page, screenshots, "7-before-the-window")
    assert participant_of(clinic, invited)["presence"] != "waiting"
    page.get_by_role("button", name="Check camera and microphone now").click()
    expect_step(page, "Check your camera, microphone and connection")


def test_an_in_app_browser_is_asked_to_open_the_link_in_the_phones_browser(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext, screenshots: Path
) -> None:
    invited = invite_by_sms(stack, clinic)
    page = new_context(user_agent=WHATSAPP_ANDROID).new_page()
    page.goto(invited.link)

    expect_step(page, "Open this page in your browser")
    expect(page.get_by_text("inside WhatsApp")).to_be_visible()
    token = invited.link.split("#", 1)[1]
    intent = page.get_by_role("link", name="Open in Chrome")
    expect(intent).to_have_attribute(
        "href",
        re.compile(
            rf"^intent://[^#]+/j/#{re.escape(token)}#Intent;scheme=https;package=com\.android\.chrome;end$"
        ),
    )
    snap(page, screenshots, "0-in-app-browser")

    detected = page.evaluate(
        "async (agents) => { const { inAppBrowser } = await import('/j/in-app.js');"
        " return agents.map(inAppBrowser); }",
        list(IN_APP_AGENTS),
    )
    assert detected == list(IN_APP_AGENTS.values())

    page.get_by_role("button", name="Continue here anyway").click()
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_label("Access code")).to_be_visible()


def test_continue_on_my_phone_shows_the_link_as_a_qr_code_segno_would_draw(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext
) -> None:
    segno = pytest.importorskip("segno")
    invited = invite_by_sms(stack, clinic)
    page = new_context().new_page()
    join(page, invited)
    expect_step(page, "Before you join")
    page.get_by_role("button", name="Continue on my phone").click()
    expect(page.get_by_role("img", name="QR code of your link to this page")).to_be_visible()

    # The encoder module for module against segno, for texts that fill their version (segno
    # pads a partly filled symbol differently, which any reader ignores), masks forced alike.
    for length in (26, 84, 122, 213):
        text = (invited.link * 4)[:length]
        expected = segno.make_qr(text, error="m", mode="byte", boost_error=False)
        drawn = page.evaluate(
            "async ([text, mask]) => (await import('/shared/qr.js')).qrModules(text, {mask})"
            ".map((row) => row.map((dark) => (dark ? 1 : 0)).join(''))",
            [text, expected.mask],
        )
        assert drawn == ["".join(str(int(bool(v))) for v in row) for row in expected.matrix]


#: The browser refuses the camera and another app holds the microphone.
REFUSED_DEVICES = """
navigator.mediaDevices.getUserMedia = async (constraints) => {
  if (constraints.video) throw new DOMException('denied', 'NotAllowedError');
  throw new DOMException('in use', 'NotReadableError');
};
"""


def test_a_refused_camera_and_a_busy_microphone_say_what_to_do_and_never_block(
    stack: RunningStack, clinic: ClinicApi, new_context: NewContext, screenshots: Path
) -> None:
    invited = invite_by_sms(stack, clinic)
    context = new_context()
    context.add_init_script(REFUSED_DEVICES)
    page = context.new_page()
    join(page, invited)
    accept_terms(page)

    expect_step(page, "Check your camera, microphone and connection")
    camera = page.locator(".lights li").filter(has_text="Camera")
    microphone = page.locator(".lights li").filter(has_text="Microphone")
    expect(camera).to_contain_text("Not working")
    expect(camera).to_contain_text("Click the camera icon or the padlock left of the address")
    expect(microphone).to_contain_text("Close the other app")
    # The connection test still runs, with a generated silent sound through the echo.
    connection = page.locator(".lights li").filter(has_text="Internet connection")
    expect(connection).not_to_contain_text("Testing", timeout=CHECK_TIMEOUT_MS)
    expect(connection).not_to_contain_text("Not working")
    expect(page.locator(".preview-box")).to_be_hidden()
    expect(page.locator("#view button.primary")).to_have_text("Join with microphone only")
    snap(page, screenshots, "3b-device-check-refused")

    page.get_by_role("button", name="Join with microphone only").click()
    expect_step(page, "You are in the waiting room")
    check = participant_of(clinic, invited)["device_check"]
    assert check["camera"] == "red" and check["microphone"] == "red"  # type: ignore[index]
