"""The consultation call in two Chromium browsers with fake cameras and microphones, through
the local stack's media worker: the clinician rings from the consultation page, the patient's
phone-sized page rings and they answer; each sees the other; muting, sound only and the
privacy pause show on the other side; "not now" reaches the clinician; the clinician ends
the consultation for everyone and the visit record says who took part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.call_pages import (
    MEDIA_TIMEOUT_MS,
    Visit,
    call_of,
    expect_playing,
    remote_tile,
    signed_in_clinician,
    visit_in,
)
from tests.e2e.clinic_pages import unique_name, unique_phone
from tests.e2e.local_stack import RunningStack
from tests.e2e.patient_pages import PHONE, expect_step
from tests.e2e.waiting_patient import Patient

pytestmark = pytest.mark.browser
#: Pretends the patient switched to another app (the page is hidden), or came back.
HIDE = """hidden => {
  Object.defineProperty(document, 'visibilityState', {value: hidden ? 'hidden' : 'visible',
    configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


#: Counts the ring's tones (WebAudio oscillators started) and vibrations.
RING_SPY = """() => {
  window.__ring = { tones: 0, vibrations: 0 };
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__ring.tones += 1;
    return start.apply(this, args);
  };
  navigator.vibrate = () => { window.__ring.vibrations += 1; return true; };
}"""


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


def test_ring_answer_see_each_other_mute_pause_and_end_for_everyone(visit: Visit) -> None:
    patient, clinician = visit.patient, visit.clinician
    patient.evaluate(RING_SPY)
    clinician.locator("#waiting-room").get_by_role("button", name="Call with camera").click()

    expect(patient.get_by_role("alert")).to_contain_text("Dr Demo is calling you now")
    patient.wait_for_function("window.__ring.tones > 0 && window.__ring.vibrations > 0")
    assert call_of(patient).count() == 0  # nothing flows before the patient answers
    assert_accessible(patient)
    patient.set_viewport_size(PHONE)  # axe-core looked at desktop width last
    patient.get_by_role("button", name="Answer with camera").click()
    expect(clinician.locator("#call")).to_contain_text(f"{visit.patient_name} answered with camera")

    theirs = remote_tile(clinician, visit.patient_name)
    expect(theirs).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    expect_playing(clinician, theirs)
    doctor = remote_tile(patient, "Dr Demo")
    expect(doctor).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    expect_playing(patient, doctor)
    assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(patient)

    call_of(patient).get_by_role("button", name="Microphone: on").click()
    expect(theirs).to_contain_text("Microphone off")
    call_of(patient).get_by_role("button", name="Microphone: off").click()
    expect(theirs).not_to_contain_text("Microphone off")

    patient.evaluate(HIDE, True)  # the patient switches to another app
    expect(theirs).to_contain_text("Paused")
    patient.evaluate(HIDE, False)
    expect(theirs).not_to_contain_text("Paused")

    call_of(patient).get_by_role("button", name="Full screen").click()
    expect(call_of(patient).get_by_role("button", name="Leave full screen")).to_be_visible()
    assert patient.evaluate("document.fullscreenElement.getAttribute('aria-label')") == "Video call"
    call_of(patient).get_by_role("button", name="Leave full screen").click()
    expect(call_of(patient).get_by_role("button", name="Full screen")).to_be_visible()

    call_of(patient).get_by_role("button", name="Sound only").click()
    expect(theirs).to_contain_text("Camera off")

    clinician.get_by_role("button", name="End the consultation for everyone").click()
    clinician.get_by_role("dialog").get_by_role("button", name="End it for everyone").click()
    expect_step(patient, "Your consultation has ended")
    expect(patient.get_by_role("link", name="See and save what you accepted")).to_be_visible()
    closing_chat = patient.get_by_role("region", name="Messages")
    expect(closing_chat).to_be_visible()  # the clinic keeps the chat readable (the default)
    expect(closing_chat.get_by_label("Your message")).to_have_count(0)
    expect(call_of(patient)).to_have_count(0)
    expect(clinician.locator("#visit")).to_contain_text(visit.patient_name)
    schedule = clinician.locator("#schedule")
    expect(schedule).to_contain_text("Ended")
    expect(schedule.get_by_role("button", name="Change schedule")).to_have_count(0)
    # Read, never written from now on, without reloading the page.
    clinician_chat = clinician.get_by_role("region", name="Messages")
    expect(clinician_chat.get_by_role("log")).to_be_visible()
    expect(clinician_chat.get_by_label("Your message")).to_have_count(0)
    expect(clinician.locator("#participants").get_by_role("button", name="Remove")).to_have_count(0)
    clinician.get_by_role("link", name="Back to the day").click()
    row = clinician.locator(f'li[data-consultation-id="{visit.consultation_id}"]')
    expect(row).to_contain_text("Ended")
    row.get_by_role("button", name=re.compile("^Messages")).click()
    dialog_chat = clinician.get_by_role("dialog").get_by_role("region", name="Messages")
    expect(dialog_chat.get_by_role("log")).to_be_visible()
    expect(dialog_chat.get_by_label("Your message")).to_have_count(0)
    assert (
        visit.clinic.call("GET", f"/api/consultations/{visit.consultation_id}")["status"] == "ended"
    )


def test_not_now_reaches_the_clinician_and_the_patient_can_be_rung_again(visit: Visit) -> None:
    patient, clinician = visit.patient, visit.clinician
    clinician.locator("#waiting-room").get_by_role("button", name="Call with sound only").click()
    expect(patient.get_by_role("alert")).to_contain_text("is calling you now")
    expect(patient.get_by_role("button", name="Answer with camera")).to_have_count(0)
    patient.get_by_role("button", name="Not now").click()
    expect(clinician.locator("#call")).to_contain_text(f"{visit.patient_name} said not now")
    expect(patient.get_by_text("they can call you again")).to_be_visible()

    clinician.get_by_role("button", name="Ring again").click()
    patient.get_by_role("button", name="Answer", exact=True).click()
    expect(remote_tile(clinician, visit.patient_name)).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    expect(call_of(patient).get_by_role("button", name="Camera: off")).to_be_visible()

    # The patient leaves, waits again, and comes back when rung again.
    call_of(patient).get_by_role("button", name="Leave the call").click()
    expect_step(patient, "You are in the waiting room")
    expect(remote_tile(clinician, visit.patient_name)).to_have_count(0)
    clinician.get_by_role("button", name="Ring again").click()
    patient.get_by_role("button", name="Answer", exact=True).click()
    expect(remote_tile(clinician, visit.patient_name)).to_be_visible(timeout=MEDIA_TIMEOUT_MS)


def test_a_guest_waiting_is_admitted_into_the_call_going_on(
    visit: Visit, stack: RunningStack, browser: Browser
) -> None:
    patient, clinician, cid = visit.patient, visit.clinician, visit.consultation_id
    clinician.locator("#waiting-room").get_by_role("button", name="Call with camera").click()
    patient.get_by_role("button", name="Answer with camera").click()
    expect(remote_tile(clinician, visit.patient_name)).to_be_visible(timeout=MEDIA_TIMEOUT_MS)

    name = unique_name("Ivo")
    guest_record = visit.clinic.call(
        "POST",
        f"/api/consultations/{cid}/participants",
        {
            "display_name": name,
            "phone": unique_phone(),
            "channels": ["sms"],
            "role": "interpreter",
            "language": "en",
        },
    )
    link = visit.clinic.call(
        "POST", f"/api/consultations/{cid}/participants/{guest_record['participant_id']}/links", {}
    )["url"]
    guest = Patient(browser, stack)
    try:
        guest.call("POST", "/api/participant-sessions", {"token": link.split("#", 1)[1]})
        guest.accept_terms()
        guest.check_devices()
        guest.wait()
        page = guest.context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(link)
        page.get_by_role("button", name="Continue", exact=True).click()
        expect_step(page, "You are in the waiting room")

        clinician.get_by_role("button", name=f"Admit {name} to the call").click()
        page.get_by_role("button", name="Answer with camera").click()
        expect_playing(clinician, remote_tile(clinician, name))
        expect(remote_tile(clinician, name)).to_contain_text("Interpreter")
        expect_playing(patient, remote_tile(patient, name))  # three in the call
        expect_playing(page, remote_tile(page, visit.patient_name))
    finally:
        guest.close()
