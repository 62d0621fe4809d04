"""axe-core finds no violation on the pages a person reaches before signing in.

Pages behind a session (the patient's steps, the clinic's dashboard) are checked by the
tests that walk their journeys, with `tests.e2e.accessibility.assert_accessible`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/clinic/sign-in.html", "/j/#unknown-token"])
def test_a_page_before_sign_in_has_no_accessibility_violation(
    stack: RunningStack, browser: Browser, path: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{stack.options.front_url}{path}")
        expect(page.locator("h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
    finally:
        page.close()
