"""The status page in a real browser (Debian's Chromium): every component shown healthy.

States are read as text and roles, never as colours.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser


def test_the_status_page_shows_every_component_healthy(
    stack: RunningStack, browser: Browser
) -> None:
    labels = [component["label"] for component in stack.status()["components"]]
    page = browser.new_page()
    try:
        page.goto(stack.options.status_url)

        expect(page.get_by_role("heading", level=1)).to_have_text("Vestibule local stack")
        expect(page.get_by_role("status")).to_have_text(
            f"All {len(labels)} components are healthy.", timeout=30_000
        )
        table = page.get_by_role("table", name="Components, checked live")
        for label in labels:
            row = table.get_by_role("row", name=re.compile(f"^{re.escape(label)} "))
            expect(row.get_by_role("cell").first).to_have_text(re.compile("Healthy"))
    finally:
        page.close()
