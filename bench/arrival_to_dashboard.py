"""Arrival latency: from the patient's tap on "Join" to the clinician's dashboard showing them.

A real Chromium (Debian's, fake camera and microphone) runs both sides against a fresh local
stack: a clinician's day view, signed in through the sign-in page, and a patient's page on a
phone-sized screen, opened from the SMS link with the access code from the email. For each
of `ROUNDS` new consultations the patient accepts the terms and runs the device check; then
the patient page notes `Date.now()` in a capturing listener as "Join with camera and
microphone" is tapped, and the dashboard notes it in a MutationObserver as that patient's
line first says "Waiting". Both pages live in one browser on one machine, so their clocks
are the same clock. The path measured is the whole product's: the page's POST, the
conditional write, the recipients' Query, the Management API post through the local
stack's websocket gateway, and the dashboard's redraw.

    .venv/bin/python bench/arrival_to_dashboard.py [ROUNDS]

It prints each round and the median and worst, in milliseconds. Local figures: moto stands
in for DynamoDB, so they bound what the code adds, not what AWS takes.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.e2e import local_stack  # noqa: E402
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.clinic_pages import ClinicApi, sign_in  # noqa: E402
from tests.e2e.patient_pages import PHONE, expect_step, invite_by_sms, join  # noqa: E402

ROUNDS = 10
CHECK_TIMEOUT_MS = 60_000

WATCH_ARRIVAL = """(participantId) => {
  window.__arrivedAt = null;
  const seen = () => {
    const line = document.querySelector(`li[data-participant-id="${participantId}"]`);
    if (line && /Waiting/.test(line.textContent) && window.__arrivedAt === null) {
      window.__arrivedAt = Date.now();
    }
  };
  new MutationObserver(seen).observe(document.body, {
    subtree: true, childList: true, characterData: true,
  });
  seen();
}"""

WATCH_TAP = """() => {
  window.__tappedAt = null;
  document.addEventListener('click', (event) => {
    if (event.target.closest('button') && window.__tappedAt === null) {
      window.__tappedAt = Date.now();
    }
  }, { capture: true });
}"""


def one_round(
    stack: local_stack.RunningStack, clinic: ClinicApi, dashboard: Page, patient: Page
) -> int:
    invited = invite_by_sms(stack, clinic)
    dashboard.reload()
    dashboard.locator(f'li[data-consultation-id="{invited.consultation_id}"]').wait_for()
    dashboard.locator(".live-state", has_text="Live").wait_for()

    join(patient, invited)
    expect_step(patient, "Before you join")
    patient.get_by_label("I have read and accept").check()
    patient.get_by_role("button", name="Join the consultation").click()
    expect_step(patient, "Check your camera, microphone and connection")
    connection = patient.locator(".lights li").filter(has_text="Internet connection")
    connection.filter(has_not_text="Testing").wait_for(timeout=CHECK_TIMEOUT_MS)

    dashboard.evaluate(WATCH_ARRIVAL, invited.participant_id)
    patient.evaluate(WATCH_TAP)
    patient.get_by_role("button", name="Join with camera and microphone").click()
    expect_step(patient, "You are in the waiting room")
    dashboard.wait_for_function("() => window.__arrivedAt !== null", timeout=30_000)
    tapped = patient.evaluate("() => window.__tappedAt")
    arrived = dashboard.evaluate("() => window.__arrivedAt")
    return int(arrived - tapped)


def measure(stack: local_stack.RunningStack, rounds: int) -> list[int]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        clinic_context = browser.new_context()
        dashboard = clinic_context.new_page()
        sign_in(dashboard, stack)
        clinic = ClinicApi(clinic_context, stack)
        dashboard.goto(f"{stack.options.front_url}/clinic/")
        delays = []
        for number in range(1, rounds + 1):
            patient_context = browser.new_context(viewport=PHONE, locale="en-GB")
            delay = one_round(stack, clinic, dashboard, patient_context.new_page())
            patient_context.close()
            print(f"round {number:>2}: {delay} ms from the tap to the dashboard")
            delays.append(delay)
        browser.close()
        return delays


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    with tempfile.TemporaryDirectory() as directory:
        stack = local_stack.start(Path(directory))
        try:
            delays = measure(stack, rounds)
        finally:
            local_stack.stop(stack, check=False)
    print(
        f"tap to dashboard over {len(delays)} arrivals: median {statistics.median(delays):.0f} ms, "
        f"worst {max(delays)} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
