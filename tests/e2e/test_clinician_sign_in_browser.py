"""Clinician sign-in in a real browser: ask for a link, open it from the outbox, sign out.

The link is read from the local stack's outbox, as a developer would; opening it (GET)
spends nothing, pressing "Continue" does.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from devstack.demo import CLINICIAN_EMAIL, CLINICIAN_NAME
from tests.e2e.local_stack import RunningStack, get_json

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/clinic/sign-in\.html#token=[\w-]+")


def newest_link_to(stack: RunningStack, address: str) -> str:
    emails = get_json(f"{stack.options.outbox_url}.json")["emails"]
    for email in emails:
        if address in email["to"]:
            match = LINK.search(email["body"])
            assert match is not None, email["body"]
            return match.group(0)
    raise AssertionError(f"no email to {address} in the outbox")


def test_a_clinician_signs_in_with_an_emailed_link_and_signs_out(
    stack: RunningStack, browser: Browser
) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{stack.options.front_url}/clinic/sign-in.html")
        page.get_by_label("Work email address").fill(CLINICIAN_EMAIL)
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("status")).to_contain_text("a link is on its way")

        link = newest_link_to(stack, CLINICIAN_EMAIL)
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
