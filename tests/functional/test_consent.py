"""Terms and consent: versions written once, acceptances recorded once with the exact text.

Clinic k1 (clinicians c1, c2) has consultation v1 with patient p1 and guest g1; clinic k2
(c3) is another clinic. Participants act through their session cookie, clinicians through
theirs, as the pages do.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.auth.principals import Principal
from chalicelib.consent.records import ConsentBook
from chalicelib.consent.terms import TermsEditor, shown_terms
from chalicelib.participants.links import COOKIE_NAME as PARTICIPANT_COOKIE
from chalicelib.store.models import (
    Clinic,
    ClinicTerms,
    ConsentRecord,
    Consultation,
    ConsultationItem,
    Participant,
)
from chalicelib.wiring import services
from tests.conftest import START
from tests.support import builders
from tests.support.clinic_api import Session, body_of, seed_clinics
from tests.support.fakes import FakeWebsocketApi, serialise_moto_dynamodb

STARTS = START + timedelta(hours=1)
BROWSER = "Mozilla/5.0 (Linux; Android 12; Pixel 5) Chrome/120 Mobile"


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    seed_clinics()
    builders.consultation("v1", clinic_id="k1", starts_at=STARTS).save()
    builders.participant("v1", "p1").save()
    builders.participant("v1", "g1", role="family").save()
    builders.consultation("v2", clinic_id="k1", starts_at=STARTS).save()
    builders.participant("v2", "p2").save()
    with Client(app) as test_client:
        yield test_client


def cookie_of(participant_id: str, consultation_id: str = "v1") -> str:
    partition = ConsultationItem.partition(consultation_id)
    consultation = Consultation.get(partition, "CONSULTATION")
    participant = Participant.get(partition, Participant.sort_key(participant_id))
    links = services().participant_links
    token = links.issue_link(consultation, participant).rsplit("#", 1)[1]
    return f"{PARTICIPANT_COOKIE}={links.exchange(token).token}"


def accept(client: Client, cookie: str, **body: Any) -> Any:
    headers = {"Content-Type": "application/json", "Cookie": cookie, "User-Agent": BROWSER}
    return client.http.post("/api/participant/consents", headers=headers, body=json.dumps(body))


def current(language: str = "fr") -> dict[str, Any]:
    shown = shown_terms(Clinic.get("k1"), language)
    return {"terms_version": shown.version, "sha256": shown.sha256, "language": language}


def participant(participant_id: str, consultation_id: str = "v1") -> Participant:
    partition = ConsultationItem.partition(consultation_id)
    return Participant.get(partition, Participant.sort_key(participant_id))


def test_the_default_terms_name_the_clinic_in_every_language(client: Client) -> None:
    texts = {
        language: shown_terms(Clinic.get("k1"), language) for language in ["en", "fr", "de", "fi"]
    }
    assert all("Clinic k1" in shown.text for shown in texts.values())
    assert len({shown.text for shown in texts.values()}) == 4
    assert {shown.version for shown in texts.values()} == {0}
    english = texts["en"]
    assert english.sha256 == hashlib.sha256(english.text.encode("utf-8")).hexdigest()


def test_accepting_records_the_exact_text_once_and_moves_the_participant_on(
    client: Client,
) -> None:
    cookie = cookie_of("p1")
    first = accept(client, cookie, **current())
    assert first.status_code == 201, first.body
    again = accept(client, cookie, **current())
    assert again.status_code == 200
    assert body_of(again) == body_of(first)

    records = list(ConsentRecord.query("v1"))
    assert len(records) == 1
    record = records[0]
    shown = shown_terms(Clinic.get("k1"), "fr")
    assert (record.text, record.sha256, record.language) == (shown.text, shown.sha256, "fr")
    assert record.user_agent == BROWSER
    assert (
        record.expires_at
        == Consultation.get(ConsultationItem.partition("v1"), "CONSULTATION").expires_at
    )
    assert participant("p1").accepted_terms_version == 0
    assert participant("p1").presence == "terms_accepted"

    receipt = body_of(
        client.http.get("/api/participant/consents/latest", headers={"Cookie": cookie})
    )
    assert receipt["clinic_name"] == "Clinic k1"
    assert receipt["text"] == shown.text and receipt["sha256"] == shown.sha256
    assert receipt["participant_display_name"] == "Person p1"


def test_terms_that_changed_meanwhile_are_refused_and_nothing_is_written(client: Client) -> None:
    cookie = cookie_of("p1")
    stale = current()
    Session(client, "c1").send(
        "POST", "/api/clinic/terms", {"texts": {"fr": "Nouvelles conditions."}}
    )

    refused = accept(client, cookie, **stale)
    assert refused.status_code == 409
    assert body_of(refused)["error"]["code"] == "terms_changed"
    wrong_hash = accept(client, cookie, **{**current(), "sha256": "0" * 64})
    assert wrong_hash.status_code == 409
    other_language = accept(client, cookie, **{**current("de"), "language": "fr"})
    assert other_language.status_code == 409
    assert list(ConsentRecord.query("v1")) == []
    assert participant("p1").accepted_terms_version is None

    assert accept(client, cookie, **current()).status_code == 201
    assert participant("p1").accepted_terms_version == 1
    assert shown_terms(Clinic.get("k1"), "fr").text == "Nouvelles conditions."


def test_a_participant_who_accepted_an_older_version_accepts_the_new_one_too(
    client: Client,
) -> None:
    cookie = cookie_of("p1")
    assert accept(client, cookie, **current()).status_code == 201
    Session(client, "c1").send("POST", "/api/clinic/terms", {"texts": {"fr": "Version deux."}})
    assert shown_terms(Clinic.get("k1"), "fr").version == 1
    assert participant("p1").accepted_terms_version == 0  # asked again: the page compares

    assert accept(client, cookie, **current()).status_code == 201
    versions = sorted(int(record.terms_version) for record in ConsentRecord.query("v1"))
    assert versions == [0, 1]
    receipt = body_of(
        client.http.get("/api/participant/consents/latest", headers={"Cookie": cookie})
    )
    assert (receipt["terms_version"], receipt["text"]) == (1, "Version deux.")


def all_read_before_any_writes(
    monkeypatch: pytest.MonkeyPatch, owner: type, method: str, parties: int
) -> None:
    """Every request reaches `owner.method` (after its reads) before any goes on: the race."""
    barrier = threading.Barrier(parties, timeout=10)
    original = getattr(owner, method)
    waited = threading.local()

    def racing(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, racing)


def test_two_devices_accepting_at_once_write_one_record(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    cookies = [cookie_of("p1") for _ in range(6)]
    all_read_before_any_writes(monkeypatch, ConsentBook, "_write", 6)
    body = current()
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(
            pool.map(lambda cookie: accept(client, cookie, **body).status_code, cookies)
        )
    assert statuses.count(201) == 1 and statuses.count(200) == 5
    assert len(list(ConsentRecord.query("v1"))) == 1


def test_guests_accept_their_own_and_the_clinician_sees_who_accepted_what(
    client: Client,
) -> None:
    assert accept(client, cookie_of("p1"), **current()).status_code == 201
    assert accept(client, cookie_of("g1"), **current("en")).status_code == 201
    assert participant("g1").accepted_terms_version == 0

    listed = body_of(Session(client, "c2").get("/api/consultations/v1/consents"))["consents"]
    assert {(row["participant_id"], row["role"], row["language"]) for row in listed} == {
        ("p1", "patient", "fr"),
        ("g1", "family", "en"),
    }
    assert all(row["user_agent"] == BROWSER for row in listed)


def test_no_one_outside_reads_a_consultations_consents(client: Client) -> None:
    assert accept(client, cookie_of("p1"), **current()).status_code == 201
    assert Session(client, "c3").get("/api/consultations/v1/consents").status_code == 404
    other = cookie_of("p2", "v2")  # a participant of another consultation of the same clinic
    latest = client.http.get("/api/participant/consents/latest", headers={"Cookie": other})
    assert latest.status_code == 404
    anonymous = client.http.get("/api/participant/consents/latest")
    assert anonymous.status_code == 401


def test_a_new_version_never_edits_an_old_one(client: Client) -> None:
    session = Session(client, "c1")
    first = session.send("POST", "/api/clinic/terms", {"texts": {"en": "One.", "fr": "Un."}})
    assert first.status_code == 201, first.body
    second = session.send("POST", "/api/clinic/terms", {"texts": {"en": "Two."}})
    assert body_of(second)["current_version"] == 2
    assert ClinicTerms.get("k1", 1).texts.as_dict() == {"en": "One.", "fr": "Un."}

    versions = body_of(session.get("/api/clinic/terms"))["versions"]
    assert [version["version"] for version in versions] == [2, 1, 0]
    assert versions[0]["texts"]["en"] == "Two."
    assert "Clinic k1" in versions[0]["texts"]["fr"]  # left out: the default text
    assert versions[0]["created_by"] == "c1"
    assert body_of(Session(client, "c3").get("/api/clinic/terms"))["current_version"] == 0


def test_two_clinicians_saving_at_once_make_one_version_and_one_conflict(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    sessions = [Session(client, "c1"), Session(client, "c2")] * 3
    all_read_before_any_writes(monkeypatch, TermsEditor, "save_new_version", 6)

    def save(numbered: tuple[int, Session]) -> int:
        number, session = numbered
        body = {"texts": {"en": f"Text {number}."}}
        return int(session.send("POST", "/api/clinic/terms", body).status_code)

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(save, enumerate(sessions)))
    assert sorted(statuses) == [201] + [409] * 5  # all read version 0: one saves version 1
    assert [int(item.version) for item in ClinicTerms.query("k1")] == [1]
    assert Clinic.get("k1").terms_version == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"texts": {}}, "texts"),
        ({"texts": {"xx": "Text."}}, "texts"),
        ({"texts": {"en": "   "}}, "texts"),
        ({"texts": {"en": "x" * 15_001}}, "texts"),
        ({}, "texts"),
    ],
)
def test_bad_terms_are_refused_by_name(client: Client, body: dict[str, Any], field: str) -> None:
    response = Session(client, "c1").send("POST", "/api/clinic/terms", body)
    assert response.status_code == 400, response.body
    assert body_of(response)["error"]["field"].startswith(field)
    assert list(ClinicTerms.query("k1")) == []


@pytest.mark.parametrize(
    "body",
    [
        {"terms_version": 0, "sha256": "nothex", "language": "fr"},
        {"terms_version": -1, "sha256": "0" * 64, "language": "fr"},
        {"terms_version": 0, "sha256": "0" * 64, "language": "xx"},
        {"sha256": "0" * 64, "language": "fr"},
    ],
)
def test_bad_acceptances_are_refused_by_name(client: Client, body: dict[str, Any]) -> None:
    response = accept(client, cookie_of("p1"), **body)
    assert response.status_code == 400, response.body
    assert list(ConsentRecord.query("v1")) == []


def test_an_acceptance_reaches_the_clinics_staff_and_no_one_outside(
    client: Client, websocket_api: FakeWebsocketApi, dynamodb_calls: list[str]
) -> None:
    record = services().connections.record
    record("staff-k1", Principal.of_clinician("c2", "k1"))
    record("staff-k2", Principal.of_clinician("c3", "k2"))
    other = Principal(kind="participant", id="p2", clinic_id="k1", consultation_id="v2")
    record("patient-v2", other)

    cookie = cookie_of("p1")
    dynamodb_calls.clear()
    assert accept(client, cookie, **current()).status_code == 201
    assert dynamodb_calls.count("Query") == 1  # both frames' recipients, found once
    assert accept(client, cookie_of("p1"), **current()).status_code == 200  # told once

    frames = websocket_api.frames("staff-k1")
    consent = [frame for frame in frames if frame["type"] == "waiting_room.consent"]
    assert consent == [
        {
            "type": "waiting_room.consent",
            "consultation_id": "v1",
            "participant_id": "p1",
            "terms_version": 0,
            "accepted_at": START.isoformat(),
        }
    ]
    states = [frame for frame in frames if frame["type"] == "waiting_room.participant"]
    assert [(s["participant_id"], s["presence"]) for s in states] == [("p1", "terms_accepted")]
    assert websocket_api.frames("staff-k2") == []
    assert websocket_api.frames("patient-v2") == []
