"""The settings page in a real browser: the clinic's waiting-room settings and the
clinician's own mobile number, errors at their field, a change kept across a reload, and
axe-core clean. The demo clinic's join window is put back afterwards: other tests use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.clinic_pages import ClinicApi, sign_in
from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser

JOIN_WINDOW = "Waiting room opens (minutes before the appointment)"


@pytest.fixture
def signed_in(stack: RunningStack, browser: Browser) -> Iterator[tuple[Page, ClinicApi]]:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, stack)
    api = ClinicApi(context, stack)
    before = api.call("GET", "/api/clinic")["settings"]
    yield page, api
    api.call(
        "PATCH",
        "/api/clinic/settings",
        {"join_opens_minutes_before": before["join_opens_minutes_before"]},
    )
    api.call("PUT", "/api/clinician/phone", {"phone": None})
    context.close()


def test_a_changed_join_window_is_kept_and_errors_show_at_their_field(
    stack: RunningStack, signed_in: tuple[Page, ClinicApi]
) -> None:
    page, api = signed_in
    page.goto(f"{stack.options.front_url}/clinic/")
    page.get_by_role("navigation", name="Clinic pages").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Waiting room settings")).to_be_visible()
    expect(page.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    join = page.get_by_label(JOIN_WINDOW)
    expect(join).to_have_value(
        str(api.call("GET", "/api/clinic")["settings"]["join_opens_minutes_before"])
    )
    assert_accessible(page)

    join.fill("150")
    page.get_by_role("button", name="Save settings").click()
    expect(join).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#join-window-error")).to_have_text("Enter a whole number from 0 to 120.")

    phone = page.get_by_label("Mobile number for SMS late notices")
    phone.fill("0612345678")  # no country code: the server names the field
    page.get_by_role("button", name="Save mobile number").click()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone-error")).to_be_visible()
    assert_accessible(page)  # with both errors shown

    join.fill("25")
    chat_after_end = page.get_by_label("Participants can read the chat after the consultation ends")
    expect(chat_after_end).to_be_checked()  # the default
    chat_after_end.uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-message")).to_have_text(
        "Settings saved. They apply to every consultation from now on."
    )
    expect(join).not_to_have_attribute("aria-invalid", "true")

    page.reload()
    expect(page.get_by_label(JOIN_WINDOW)).to_have_value("25")
    settings = api.call("GET", "/api/clinic")["settings"]
    assert (settings["join_opens_minutes_before"], settings["chat_after_end"]) == (25, False)
    expect(chat_after_end).not_to_be_checked()

    chat_after_end.check()  # back to the default, which the other browser tests expect
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-message")).to_contain_text("Settings saved.")
    assert api.call("GET", "/api/clinic")["settings"]["chat_after_end"] is True
