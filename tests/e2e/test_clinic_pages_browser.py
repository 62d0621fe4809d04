"""The clinic pages in a real browser: new consultation, day view, consultation page.

The browser runs in New York while the demo clinic is in Paris: every time shown must be the
clinic's. Consultations are 40 days ahead, so no reminder is due; each test has its own
patient name and phone number, to find its row and its messages among the others'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from devstack.demo import CLINICIAN_NAME, COLLEAGUE_EMAIL, COLLEAGUE_ID, COLLEAGUE_NAME
from tests.e2e.clinic_pages import (
    PARTICIPANT_LINK,
    ClinicApi,
    sign_in,
    unique_name,
    unique_phone,
)
from tests.e2e.local_stack import RunningStack
from tests.e2e.outbox_reader import link_in, messages_to, wait_for_message

pytestmark = pytest.mark.browser

DAY = date.today() + timedelta(days=40)


def between(start: str, end: str) -> str:
    """How the pages write a time range: the two times with an en dash between."""
    return f"{start}\N{EN DASH}{end}"


@pytest.fixture(scope="module")
def clinic(stack: RunningStack, browser: Browser) -> Iterator[BrowserContext]:
    """A browser context signed in as the demo clinician, in another time zone than Paris."""
    context = browser.new_context(timezone_id="America/New_York")
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


def open_consultation(page: Page, stack: RunningStack, record: dict[str, object]) -> str:
    consultation_id = str(record["consultation_id"])
    page.goto(f"{stack.options.front_url}/clinic/consultation.html?id={consultation_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consultation with")
    return consultation_id


def day_row(page: Page, consultation_id: str) -> Locator:
    """The day view's line of one consultation (the one that links to it)."""
    link = page.locator(f'a[href="/clinic/consultation.html?id={consultation_id}"]')
    return page.get_by_role("listitem").filter(has=link)


def test_the_form_points_at_a_bad_phone_then_the_day_lists_the_consultation(
    stack: RunningStack, page: Page
) -> None:
    name, phone = unique_name("Alice"), unique_phone()
    page.goto(f"{stack.options.front_url}/clinic/?day={DAY.isoformat()}")
    page.get_by_role("link", name="New consultation").click()
    expect(page.get_by_label("Date")).to_have_value(DAY.isoformat())
    page.get_by_label("Time", exact=True).fill("09:45")
    page.get_by_label("Patient's name").fill(name)
    phone_input = page.get_by_label("Mobile phone")
    phone_input.fill("+33 1")
    page.get_by_role("button", name="Create consultation").click()

    expect(phone_input).to_have_attribute("aria-invalid", "true")
    expect(phone_input).to_be_focused()
    expect(phone_input).to_have_accessible_description(re.compile(r"Phone is not a"))

    phone_input.fill(phone)
    page.get_by_role("button", name="Create consultation").click()

    expect(page.locator("#page-message")).to_have_text(
        "Consultation created; invitation sent by SMS."
    )
    expect(page.locator("tr[data-channel=sms]")).to_contain_text("Sent · attempt 1")
    consultation_id = parse_qs(urlparse(page.url).query)["id"][0]
    page.get_by_role("link", name="Back to the day").click()
    row = day_row(page, consultation_id)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(between("09:45", "10:05"))
    expect(row).to_contain_text("Scheduled")

    page.get_by_role("button", name="Next day").click()
    expect(page.get_by_role("textbox", name="Day")).to_have_value(
        (DAY + timedelta(days=1)).isoformat()
    )
    expect(row).to_have_count(0)
    page.go_back()  # the day is in the URL
    expect(row).to_contain_text(name)


