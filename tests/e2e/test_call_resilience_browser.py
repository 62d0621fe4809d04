"""The call when things go wrong, in Chromium through the media worker: a second camera, a
poor connection, the system taking the microphone, a connection lost.

The browser here has two fake cameras. A poor link is made by adding lost packets to what
the patient's browser reports (`getStats`); the system taking the microphone by muting its
track as Android does during a phone call; a lost connection by the peer connection going
`failed`, as after a network change. The page must switch cameras without a new call, offer
sound only, pause for privacy and come back, and reconnect by itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.browser import chromium
from tests.e2e.call_pages import (
    MEDIA_TIMEOUT_MS,
    Visit,
    answer_a_video_call,
    call_of,
    remote_tile,
    signed_in_clinician,
    visit_in,
)
from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.browser

#: The camera the patient's page sends, as its own preview shows it.
SENT_CAMERA = (
    "document.querySelector('.self-video').srcObject.getVideoTracks()[0].getSettings().deviceId"
)
#: True once the clinician's video of the patient has played on by `seconds` more.
PLAYS_ON = """([video, seconds]) => {
  video.__from = video.__from ?? video.currentTime;
  return !video.paused && video.currentTime > video.__from + seconds;
}"""
#: Every later `getStats` reports 400 more packets lost on each inbound stream.
LOSSY = """() => {
  const original = RTCPeerConnection.prototype.getStats;
  let lost = 0;
  RTCPeerConnection.prototype.getStats = async function (...args) {
    const report = await original.apply(this, args);
    lost += 400;
    const copy = new Map();
    report.forEach((value, key) => copy.set(key, value.type === 'inbound-rtp'
      ? { ...value, packetsLost: (value.packetsLost || 0) + lost } : value));
    return copy;
  };
}"""
#: The system takes (true) or gives back (false) the microphone, as during a phone call.
MICROPHONE_TAKEN = """taken => {
  const track = document.querySelector('.self-video').srcObject.getAudioTracks()[0];
  Object.defineProperty(track, 'muted', { value: taken, configurable: true });
  track.dispatchEvent(new Event(taken ? 'mute' : 'unmute'));
}"""
#: Keeps every peer connection the page makes, so a test can break the current one.
KEEP_CONNECTIONS = """() => {
  const Original = window.RTCPeerConnection;
  window.__connections = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) { super(...args); window.__connections.push(this); }
  };
}"""
BREAK_CONNECTION = """() => {
  const connection = window.__connections.at(-1);
  Object.defineProperty(connection, 'connectionState', { get: () => 'failed' });
  connection.dispatchEvent(new Event('connectionstatechange'));
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium with two fake cameras (a phone's front and back)."""
    with chromium(fake_cameras=2) as launched:
        yield launched


@pytest.fixture(scope="module")
def clinician_context(stack: RunningStack, browser: Browser) -> Iterator[BrowserContext]:
    with signed_in_clinician(stack, browser) as context:
        yield context


@pytest.fixture
def visit(
    stack: RunningStack, browser: Browser, clinician_context: BrowserContext
) -> Iterator[Visit]:
    with visit_in(stack, browser, clinician_context) as opened:
        yield opened


def expect_patient_plays_on(visit: Visit) -> None:
    video = remote_tile(visit.clinician, visit.patient_name).locator("video").element_handle()
    visit.clinician.wait_for_function(PLAYS_ON, arg=[video, 2], timeout=MEDIA_TIMEOUT_MS)


def test_switching_cameras_and_speakers_keeps_the_call_going(visit: Visit) -> None:
    answer_a_video_call(visit)
    before = visit.patient.evaluate(SENT_CAMERA)
    call_of(visit.patient).get_by_role("button", name="Switch camera").click()
    visit.patient.wait_for_function(f"{SENT_CAMERA} !== {before!r}")
    expect_patient_plays_on(visit)

    # The speaker, where the browser can choose it (Chromium's fake outputs).
    speaker = call_of(visit.patient).get_by_label("Sound comes from")
    chosen = speaker.locator("option").last.get_attribute("value")
    speaker.select_option(chosen)
    doctor = remote_tile(visit.patient, "Dr Demo").locator("video")
    expect(doctor).to_have_js_property("sinkId", chosen)


def test_a_poor_connection_offers_sound_only(visit: Visit) -> None:
    answer_a_video_call(visit)
    visit.patient.evaluate(LOSSY)
    tile = remote_tile(visit.patient, "Dr Demo")
    expect(tile).to_contain_text("Poor connection", timeout=20_000)
    offer = call_of(visit.patient).get_by_text("The connection is poor.")
    expect(offer).to_be_visible(timeout=30_000)
    call_of(visit.patient).get_by_role("button", name="Switch to sound only").click()
    expect(remote_tile(visit.clinician, visit.patient_name)).to_contain_text("Camera off")


def test_the_system_taking_the_microphone_pauses_until_it_is_given_back(visit: Visit) -> None:
    answer_a_video_call(visit)
    theirs = remote_tile(visit.clinician, visit.patient_name)
    visit.patient.evaluate(MICROPHONE_TAKEN, True)
    expect(theirs).to_contain_text("Paused")
    visit.patient.evaluate(MICROPHONE_TAKEN, False)
    expect(theirs).not_to_contain_text("Paused")
    expect_patient_plays_on(visit)


def test_a_lost_connection_comes_back_by_itself(visit: Visit) -> None:
    visit.patient.evaluate(KEEP_CONNECTIONS)
    answer_a_video_call(visit)
    visit.patient.evaluate(BREAK_CONNECTION)
    visit.patient.wait_for_function("window.__connections.length === 2")
    expect_patient_plays_on(visit)
    assert visit.patient.evaluate("window.__connections[0].signalingState") == "closed"
