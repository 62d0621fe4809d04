"""Two Chromium pages call each other through the media worker, directly and via TURN.

Each page is the local stack's media lab: it gets a websocket ticket for a new participant
of one consultation, signals through the app (`media.config`, `media.join`) and sends its
fake camera and microphone to the worker, which forwards them to the other page. The
pages' own WebRTC statistics must show video frames decoded and audio received both ways.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser

#: Frames decoded from the other page before we call the video flowing (fake camera ~20 fps).
MIN_FRAMES = 20
CALL_TIMEOUT_S = 30
CALL_TIMEOUT_MS = CALL_TIMEOUT_S * 1000

SELECTED_LOCAL_CANDIDATE_TYPE = """async () => {
  const stats = await window.mediaLab.session.connection.getStats();
  let pair = null;
  stats.forEach((report) => {
    if (report.type === 'transport' && report.selectedCandidatePairId) {
      pair = stats.get(report.selectedCandidatePairId);
    }
  });
  return pair ? stats.get(pair.localCandidateId).candidateType : null;
}"""


def open_lab(browser: Browser, stack: RunningStack, consultation_id: str, **query: str) -> Page:
    page = browser.new_page()
    params = "&".join(
        f"{key}={value}" for key, value in {"consultation": consultation_id, **query}.items()
    )
    page.goto(f"{stack.options.front_url}/dev/media?{params}")
    page.wait_for_function("() => window.mediaLab !== undefined", timeout=CALL_TIMEOUT_MS)
    error = page.evaluate("() => window.mediaLab.error || null")
    assert error is None, f"the media lab could not join: {error}"
    return page


def wait_for_media_from_the_other(page: Page) -> dict[str, Any]:
    """The best slot's statistics once video and audio flow, or the last ones seen."""
    deadline = time.monotonic() + CALL_TIMEOUT_S
    while True:
        slots: list[dict[str, Any]] = page.evaluate("() => window.mediaLab.received()")
        best = max(slots, key=lambda slot: slot["framesDecoded"])
        flowing = best["framesDecoded"] >= MIN_FRAMES and best["audioBytesReceived"] > 0
        if flowing or time.monotonic() > deadline:
            return best
        page.wait_for_timeout(500)


@pytest.mark.parametrize("relay_only", [False, True], ids=["direct", "relay only through TURN"])
def test_two_pages_exchange_video_and_audio_through_the_worker(
    stack: RunningStack,
    browser: Browser,
    relay_only: bool,
) -> None:
    consultation_id = f"call-{uuid.uuid4().hex[:8]}"
    query = {"relay": "1"} if relay_only else {}
    pages = [open_lab(browser, stack, consultation_id, **query) for _ in range(2)]
    try:
        for page in pages:
            received = wait_for_media_from_the_other(page)
            assert received["framesDecoded"] >= MIN_FRAMES
            assert received["audioBytesReceived"] > 0
            if relay_only:
                assert page.evaluate(SELECTED_LOCAL_CANDIDATE_TYPE) == "relay"
        captions = [pages[0].locator(f"#caption-{slot}").text_content() for slot in range(3)]
        other = pages[1].evaluate("() => window.mediaLab.participantId")
        assert other in captions
    finally:
        for page in pages:
            page.close()


def test_a_page_that_joins_again_gets_media_again(stack: RunningStack, browser: Browser) -> None:
    consultation_id = f"call-{uuid.uuid4().hex[:8]}"
    pages = [open_lab(browser, stack, consultation_id) for _ in range(2)]
    try:
        wait_for_media_from_the_other(pages[0])
        pages[0].evaluate("() => window.mediaLab.session.rejoin()")  # what a failure triggers

        received = wait_for_media_from_the_other(pages[0])

        assert received["framesDecoded"] >= MIN_FRAMES  # counted on the new connection
        assert received["audioBytesReceived"] > 0
        before = wait_for_media_from_the_other(pages[1])["framesDecoded"]
        pages[1].wait_for_timeout(2000)
        after = wait_for_media_from_the_other(pages[1])["framesDecoded"]
        assert after - before >= MIN_FRAMES  # the rejoined page's video still reaches it
    finally:
        for page in pages:
            page.close()