def test_invitations_by_sms_resend_and_email_and_a_qr_code(
    stack: RunningStack, page: Page, api: ClinicApi
) -> None:
    name, phone = unique_name("Bruno"), unique_phone()
    email = f"{phone[1:]}@patients.example"
    patient = {"display_name": name, "phone": phone, "email": email, "channels": ["sms"]}
    open_consultation(page, stack, api.create_consultation(patient, day=DAY, hour=11))
    card = page.get_by_role("article", name=re.compile(re.escape(name)))
    sms_row, email_row = (
        card.locator("tr[data-channel=sms]"),
        card.locator("tr[data-channel=email]"),
    )
    expect(email_row).to_contain_text("Not sent")

    card.get_by_role("button", name="Send by SMS").click()
    expect(sms_row).to_contain_text("Sent · attempt 1")
    sms = wait_for_message(stack, "sms", phone)
    assert link_in(sms, PARTICIPANT_LINK).startswith(f"{stack.options.front_url}/j/#")

    card.get_by_role("button", name="Resend by SMS").click()
    expect(sms_row).to_contain_text("Sent · attempt 2")
    expect(card.get_by_role("button", name="Resend by SMS")).to_be_focused()
    wait_for_message(stack, "sms", phone, after=1)

    card.get_by_role("button", name="Send by email").click()
    expect(email_row).to_contain_text("Sent · attempt 1")
    assert "/j/#" in wait_for_message(stack, "emails", email)["body"]

    card.get_by_role("button", name="Show QR code").click()
    dialog = page.get_by_role("dialog", name=f"Link for {name}")
    expect(dialog.get_by_role("img", name="QR code of the personal link")).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Personal link")).to_have_value(
        re.compile(r"/j/#[\w-]+$")
    )
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)

    page.set_viewport_size({"width": 360, "height": 740})  # a small phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_reschedule_then_cancel_show_on_the_page_and_the_day_list(
    stack: RunningStack, page: Page, api: ClinicApi
) -> None:
    name = unique_name("Chloé")
    patient = {"display_name": name, "phone": unique_phone(), "channels": ["sms"]}
    consultation_id = open_consultation(
        page, stack, api.create_consultation(patient, day=DAY, hour=14)
    )
    schedule = page.locator("#schedule")
    expect(schedule).to_contain_text(between("14:00", "14:20"))

    page.get_by_role("button", name="Change schedule").click()
    form = page.get_by_role("form", name="Change schedule")
    form.get_by_label("Time").fill("15:30")
    form.get_by_label("Duration (minutes)").fill("30")
    form.get_by_role("button", name="Save changes").click()

    expect(page.locator("#page-message")).to_have_text("The schedule is changed.")
    expect(page.get_by_role("button", name="Change schedule")).to_be_focused()
    expect(schedule).to_contain_text(between("15:30", "16:00"))
    page.get_by_role("link", name="Back to the day").click()
    row = day_row(page, consultation_id)
    expect(row).to_contain_text(between("15:30", "16:00"))

    row.get_by_role("link").click()
    page.get_by_role("button", name="Cancel consultation").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, cancel the consultation").click()

    expect(schedule).to_contain_text("Cancelled")
    expect(page.get_by_role("button", name="Send by SMS")).to_have_count(0)
    page.get_by_role("link", name="Back to the day").click()
    expect(day_row(page, consultation_id)).to_contain_text("Cancelled")


def test_a_send_lost_on_the_network_is_retried_without_a_second_sms(
    stack: RunningStack, page: Page, api: ClinicApi
) -> None:
    phone = unique_phone()
    patient = {"display_name": unique_name("Farid"), "phone": phone, "channels": ["sms"]}
    open_consultation(page, stack, api.create_consultation(patient, day=DAY, hour=12))
    bodies: list[object] = []

    def lose_the_first_answer(route: Route) -> None:
        bodies.append(route.request.post_data_json)
        if len(bodies) == 1:
            route.fetch()  # the server sends the SMS...
            route.abort("connectionreset")  # ...but the browser never hears of it
        else:
            route.continue_()

    page.route("**/invitations", lose_the_first_answer)
    page.get_by_role("button", name="Send by SMS").click()

    expect(page.locator("tr[data-channel=sms]")).to_contain_text("Sent · attempt 1")
    assert bodies == [{"channel": "sms"}, {"channel": "sms", "attempt": 1}]
    assert len(messages_to(stack, "sms", phone)) == 1


def add_interpreter(page: Page, name: str) -> Locator:
    """Add an interpreter reached by email through the dialog; their card."""
    page.get_by_role("button", name="Add a guest (0 of 3)").click()
    dialog = page.get_by_role("dialog", name="Add a guest")
    dialog.get_by_label("Role").select_option(label="Interpreter")
    dialog.get_by_role("textbox", name="Name").fill(name)
    dialog.get_by_role("textbox", name="Email").fill(f"{name.split()[1]}@interpreters.example")
    dialog.get_by_role("checkbox", name="SMS").uncheck()
    dialog.get_by_role("checkbox", name="email").check()
    dialog.get_by_role("button", name="Add guest").click()
    expect(dialog).to_have_count(0)
    return page.get_by_role("article", name=re.compile(re.escape(name)))


def test_an_interpreter_is_added_and_their_phone_corrected(
    stack: RunningStack, page: Page, api: ClinicApi
) -> None:
    patient = {"display_name": unique_name("Dario"), "phone": unique_phone(), "channels": ["sms"]}
    open_consultation(page, stack, api.create_consultation(patient, day=DAY, hour=16))
    interpreter = unique_name("Ines")

    card = add_interpreter(page, interpreter)

    expect(page.locator("#page-message")).to_have_text(f"{interpreter} was added.")
    expect(card).to_contain_text("(Interpreter)")
    expect(card.locator("tr[data-channel=email]")).to_contain_text("Not sent")
    expect(page.get_by_role("button", name="Add a guest (1 of 3)")).to_be_focused()
    card.get_by_role("button", name="Remove").click()
    page.get_by_role("dialog").get_by_role("button", name="Keep it").click()
    expect(card.get_by_role("button", name="Remove")).to_be_focused()

    card.get_by_role("button", name="Edit contact details").click()
    dialog = page.get_by_role("dialog", name=f"Contact details of {interpreter}")
    phone = dialog.get_by_role("textbox", name="Mobile phone")
    phone.fill("+33 6 12")
    dialog.get_by_role("button", name="Save contact details").click()
    expect(phone).to_have_attribute("aria-invalid", "true")
    phone.fill("+33 6 12 34 56 78")
    dialog.get_by_role("button", name="Save contact details").click()
    expect(dialog).to_have_count(0)
    expect(card).to_contain_text("+33612345678")
    expect(card.locator("tr[data-channel=sms]")).to_contain_text("Not sent")


