"""Files in the chat: presigned uploads, the byte check after them, downloads to members only.

Clinic k1 (clinicians c1, c2) has consultation v1 (clinician c1; patient p1, guest g1) and
v2 (patient p2); clinic k2 has clinician c3. Uploads go to moto's S3 with the presigned
POST's own URL and fields (moto answers `requests` inside `mock_aws`); moto does not
enforce a POST policy's conditions, which is why the app checks sizes itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from chalice import Chalice
from chalice.test import Client

from chalicelib.auth.principals import Principal
from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.store.models import (
    AuditEvent,
    ChatMessage,
    Consultation,
    ConsultationItem,
    FileUpload,
    Participant,
)
from chalicelib.wiring import services
from tests.conftest import START
from tests.support import builders
from tests.support import sample_files as files
from tests.support.clinic_api import Session, body_of, seed_clinics
from tests.support.fakes import FakeWebsocketApi, FrozenClock, serialise_moto_dynamodb

BUCKET = "vestibule-test-attachments"
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    seed_clinics()
    for consultation_id, clinician_id in (("v1", "c1"), ("v2", "c2")):
        item = builders.consultation(consultation_id, clinic_id="k1", starts_at=START)
        item.clinician_ids = [clinician_id]
        item.save()
    builders.participant("v1", "p1").save()
    builders.participant("v1", "g1", role="family").save()
    builders.participant("v2", "p2").save()
    for connection_id, principal in {
        "p1": Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="v1"),
        "g1": Principal(kind="participant", id="g1", clinic_id="k1", consultation_id="v1"),
        "c1": Principal.of_clinician("c1", "k1"),
        "c2": Principal.of_clinician("c2", "k1"),
        "c3": Principal.of_clinician("c3", "k2"),
        "p2": Principal(kind="participant", id="p2", clinic_id="k1", consultation_id="v2"),
    }.items():
        services().connections.record(connection_id, principal)
    with Client(app) as test_client:
        yield test_client


class Person:
    """A participant (session cookie) or clinician (session + CSRF) calling the file routes."""

    def __init__(
        self, client: Client, *, participant: str | None = None, clinician: str | None = None
    ):
        self._client = client
        if participant is not None:
            partition = ConsultationItem.partition("v1" if participant != "p2" else "v2")
            consultation = Consultation.get(partition, "CONSULTATION")
            person = Participant.get(partition, Participant.sort_key(participant))
            links = services().participant_links
            token = links.issue_link(consultation, person).rsplit("#", 1)[1]
            cookie = f"{PARTICIPANT_COOKIE}={links.exchange(token).token}"
            self._headers = {"Content-Type": "application/json", "Cookie": cookie}
            self.base = "/api/participant/files"
        else:
            assert clinician is not None
            self._session = Session(client, clinician)
            self._headers = dict(self._session._headers)
            self.base = "/api/consultations/v1/files"

    def post(self, path: str, body: Any = None) -> Any:
        return self._client.http.post(path, headers=self._headers, body=json.dumps(body or {}))

    def get(self, path: str) -> Any:
        return self._client.http.get(path, headers=self._headers)

    def ask(self, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
        return self.post(self.base, {"file_name": name, "content_type": content_type})

    def upload(self, data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> str:
        asked = self.ask(name, content_type)
        assert asked.status_code == 201, asked.body
        grant = body_of(asked)
        posted = requests.post(
            grant["upload"]["url"],
            data=grant["upload"]["fields"],
            files={"file": (name, data, content_type)},
            timeout=30,
        )
        assert posted.status_code in (200, 201, 204), posted.text
        file_id: str = grant["file_id"]
        return file_id

    def complete(self, file_id: str) -> Any:
        return self.post(f"{self.base}/{file_id}/complete")

    def send(self, data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
        return self.complete(self.upload(data, name, content_type))


def objects() -> list[str]:
    s3 = boto3.client("s3", region_name="eu-west-1")
    listing = s3.list_object_versions(Bucket=BUCKET)
    return [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def chat_messages() -> list[ChatMessage]:
    partition = ConsultationItem.partition("v1")
    return [i for i in ConsultationItem.query(partition) if isinstance(i, ChatMessage)]


def test_asking_to_upload_gives_a_presigned_post_scoped_to_the_consultation(client: Client) -> None:
    asked = Person(client, participant="p1").ask("scan.pdf", "application/pdf")
    assert asked.status_code == 201, asked.body
    grant = body_of(asked)
    fields = grant["upload"]["fields"]
    assert fields["key"] == f"consultations/v1/{grant['file_id']}"
    assert fields["Content-Type"] == "application/pdf"
    policy = json.loads(__import__("base64").b64decode(fields["policy"]))
    assert ["content-length-range", 1, TEN_MB] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert grant["expires_in"] == 300 and grant["max_bytes"] == TEN_MB
    upload = FileUpload.get(ConsultationItem.partition("v1"), FileUpload.sort_key(grant["file_id"]))
    assert upload.status == "pending"
    assert (
        upload.expires_at
        == Consultation.get(ConsultationItem.partition("v1"), "CONSULTATION").expires_at
    )


def test_a_type_other_than_jpeg_png_or_pdf_is_refused_before_the_upload(client: Client) -> None:
    asked = Person(client, participant="p1").ask("setup.exe", "application/x-msdownload")
    assert asked.status_code == 422
    error = body_of(asked)["error"]
    assert (error["code"], error["reason"]) == ("file_refused", "type_not_allowed")
    assert "JPEG" in error["message"] and "seuls" in error["message"]  # p1 reads French


@pytest.mark.parametrize(
    ("data", "name", "declared"),
    [
        (files.jpeg(), "rash.jpg", "image/jpeg"),
        (files.png(), "screenshot.png", "image/png"),
        (files.pdf(), "prescription.pdf", "application/pdf"),
    ],
)
def test_an_accepted_file_is_a_chat_message_for_every_member(
    client: Client, websocket_api: FakeWebsocketApi, data: bytes, name: str, declared: str
) -> None:
    completed = Person(client, participant="p1").send(data, name, declared)

    assert completed.status_code == 201, completed.body
    message = body_of(completed)["message"]
    assert message["attachment"]["file_name"] == name
    assert message["attachment"]["content_type"] == declared
    assert message["attachment"]["size_bytes"] == len(data)
    assert message["text"] is None and message["author"]["id"] == "p1"
    for member in ("p1", "g1", "c1"):
        assert websocket_api.frames(member) == [{"type": "chat.message", "message": message}]
    for outsider in ("c2", "c3", "p2"):
        assert websocket_api.frames(outsider) == []
    (stored,) = chat_messages()
    assert stored.attachment is not None and stored.attachment.status == "accepted"


@pytest.mark.parametrize(
    ("data", "name", "declared", "reason"),
    [
        (files.EXECUTABLE, "photo.jpg", "image/jpeg", "type_not_allowed"),  # a renamed .exe
        (files.HTML_PAGE, "letter.pdf", "application/pdf", "type_not_allowed"),
        (files.SVG_WITH_SCRIPT, "drawing.png", "image/png", "type_not_allowed"),
        (
            files.pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
            "a.pdf",
            "application/pdf",
            "pdf_active_content",
        ),
        (
            files.jpeg_with_exif(files.tiff_with_gps()),
            "holiday.jpg",
            "image/jpeg",
            "image_location",
        ),
        (b"%PDF-1.7\n" + b"0" * (TEN_MB + 1024 * 1024), "big.pdf", "application/pdf", "too_large"),
    ],
)
def test_a_refused_file_is_deleted_and_refused_in_the_senders_language(
    client: Client,
    websocket_api: FakeWebsocketApi,
    data: bytes,
    name: str,
    declared: str,
    reason: str,
) -> None:
    person = Person(client, participant="p1")
    file_id = person.upload(data, name, declared)
    assert objects() == [f"consultations/v1/{file_id}"]

    refused = person.complete(file_id)

    assert refused.status_code == 422, refused.body
    error = body_of(refused)["error"]
    assert (error["code"], error["reason"]) == ("file_refused", reason)
    assert error["message"] and "file" not in error["message"].lower()[:8]  # French, not English
    assert objects() == []  # every version gone
    assert chat_messages() == []
    assert all(websocket_api.frames(c) == [] for c in ("p1", "g1", "c1"))
    again = person.complete(file_id)
    assert again.status_code == 422 and body_of(again)["error"]["reason"] == reason
    assert (
        FileUpload.get(ConsultationItem.partition("v1"), FileUpload.sort_key(file_id)).status
        == "refused"
    )


def test_a_clinician_reads_a_refusal_in_their_own_language(client: Client) -> None:
    refused = Person(client, clinician="c1").send(files.EXECUTABLE, "x.jpg", "image/jpeg")
    assert refused.status_code == 422
    assert "only photos" in body_of(refused)["error"]["message"]  # c1's language is English


def test_files_are_taken_until_two_hours_after_the_planned_end(
    client: Client, clock: FrozenClock
) -> None:
    clock.advance(timedelta(minutes=20) + timedelta(hours=2))  # START + 20 min is the end
    person = Person(client, clinician="c1")  # a participant's link ends an hour after the end
    assert person.ask().status_code == 201
    clock.advance(timedelta(seconds=1))
    late = person.ask()
    assert late.status_code == 422
    assert body_of(late)["error"]["reason"] == "consultation_over"
    assert body_of(late)["error"]["message"].startswith("The consultation is over")


def test_completing_before_the_upload_says_it_did_not_arrive(client: Client) -> None:
    person = Person(client, participant="p1")
    file_id = body_of(person.ask())["file_id"]
    missing = person.complete(file_id)
    assert missing.status_code == 422 and body_of(missing)["error"]["reason"] == "not_uploaded"


def test_racing_completes_show_the_file_once(
    client: Client, websocket_api: FakeWebsocketApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    person = Person(client, participant="p1")
    file_id = person.upload(files.jpeg())
    answers: list[Any] = []
    start = threading.Barrier(4)

    def complete() -> None:
        start.wait()
        answers.append(person.complete(file_id))

    threads = [threading.Thread(target=complete) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({body_of(a)["message"]["message_id"] for a in answers}) == 1
    assert len(chat_messages()) == 1
    assert len(websocket_api.frames("c1")) == 1


def test_members_download_through_a_short_presigned_get_and_each_download_is_audited(
    client: Client,
) -> None:
    patient = Person(client, participant="p1")
    data = files.pdf()
    file_id = patient.upload(data, "lettre médicale.pdf", "application/pdf")
    assert patient.complete(file_id).status_code == 201

    for person, path in (
        (Person(client, participant="g1"), f"/api/participant/files/{file_id}"),
        (Person(client, clinician="c1"), f"/api/consultations/v1/files/{file_id}"),
    ):
        answer = person.get(path)
        assert answer.status_code == 200, answer.body
        url = body_of(answer)["url"]
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["60"]
        assert query["response-content-disposition"] == [
            'attachment; filename="lettre m_dicale.pdf"; '
            "filename*=UTF-8''lettre%20m%C3%A9dicale.pdf"
        ]
        assert query["response-content-type"] == ["application/pdf"]
        assert "versionId" in query
        downloaded = requests.get(url, timeout=30)
        assert downloaded.status_code == 200 and downloaded.content == data

    events = list(AuditEvent.scan())
    assert sorted((e.action, e.actor_kind, e.actor_id) for e in events) == [
        ("file.downloaded", "clinician", "c1"),
        ("file.downloaded", "participant", "g1"),
    ]
    assert all(
        e.consultation_id == "v1" and e.details.as_dict() == {"file_id": file_id} for e in events
    )


def test_outsiders_cannot_upload_to_or_download_from_a_consultation(client: Client) -> None:
    file_id = Person(client, participant="p1").upload(files.png(), "a.png", "image/png")
    assert Person(client, participant="p1").complete(file_id).status_code == 201

    other_patient = Person(client, participant="p2")  # of v2: its own consultation only
    assert other_patient.get(f"/api/participant/files/{file_id}").status_code == 404
    assert other_patient.complete(file_id).status_code == 404
    colleague = Person(client, clinician="c2")  # same clinic, not on v1
    assert colleague.get(f"/api/consultations/v1/files/{file_id}").status_code == 403
    assert colleague.ask().status_code == 403
    stranger = Person(client, clinician="c3")  # another clinic
    assert stranger.get(f"/api/consultations/v1/files/{file_id}").status_code == 404
    assert stranger.ask().status_code == 404
    # a member other than the uploader cannot complete someone else's upload
    pending = Person(client, participant="p1").upload(files.png(), "b.png", "image/png")
    assert Person(client, participant="g1").complete(pending).status_code == 404
    assert list(AuditEvent.scan()) == []
