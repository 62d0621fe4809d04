"""Clinician sign-in in a real browser: ask for a link, open it from the outbox, sign out.

The link is read from the local stack's outbox, as a developer would; opening it (GET)
spends nothing, pressing "Continue" does.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from devstack.demo import CLINICIAN_EMAIL, CLINICIAN_NAME
from tests.e2e.clinic_pages import SIGN_IN_LINK
from tests.e2e.local_stack import RunningStack
from tests.e2e.outbox_reader import link_in, messages_to, wait_for_message

pytestmark = pytest.mark.browser


def test_a_clinician_signs_in_with_an_emailed_link_and_signs_out(
    stack: RunningStack, browser: Browser
) -> None:
    page = browser.new_page()
    earlier = len(messages_to(stack, "emails", CLINICIAN_EMAIL))
    try:
        page.goto(f"{stack.options.front_url}/clinic/sign-in.html")
        page.get_by_label("Work email address").fill(CLINICIAN_EMAIL)
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("status")).to_contain_text("a link is on its way")

        email = wait_for_message(stack, "emails", CLINICIAN_EMAIL, after=earlier)
        link = link_in(email, SIGN_IN_LINK)
        assert link.startswith(stack.options.front_url)
        page.goto(link)
        page.reload()  # opening the link twice spends nothing
        page.get_by_role("button", name="Continue").click()

        expect(page).to_have_url(f"{stack.options.front_url}/clinic/")
        expect(page.get_by_role("status")).to_have_text(f"Signed in as {CLINICIAN_NAME}.")
        page.get_by_role("button", name="Sign out").click()

        expect(page).to_have_url(f"{stack.options.front_url}/clinic/sign-in.html")
        after = page.request.get(f"{stack.options.front_url}/api/clinician/session")
        assert after.status == 401
    finally:
        page.close()