def test_a_removed_guest_is_gone(stack: RunningStack, page: Page, api: ClinicApi) -> None:
    patient = {"display_name": unique_name("Eva"), "phone": unique_phone(), "channels": ["sms"]}
    open_consultation(page, stack, api.create_consultation(patient, day=DAY, hour=17))
    interpreter = unique_name("Ines")
    card = add_interpreter(page, interpreter)

    card.get_by_role("button", name="Remove").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, remove").click()

    expect(page.locator("#page-message")).to_have_text(f"{interpreter} was removed.")
    expect(card).to_have_count(0)


def test_only_mine_hides_a_colleagues_consultation_and_the_form_offers_both(
    stack: RunningStack, page: Page, api: ClinicApi
) -> None:
    day = DAY + timedelta(days=2)
    theirs = unique_name("Otto")
    patient = {"display_name": theirs, "phone": unique_phone(), "channels": ["sms"]}
    record = api.create_consultation(patient, day=day, hour=11, clinician_ids=[COLLEAGUE_ID])
    page.goto(f"{stack.options.front_url}/clinic/?day={day.isoformat()}")
    row = day_row(page, str(record["consultation_id"]))
    expect(row).to_contain_text(theirs)

    page.get_by_label("Only mine").check()
    expect(row).to_have_count(0)
    page.get_by_label("Only mine").uncheck()
    expect(row).to_contain_text(theirs)

    page.get_by_role("link", name="New consultation").click()
    expect(page.get_by_label(CLINICIAN_NAME)).to_be_checked()
    expect(page.get_by_label(COLLEAGUE_NAME)).not_to_be_checked()


def test_after_the_session_ends_signing_in_again_returns_to_the_same_page(
    stack: RunningStack, browser: Browser
) -> None:
    context = browser.new_context()
    as_colleague = {"address": COLLEAGUE_EMAIL, "name": COLLEAGUE_NAME}
    try:
        page = context.new_page()
        sign_in(page, stack, **as_colleague)
        patient = {
            "display_name": unique_name("Rita"),
            "phone": unique_phone(),
            "channels": ["sms"],
        }
        record = ClinicApi(context, stack).create_consultation(patient, day=DAY, hour=8)
        consultation_id = open_consultation(page, stack, record)
        context.clear_cookies()  # the session ends (idle hour, twelve hours, another tab)

        page.reload()
        expect(page).to_have_url(re.compile(r"/clinic/sign-in\.html$"))
        sign_in(page, stack, **as_colleague)

        expect(page).to_have_url(
            f"{stack.options.front_url}/clinic/consultation.html?id={consultation_id}"
        )
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/clinic/sign-in\.html$"))
        sign_in(page, stack, **as_colleague)  # signing out on purpose forgets the page
        expect(page).to_have_url(f"{stack.options.front_url}/clinic/")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("remembered", "opened"),
    [
        ("/clinic/consultation.html?id=k1", "/clinic/consultation.html?id=k1"),
        ("/clinic/?day=2026-12-01&mine=true", "/clinic/?day=2026-12-01&mine=true"),
        ("//evil.example/clinic/", "/clinic/"),
        ("https://evil.example/clinic/", "/clinic/"),
        ("/dev/outbox", "/clinic/"),
        ("/clinic/sign-in.html", "/clinic/"),
        ("/clinic/../dev/", "/clinic/"),
    ],
)
def test_only_the_clinics_own_pages_are_returned_to(
    stack: RunningStack, browser: Browser, remembered: str, opened: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{stack.options.front_url}/clinic/sign-in.html")
        taken = page.evaluate(
            """async (path) => {
                localStorage.setItem("vestibule.clinic.return-to",
                                     JSON.stringify({ path, at: Date.now() }));
                const { takePlace } = await import("/clinic/return-to.js");
                return [takePlace(), takePlace()];
            }""",
            remembered,
        )
    finally:
        page.close()
    assert taken == [opened, "/clinic/"]  # taken once


def test_the_form_offers_the_languages_the_api_lists_named_by_the_browser(
    stack: RunningStack, page: Page
) -> None:
    """A language the server gains (one more catalogue) appears with no change to the page."""

    def one_more_language(route: Route) -> None:
        answer = route.fetch()
        clinic = answer.json()
        route.fulfill(response=answer, json={**clinic, "languages": [*clinic["languages"], "sv"]})

    page.route("**/api/clinic", one_more_language)
    page.goto(f"{stack.options.front_url}/clinic/new.html?day={DAY.isoformat()}")

    options = page.get_by_label("Language of the consultation").locator("option")
    expect(options).to_have_text(["German", "English", "Finnish", "French", "Swedish"])
