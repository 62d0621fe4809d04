"""Files from a real browser through the local stack: the presigned POST and GET work from
Chromium against moto's S3 (its endpoint, with the bucket's CORS rule) exactly as against S3.

The chat's page is built later; here a page script does what it will do: ask for an upload
(`POST /api/participant/files`), post the form with `fetch` and `FormData`, complete, and
another participant downloads the file through an ordinary link, which the browser saves
under its name (`Content-Disposition: attachment`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chalicelib import wiring
from devstack.demo import CLINIC_ID, CLINICIAN_ID
from tests.e2e.local_stack import RunningStack
from tests.support import builders
from tests.support import sample_files as files

pytestmark = pytest.mark.browser

UPLOAD = """async ([bytes64, name, type]) => {
  const bytes = Uint8Array.from(atob(bytes64), (c) => c.charCodeAt(0));
  const json = {"Content-Type": "application/json"};
  const asked = await fetch("/api/participant/files", {method: "POST", headers: json,
    body: JSON.stringify({file_name: name, content_type: type})});
  const grant = await asked.json();
  const form = new FormData();
  for (const [field, value] of Object.entries(grant.upload.fields)) form.append(field, value);
  form.append("file", new Blob([bytes], {type}), name);
  const posted = await fetch(grant.upload.url, {method: "POST", body: form});
  const completed = await fetch(`/api/participant/files/${grant.file_id}/complete`,
    {method: "POST", headers: json, body: "{}"});
  return {uploadUrl: grant.upload.url, posted: posted.status, status: completed.status,
          body: await completed.json()};
}"""

DOWNLOAD_LINK = """async (fileId) => {
  const answer = await (await fetch(`/api/participant/files/${fileId}`)).json();
  const link = document.createElement("a");
  link.href = answer.url;
  link.textContent = "download";
  link.id = "download";
  document.body.append(link);
  return answer.url;
}"""


@pytest.fixture
def join(
    stack: RunningStack, stack_app: Chalice, browser: Browser, consultation_id: str
) -> Iterator[Callable[[str], Page]]:
    """A participant of a fresh consultation of the demo clinic, signed in by their link."""
    consultation = builders.consultation(
        consultation_id, clinic_id=CLINIC_ID, starts_at=datetime.now(UTC)
    )
    consultation.clinician_ids = [CLINICIAN_ID]
    consultation.save()
    contexts: list[BrowserContext] = []

    def open_as(participant_id: str) -> Page:
        participant = builders.participant(consultation_id, participant_id)
        participant.language = "en"
        participant.save()
        link = wiring.services().participant_links.issue_link(consultation, participant)
        context = browser.new_context(accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{stack.options.front_url}/j/#{link.split('#', 1)[1]}")
        page.get_by_role("button", name="Continue", exact=True).click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Before you join", timeout=20_000)  # signed in
        return page

    yield open_as
    for context in contexts:
        context.close()


def upload(page: Page, data: bytes, name: str, content_type: str) -> dict[str, Any]:
    encoded = base64.b64encode(data).decode()
    result: dict[str, Any] = page.evaluate(UPLOAD, [encoded, name, content_type])
    return result


def test_a_photo_posted_from_chromium_is_checked_and_saved_by_the_other_side(
    join: Callable[[str], Page], stack: RunningStack, tmp_path: Path
) -> None:
    patient, guest = join("p1"), join("g1")
    photo = files.jpeg()

    sent = upload(patient, photo, "rash.jpg", "image/jpeg")

    assert sent["uploadUrl"].startswith(stack.options.moto_url)  # straight to S3, not the app
    assert sent["posted"] == 204, sent
    assert sent["status"] == 201, sent
    file_id = sent["body"]["message"]["attachment"]["file_id"]
    guest.evaluate(DOWNLOAD_LINK, file_id)
    with guest.expect_download() as saving:
        guest.locator("#download").click()
    download = saving.value
    assert download.suggested_filename == "rash.jpg"
    saved = tmp_path / "saved.jpg"
    download.save_as(saved)
    assert saved.read_bytes() == photo


def test_a_disguised_executable_is_refused_with_a_message_and_deleted(
    join: Callable[[str], Page],
) -> None:
    patient = join("p1")

    sent = upload(patient, files.EXECUTABLE, "photo.jpg", "image/jpeg")

    assert sent["posted"] == 204
    assert sent["status"] == 422
    error = sent["body"]["error"]
    assert error["reason"] == "type_not_allowed"
    assert error["message"].startswith("This file cannot be sent")
