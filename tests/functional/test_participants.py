"""A consultation's participants through the REST API: guests, changed details, screen links,
and the clinic profile the clinic UI fills its forms from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.store.models import (
    AuditEvent,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    Participant,
)
from tests.support.clinic_api import Session, body_of, create, error_field, seed_clinics
from tests.support.fakes import FrozenClock

START_UTC = "2026-11-24T09:30:00+00:00"  # STARTS, 10:30 in Paris


@pytest.fixture
def clinic_app(app: Chalice) -> Chalice:
    """The real app with real participant links, and the two clinics."""
    seed_clinics()
    return app


@pytest.fixture
def client(clinic_app: Chalice) -> Client:
    return Client(clinic_app)


def guest(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "role": "interpreter",
        "display_name": "Jonas Weber",
        "phone": "+49 151 23456789",
        "channels": ["sms"],
        "language": "de",
    }
    body.update(changes)
    return body


def participants_path(created: dict[str, Any]) -> str:
    return f"/api/consultations/{created['consultation_id']}/participants"


def stored(created: dict[str, Any], participant_id: str) -> Participant:
    return Participant.get(
        ConsultationItem.partition(created["consultation_id"]),
        Participant.sort_key(participant_id),
    )


def token_of(url: str) -> str:
    return url.rpartition("#")[2]


def test_a_guest_is_added_with_a_normalised_number_and_a_reminder(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    response = session.send("POST", participants_path(created), guest())
    assert response.status_code == 201, response.body
    added = body_of(response)
    assert (added["role"], added["phone"], added["language"]) == (
        "interpreter",
        "+4915123456789",
        "de",
    )
    record = body_of(session.get(f"/api/consultations/{created['consultation_id']}"))
    assert [p["role"] for p in record["participants"]].count("interpreter") == 1
    item = stored(created, added["participant_id"])
    assert item.due_at is not None
    assert item.due_at.isoformat() == "2026-11-24T09:20:00+00:00"  # ten minutes before


def test_three_guests_fill_a_consultation_and_a_fourth_is_409(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    roles = ["family", "interpreter", "professional"]
    for role in roles:
        added = session.send("POST", participants_path(created), guest(role=role))
        assert added.status_code == 201, added.body
    full = session.send("POST", participants_path(created), guest(role="family"))
    assert full.status_code == 409
    assert "at most 4" in body_of(full)["error"]["message"]
    consultation = Consultation.get(
        ConsultationItem.partition(created["consultation_id"]), "CONSULTATION"
    )
    assert int(consultation.guest_count) == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "patient"}, "role"),
        ({"role": None}, "role"),
        ({"display_name": " "}, "display_name"),
        ({"phone": "+33 1 23"}, "phone"),
        ({"phone": None, "email": None, "channels": ["email"]}, "email"),
        ({"phone": None, "channels": ["email"], "email": "not-an-address"}, "email"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"language": "xx"}, "language"),
    ],
)
def test_an_invalid_guest_is_400_naming_the_field_and_nothing_is_added(
    client: Client, changes: dict[str, Any], field: str
) -> None:
    session = Session(client, "c1")
    created = create(session)
    assert error_field(session.send("POST", participants_path(created), guest(**changes))) == (
        field
    )
    record = body_of(session.get(f"/api/consultations/{created['consultation_id']}"))
    assert [p["role"] for p in record["participants"]] == ["patient"]


def test_a_guest_needs_some_contact(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    body = guest(phone=None, channels=[])
    assert error_field(session.send("POST", participants_path(created), body)) == "channels"


def test_changing_the_patients_details_renames_them_on_every_day_and_moves_the_reminder(
    client: Client,
) -> None:
    session = Session(client, "c1")
    created = create(session, clinician_ids=["c1", "c2"])
    patient = created["participants"][0]
    path = f"{participants_path(created)}/{patient['participant_id']}"
    response = session.send(
        "PATCH", path, {"display_name": "Alice Martin-Roy", "phone": None, "channels": ["email"]}
    )
    assert response.status_code == 200, response.body
    changed = body_of(response)
    assert (changed["display_name"], changed["phone"], changed["channels"]) == (
        "Alice Martin-Roy",
        None,
        ["email"],
    )
    assert stored(created, patient["participant_id"]).due_at is None  # no SMS, no reminder
    day = body_of(session.get("/api/consultations?day=2026-11-24"))["consultations"]
    assert [entry["patient_display_name"] for entry in day] == ["Alice Martin-Roy"]
    for clinician_id in ("c1", "c2"):
        assignment = ClinicianAssignment.get(
            ConsultationItem.partition(created["consultation_id"]),
            ClinicianAssignment.sort_key(clinician_id),
        )
        assert assignment.patient_display_name == "Alice Martin-Roy"
    mine = body_of(Session(client, "c2").get("/api/consultations?day=2026-11-24&mine=true"))
    assert [entry["patient_display_name"] for entry in mine["consultations"]] == [
        "Alice Martin-Roy"
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": None}, "phone"),  # SMS is still a channel
        ({"email": "nope"}, "email"),
        ({"role": "family"}, "role"),
        ({}, "display_name"),
    ],
)
def test_a_bad_change_is_400_and_changes_nothing(
    client: Client, body: dict[str, Any], field: str
) -> None:
    session = Session(client, "c1")
    created = create(session)
    patient = created["participants"][0]
    path = f"{participants_path(created)}/{patient['participant_id']}"
    assert error_field(session.send("PATCH", path, body)) == field
    item = stored(created, patient["participant_id"])
    assert (item.phone, item.email) == (patient["phone"], patient["email"])


def test_a_removed_guest_is_gone_their_link_stops_and_their_place_is_free(
    client: Client,
) -> None:
    session = Session(client, "c1")
    created = create(session)
    added = body_of(session.send("POST", participants_path(created), guest()))
    path = f"{participants_path(created)}/{added['participant_id']}"
    shown = body_of(session.send("POST", f"{path}/links"))
    removed = session.send("DELETE", path)
    assert (removed.status_code, removed.body) == (204, b"")
    assert session.send("DELETE", path).status_code == 404
    record = body_of(session.get(f"/api/consultations/{created['consultation_id']}"))
    assert [p["role"] for p in record["participants"]] == ["patient"]
    refused = client.http.post(
        "/api/participant-sessions",
        headers={"Content-Type": "application/json"},
        body=f'{{"token": "{token_of(shown["url"])}"}}',
    )
    assert refused.status_code == 404
    for role in ("family", "interpreter", "professional"):
        assert session.send("POST", participants_path(created), guest(role=role)).status_code == (
            201
        )


def test_the_patient_cannot_be_removed(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    path = f"{participants_path(created)}/{created['participants'][0]['participant_id']}"
    response = session.send("DELETE", path)
    assert response.status_code == 409
    assert "cancel" in body_of(response)["error"]["message"]


def test_a_link_shown_on_screen_lets_the_participant_in_and_is_audited(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    patient = created["participants"][0]
    path = f"{participants_path(created)}/{patient['participant_id']}/links"
    response = session.send("POST", path)
    assert response.status_code == 201, response.body
    shown = body_of(response)
    assert "/j/#" in shown["url"]
    assert shown["qr_svg"].startswith("<svg") and "viewBox" in shown["qr_svg"]
    assert shown["access_code"] is None
    assert shown["expires_at"] == "2026-11-24T10:50:00+00:00"  # end plus the 60-minute grace
    second = body_of(session.send("POST", path))
    assert second["url"] != shown["url"]
    for url in (shown["url"], second["url"]):  # showing again leaves the first link working
        exchanged = client.http.post(
            "/api/participant-sessions",
            headers={"Content-Type": "application/json"},
            body=f'{{"token": "{token_of(url)}"}}',
        )
        assert exchanged.status_code == 201, exchanged.body
    events = [e for e in AuditEvent.query("k1") if e.action == "participant_link.shown"]
    assert len(events) == 2
    assert events[0].details["participant_id"] == patient["participant_id"]
    assert shown["url"] not in str(events[0].details)


def test_a_link_shown_for_a_coded_consultation_comes_with_its_code(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session, access_code_required=True)
    patient = created["participants"][0]
    shown = body_of(
        session.send("POST", f"{participants_path(created)}/{patient['participant_id']}/links")
    )
    assert shown["access_code"] is not None and len(shown["access_code"]) == 6
    exchanged = client.http.post(
        "/api/participant-sessions",
        headers={"Content-Type": "application/json"},
        body=(f'{{"token": "{token_of(shown["url"])}", "access_code": "{shown["access_code"]}"}}'),
    )
    assert exchanged.status_code == 201, exchanged.body


def test_no_link_is_shown_for_a_cancelled_or_ended_consultation(
    client: Client, clock: FrozenClock
) -> None:
    session = Session(client, "c1")
    cancelled = create(session)
    session.send("POST", f"/api/consultations/{cancelled['consultation_id']}/cancel")
    patient = cancelled["participants"][0]["participant_id"]
    assert (
        session.send("POST", f"{participants_path(cancelled)}/{patient}/links").status_code == 409
    )
    ended = create(session)
    clock.advance(timedelta(hours=3))
    patient = ended["participants"][0]["participant_id"]
    response = Session(client, "c1").send("POST", f"{participants_path(ended)}/{patient}/links")
    assert response.status_code == 409
    assert body_of(response)["error"]["message"] == "the consultation has ended"


def test_another_clinics_clinician_gets_404_on_every_participant_route(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    patient = f"{participants_path(created)}/{created['participants'][0]['participant_id']}"
    c3 = Session(client, "c3")
    answers = [
        c3.send("POST", participants_path(created), guest()),
        c3.send("PATCH", patient, {"display_name": "Mallory"}),
        c3.send("DELETE", patient),
        c3.send("POST", f"{patient}/links"),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    record = body_of(session.get(f"/api/consultations/{created['consultation_id']}"))
    assert [p["display_name"] for p in record["participants"]] == ["Alice Martin"]
    assert [e for e in AuditEvent.query("k1")] == []


def test_participant_routes_need_the_csrf_header(client: Client) -> None:
    session = Session(client, "c1")
    created = create(session)
    response = session.send("POST", participants_path(created), guest(), csrf=False)
    assert response.status_code == 403


def test_the_clinic_profile_lists_its_active_clinicians_and_its_channels(
    client: Client,
) -> None:
    profile = body_of(Session(client, "c1").get("/api/clinic"))
    assert profile["name"] == "Clinic k1"
    assert profile["time_zone"] == "Europe/Paris"
    assert profile["languages"] == ["de", "en", "fi", "fr"]
    assert profile["channels"] == ["sms", "email"]
    assert [c["clinician_id"] for c in profile["clinicians"]] == ["c1", "c2"]
    assert client.http.get("/api/clinic").status_code == 401


def test_the_day_list_names_each_patient(client: Client) -> None:
    session = Session(client, "c1")
    create(session)
    day = body_of(session.get("/api/consultations?day=2026-11-24"))["consultations"]
    assert [entry["patient_display_name"] for entry in day] == ["Alice Martin"]
    assert day[0]["starts_at"] == START_UTC


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("PATCH", "", {"duration_minutes": 30}), ("POST", "/cancel", None)],
)
def test_a_change_racing_a_guest_removal_is_409_and_never_brings_the_guest_back(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    session = Session(client, "c1")
    created = create(session)
    added = body_of(session.send("POST", participants_path(created), guest()))
    consultations = wiring.services().consultations
    stale = consultations.get(Principal.of_clinician("c1", "k1"), created["consultation_id"])
    removed = session.send("DELETE", f"{participants_path(created)}/{added['participant_id']}")
    assert removed.status_code == 204
    monkeypatch.setattr(consultations, "get", lambda principal, consultation_id: stale)
    path = f"/api/consultations/{created['consultation_id']}{suffix}"
    assert session.send(method, path, body).status_code == 409
    monkeypatch.undo()
    partition = ConsultationItem.partition(created["consultation_id"])
    left = list(ConsultationItem.query(partition, ConsultationItem.sk.startswith("PARTICIPANT#")))
    assert [item.sk for item in left] == [
        f"PARTICIPANT#{created['participants'][0]['participant_id']}"
    ]
