"""Page weight: the gzipped bytes a patient downloads from the link to a working waiting room.

A real Chromium (Debian's, with fake camera and microphone, as the browser tests) walks the
patient's way against a fresh local stack: open the SMS link, give the access code from the
email, accept the terms, run the device check (its connection test through the media
worker) and enter the waiting room. Every response of the page's own origin is attributed
to the step during which it arrived, and counted once, gzipped here at level 6 (what a CDN
does: the local stack serves files uncompressed, CloudFront compresses them). The budget
(60 KB) counts what a page is made of: HTML, JavaScript, CSS and fonts. The API's JSON
answers are reported beside it, not in it; media and websocket frames are not downloads.

    .venv/bin/python bench/page_weight.py

It prints a table per step and the total against the budget, and exits 1 over budget.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Response, sync_playwright  # noqa: E402

from tests.e2e import local_stack  # noqa: E402
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.clinic_pages import ClinicApi, sign_in  # noqa: E402
from tests.e2e.patient_pages import PHONE, expect_step, invite_by_sms  # noqa: E402

BUDGET_BYTES = 60 * 1024
PAGE_KINDS = {"document", "script", "stylesheet", "font"}
CHECK_TIMEOUT_MS = 60_000


@dataclass
class Step:
    name: str
    page_bytes: dict[str, int] = field(default_factory=dict)  # path -> gzipped bytes
    api_bytes: dict[str, int] = field(default_factory=dict)


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


class Meter:
    """Attributes each same-origin response to the step in progress, once per URL."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.steps: list[Step] = []
        self.seen: set[str] = set()

    def start(self, name: str) -> None:
        self.steps.append(Step(name))

    def record(self, response: Response) -> None:
        url = response.url
        if not url.startswith(self.origin) or url in self.seen or not self.steps:
            return
        kind = response.request.resource_type
        try:
            body = response.body()
        except Exception:  # noqa: BLE001 (a redirect or an aborted request has no body)
            return
        self.seen.add(url)
        path = urlsplit(url).path
        step = self.steps[-1]
        if kind in PAGE_KINDS:
            step.page_bytes[path] = gzipped(body)
        elif kind in {"fetch", "xhr"}:
            step.api_bytes[path] = step.api_bytes.get(path, 0) + gzipped(body)


def walk(stack: local_stack.RunningStack) -> Meter:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        clinic_context = browser.new_context()
        sign_in(clinic_context.new_page(), stack)
        invited = invite_by_sms(stack, ClinicApi(clinic_context, stack))

        context = browser.new_context(viewport=PHONE, locale="en-GB")
        page = context.new_page()
        meter = Meter(stack.options.front_url)
        page.on("response", meter.record)

        meter.start("link")
        page.goto(invited.link)
        page.get_by_role("button", name="Continue", exact=True).click()
        page.get_by_label("Access code").wait_for()
        page.wait_for_load_state("networkidle")

        meter.start("access code")
        page.get_by_label("Access code").fill(invited.code)
        page.get_by_role("button", name="Continue", exact=True).click()
        expect_step(page, "Before you join")
        page.wait_for_load_state("networkidle")

        meter.start("terms")
        page.get_by_label("I have read and accept").check()
        page.get_by_role("button", name="Join the consultation").click()
        expect_step(page, "Check your camera, microphone and connection")

        meter.start("device check")
        connection = page.locator(".lights li").filter(has_text="Internet connection")
        connection.filter(has_not_text="Testing").wait_for(timeout=CHECK_TIMEOUT_MS)
        page.get_by_role("button", name="Join with camera and microphone").click()

        meter.start("waiting room")
        expect_step(page, "You are in the waiting room")
        page.wait_for_load_state("networkidle")
        browser.close()
        return meter


def report(meter: Meter) -> int:
    total = 0
    api_total = 0
    print(f"{'step':<14} {'page (gzip)':>12} {'api (gzip)':>11}  files")
    for step in meter.steps:
        page = sum(step.page_bytes.values())
        api = sum(step.api_bytes.values())
        total += page
        api_total += api
        files = ", ".join(f"{path} {size}" for path, size in sorted(step.page_bytes.items()))
        print(f"{step.name:<14} {page:>12,} {api:>11,}  {files}")
    verdict = "within" if total <= BUDGET_BYTES else "OVER"
    print(
        f"{'total':<14} {total:>12,} {api_total:>11,}\n"
        f"page bytes to a working waiting room: {total / 1024:.1f} KB gzipped, "
        f"{verdict} the {BUDGET_BYTES // 1024} KB budget ({100 * total / BUDGET_BYTES:.0f}%)"
    )
    return 0 if total <= BUDGET_BYTES else 1


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        stack = local_stack.start(Path(directory))
        try:
            meter = walk(stack)
        finally:
            local_stack.stop(stack, check=False)
    return report(meter)


if __name__ == "__main__":
    sys.exit(main())
