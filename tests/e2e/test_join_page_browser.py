"""The participant's join page in a real browser, in the browser's then the participant's language.

Playwright's `locale` sets both `navigator.language` and the `Accept-Language` header, so
these tests see what a Finnish or German phone sees. Opening a link posts nothing; only
"Continue" does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from chalice import Chalice
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chalicelib import wiring
from devstack.demo import CLINIC_ID
from tests.e2e.local_stack import RunningStack
from tests.support import builders

pytestmark = pytest.mark.browser


@pytest.fixture
def open_page(stack: RunningStack, browser: Browser) -> Iterator[Callable[[str, str], Page]]:
    """Opens `/j/#<fragment>` in a new browser context with the given locale."""
    contexts: list[BrowserContext] = []

    def open_with(fragment: str, locale: str) -> Page:
        context = browser.new_context(locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{stack.options.front_url}/j/#{fragment}")
        return page

    yield open_with
    for context in contexts:
        context.close()


def test_an_unknown_link_is_refused_in_the_browsers_finnish(
    open_page: Callable[[str, str], Page],
) -> None:
    page = open_page("nonsense", "fi-FI")
    page.get_by_role("button", name="Jatka").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Linkki ei kelpaa")
    expect(page.get_by_role("status")).to_contain_text("Tarkista, että avasit viestisi koko linkin")
    expect(page.locator("html")).to_have_attribute("lang", "fi")


def test_a_german_browser_sees_german_labels_before_anything_is_posted(
    open_page: Callable[[str, str], Page],
) -> None:
    page = open_page("sometoken", "de-DE")
    posted: list[str] = []
    page.on(
        "request", lambda request: posted.append(request.url) if request.method != "GET" else None
    )

    expect(page.get_by_role("button", name="Weiter")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Videosprechstunde")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title("Videosprechstunde")
    assert posted == []


def test_a_french_participant_continues_in_french_whatever_the_browsers_language(
    stack: RunningStack,
    stack_app: Chalice,
    open_page: Callable[[str, str], Page],
    consultation_id: str,
) -> None:
    consultation = builders.consultation(
        consultation_id, clinic_id=CLINIC_ID, starts_at=datetime.now(UTC)
    )
    consultation.save()
    patient = builders.participant(consultation_id, "p1")  # speaks French
    patient.save()
    link = wiring.services().participant_links.issue_link(consultation, patient)

    page = open_page(link.split("#", 1)[1], "en-GB")
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    # Straight on to the first step, the terms, in French.
    expect(page.get_by_role("heading", level=1)).to_have_text("Avant de rejoindre")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Continuer", exact=True)).to_be_hidden()
    assert page.request.get(f"{stack.options.front_url}/api/participant-session").status == 200


def test_without_the_texts_the_english_in_the_page_stays(
    stack: RunningStack, browser: Browser
) -> None:
    context = browser.new_context(locale="de-DE")
    try:
        context.route("**/api/participant-texts*", lambda route: route.abort())
        page = context.new_page()
        page.goto(f"{stack.options.front_url}/j/#sometoken")
        expect(page).to_have_title("Video consultation")
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Dieser Link ist ungültig")
    finally:
        context.close()
