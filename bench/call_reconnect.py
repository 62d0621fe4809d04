"""Reconnection: how long a patient's call takes to come back after its connection is lost.

A real Chromium (Debian's, fake camera and microphone) holds a call between a clinician's
consultation page and a patient's phone-sized page, through a fresh local stack's media
worker. The patient's page keeps each peer connection it makes and notes when each one
becomes `connected`. Each round then breaks the current one the two ways a network change
shows itself: `failed` (the browser gave up on it) and `disconnected` (it went quiet; the
page waits 3 s for it to come back before starting a new one). The time measured is from
the break to the new peer connection being connected, media flowing again.

The baseline, measured in the same run, is the first join: from the patient's tap on
"Answer with camera" to its peer connection being connected. Figures are printed in
milliseconds and as ratios to that baseline. Loopback only: a real network adds its round
trips to both.

    .venv/bin/python bench/call_reconnect.py [ROUNDS]
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
from tests.e2e.call_pages import expect_playing, open_visit, remote_tile  # noqa: E402
from tests.e2e.clinic_pages import sign_in  # noqa: E402

ROUNDS = 5

KEEP_CONNECTIONS = """() => {
  const Original = window.RTCPeerConnection;
  window.__connections = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__connections.push(this);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && !this.__connectedAt) {
          this.__connectedAt = Date.now();
        }
      });
    }
  };
  document.addEventListener('click', (event) => {
    if (event.target.closest('button') && !window.__tappedAt) window.__tappedAt = Date.now();
  }, { capture: true });
}"""

#: Breaks the current connection as `state` and returns when it did (ms since the epoch).
BREAK = """(state) => {
  const connection = window.__connections.at(-1);
  Object.defineProperty(connection, 'connectionState', { get: () => state });
  const at = Date.now();
  connection.dispatchEvent(new Event('connectionstatechange'));
  return at;
}"""

NEW_CONNECTED = """(count) => window.__connections.length > count
  && window.__connections.at(-1).__connectedAt !== undefined"""


def reconnect(patient: Page, state: str) -> int:
    count = patient.evaluate("window.__connections.length")
    broken_at = patient.evaluate(BREAK, state)
    patient.wait_for_function(NEW_CONNECTED, arg=count, timeout=60_000)
    connected_at = patient.evaluate("window.__connections.at(-1).__connectedAt")
    patient.wait_for_timeout(1000)  # let the media settle before the next break
    return int(connected_at - broken_at)


def measure(stack: local_stack.RunningStack, rounds: int) -> tuple[int, dict[str, list[int]]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        clinician_context = browser.new_context()
        sign_in(clinician_context.new_page(), stack)
        visit = open_visit(stack, browser, clinician_context)
        patient, clinician = visit.patient, visit.clinician
        patient.evaluate(KEEP_CONNECTIONS)
        clinician.locator("#waiting-room").get_by_role("button", name="Call with camera").click()
        patient.get_by_role("button", name="Answer with camera").click()
        expect_playing(clinician, remote_tile(clinician, visit.patient_name))
        patient.wait_for_function("window.__connections[0]?.__connectedAt !== undefined")
        first = int(patient.evaluate("window.__connections[0].__connectedAt - window.__tappedAt"))
        print(f"first join (tap to connected): {first} ms")
        times: dict[str, list[int]] = {"failed": [], "disconnected": []}
        for number in range(1, rounds + 1):
            for state in times:
                took = reconnect(patient, state)
                times[state].append(took)
                print(f"round {number}, {state:>12}: back in {took} ms")
        expect_playing(clinician, remote_tile(clinician, visit.patient_name))
        visit.close()
        browser.close()
        return first, times


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    with tempfile.TemporaryDirectory() as directory:
        stack = local_stack.start(Path(directory))
        try:
            first, times = measure(stack, rounds)
        finally:
            local_stack.stop(stack, check=False)
    for state, taken in times.items():
        median = statistics.median(taken)
        print(
            f"{state:>12}: median {median:.0f} ms, worst {max(taken)} ms over {len(taken)}; "
            f"{median / first:.2f}x the first join ({first} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
