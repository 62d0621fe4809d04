"""Consultations of a signed-in clinician: schedule, read, list a day, change, cancel, invite."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.config import Settings
from chalicelib.store.models import Consultation, ConsultationItem
from tests.support.clinic_api import (
    PHONE,
    SENDER,
    FakeLinks,
    Session,
    body_of,
    create,
    error_field,
    ids,
    items,
    payload,
    seed_clinics,
)
from tests.support.fakes import FakeWebsocketApi, FrozenClock
from tests.support.moto_messages import mail_sent, sms_sent


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, sender_email=SENDER)


@pytest.fixture
def links() -> FakeLinks:
    return FakeLinks()


@pytest.fixture
def app(
    tables: None,
    settings: Settings,
    clock: FrozenClock,
    websocket_api: FakeWebsocketApi,
    links: FakeLinks,
) -> Chalice:
    from app import app as chalice_app

    wiring.configure(
        chalice_app, settings, clock=clock, websocket_sender=websocket_api, link_issuer=links
    )
    seed_clinics()
    return chalice_app


def test_a_scheduled_consultation_is_read_back_and_listed_in_the_clinic_and_clinician_days(
    app: Chalice,
) -> None:
    with Client(app) as client:
        c1, c2 = Session(client, "c1"), Session(client, "c2")
        created = create(c1)
        consultation_id = created["consultation_id"]
        read = body_of(c1.get(f"/api/consultations/{consultation_id}"))
        clinic_day = ids(c2.get("/api/consultations?day=2026-11-24"))
        today = ids(c1.get("/api/consultations"))
        mine = ids(c1.get("/api/consultations?mine=true"))
        not_mine = ids(c2.get("/api/consultations?day=2026-11-24&mine=true"))
        other_day = ids(c1.get("/api/consultations?day=2026-11-25"))

    assert read == created
    assert (read["status"], read["clinician_ids"], read["starts_at"]) == (
        "scheduled",
        ["c1"],
        "2026-11-24T09:30:00+00:00",
    )
    [patient] = read["participants"]
    assert (patient["role"], patient["phone"], patient["channels"], patient["deliveries"]) == (
        "patient",
        PHONE,
        ["sms", "email"],
        [],
    )
    assert clinic_day == today == mine == [consultation_id]
    assert not_mine == other_day == []


def test_one_transaction_writes_the_consultation_patient_and_each_assignment_with_expiry(
    app: Chalice, dynamodb_calls: list[str]
) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        dynamodb_calls.clear()
        created = create(c1, clinician_ids=["c1", "c2"])

    writes = [call for call in dynamodb_calls if call != "GetItem"]
    assert writes == ["TransactWriteItems"]
    kinds = sorted(type(item).__name__ for item in items())
    assert kinds == ["ClinicianAssignment", "ClinicianAssignment", "Consultation", "Participant"]
    # 09:30 UTC + 20 minutes + 30 days of retention.
    assert {item.expires_at.isoformat() for item in items()} == {"2026-12-24T09:50:00+00:00"}
    assert created["clinician_ids"] == ["c1", "c2"]


def test_the_day_is_the_clinics_local_date(app: Chalice) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        created = create(c1, starts_at="2026-11-24T23:30:00+00:00")  # 00:30 in Paris
        next_day = ids(c1.get("/api/consultations?day=2026-11-25&mine=true"))
        same_utc_day = ids(c1.get("/api/consultations?day=2026-11-24"))
    assert next_day == [created["consultation_id"]]
    assert same_utc_day == []


@pytest.mark.parametrize(
    "clinician_ids", [["c1", "nobody"], ["c3"], ["c4"]], ids=["unknown", "other-clinic", "inactive"]
)
def test_a_bad_clinician_creates_nothing(app: Chalice, clinician_ids: list[str]) -> None:
    with Client(app) as client:
        response = Session(client, "c1").send(
            "POST", "/api/consultations", payload(clinician_ids=clinician_ids)
        )
    assert error_field(response) == "clinician_ids"
    assert items() == []


@pytest.mark.parametrize(
    ("patient", "field"),
    [
        ({"phone": "12"}, "patient.phone"),
        ({"phone": "+33 1 42 68 53 00"}, "patient.phone"),  # a landline cannot get SMS
        ({"email": "not-an-address"}, "patient.email"),
        ({"email": None}, "patient.email"),  # the email channel needs an address
        ({"phone": None}, "patient.phone"),  # sms needs a phone
        ({"channels": []}, "patient.channels"),
        ({"channels": ["pigeon"]}, "patient.channels"),
        ({"display_name": " "}, "patient.display_name"),
        ({"language": "xx"}, "patient.language"),
    ],
)
def test_invalid_patient_details_are_400_naming_the_field(
    app: Chalice, patient: dict[str, Any], field: str
) -> None:
    body = payload()
    body["patient"] = {**body["patient"], **patient}
    with Client(app) as client:
        response = Session(client, "c1").send("POST", "/api/consultations", body)
    assert error_field(response) == field
    assert items() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": "2026-11-24T10:30:00"}, "starts_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"duration_minutes": 241}, "duration_minutes"),
        ({"duration_minutes": "20"}, "duration_minutes"),
        ({"language": "es"}, "language"),
        ({"clinician_ids": "c1"}, "clinician_ids"),
        ({"access_code_required": "yes"}, "access_code_required"),
        ({"patient": None}, "patient"),
    ],
)
def test_invalid_schedule_is_400_naming_the_field(
    app: Chalice, changes: dict[str, Any], field: str
) -> None:
    with Client(app) as client:
        response = Session(client, "c1").send("POST", "/api/consultations", payload(**changes))
    assert error_field(response) == field


def test_bad_query_and_body_are_400_not_500(app: Chalice) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        consultation_id = create(c1)["consultation_id"]
        bad_day = c1.get("/api/consultations?day=24-11-2026")
        bad_mine = c1.get("/api/consultations?mine=perhaps")
        empty_patch = c1.send("PATCH", f"/api/consultations/{consultation_id}", {})
        bad_channel = c1.send(
            "POST",
            f"/api/consultations/{consultation_id}/participants/x/invitations",
            {"channel": "fax"},
        )
        not_json = client.http.post("/api/consultations", headers=c1._headers, body="{not json")
    assert (error_field(bad_day), error_field(bad_mine)) == ("day", "mine")
    assert error_field(empty_patch) == "starts_at"
    assert error_field(bad_channel) == "channel"
    assert (not_json.status_code, body_of(not_json)["error"]["code"]) == (400, "bad_json")


def test_state_changes_need_the_session_and_the_csrf_header(app: Chalice) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        without_csrf = c1.send("POST", "/api/consultations", payload(), csrf=False)
        anonymous = client.http.get("/api/consultations")
    assert without_csrf.status_code == 403
    assert anonymous.status_code == 401
    assert items() == []


def test_another_clinics_clinician_gets_404_on_every_consultation_route(app: Chalice) -> None:
    with Client(app) as client:
        created = create(Session(client, "c1"))
        path = f"/api/consultations/{created['consultation_id']}"
        invite = f"{path}/participants/{created['participants'][0]['participant_id']}/invitations"
        c3 = Session(client, "c3")
        answers = [
            c3.get(path),
            c3.send("PATCH", path, {"duration_minutes": 30}),
            c3.send("POST", f"{path}/cancel"),
            c3.send("POST", invite, {"channel": "sms"}),
        ]
        listed = ids(c3.get("/api/consultations?day=2026-11-24"))
    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert listed == []
    assert sms_sent() == []
    assert (
        Consultation.get(
            ConsultationItem.partition(created["consultation_id"]), "CONSULTATION"
        ).status
        == "scheduled"
    )


def test_a_change_moves_the_consultation_and_its_assignments_together(
    app: Chalice, dynamodb_calls: list[str]
) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        consultation_id = create(c1, clinician_ids=["c1", "c2"])["consultation_id"]
        changed = c1.send(
            "PATCH",
            f"/api/consultations/{consultation_id}",
            {"starts_at": "2026-11-25T14:00:00+01:00", "duration_minutes": 45, "language": "de"},
        )
        old_day = ids(c1.get("/api/consultations?day=2026-11-24"))
        new_day = ids(c1.get("/api/consultations?day=2026-11-25"))
        c2_day = body_of(Session(client, "c2").get("/api/consultations?day=2026-11-25&mine=true"))
    assert changed.status_code == 200, changed.body
    body = body_of(changed)
    assert (body["starts_at"], body["duration_minutes"], body["language"]) == (
        "2026-11-25T13:00:00+00:00",
        45,
        "de",
    )
    assert dynamodb_calls.count("TransactWriteItems") == 2
    assert (old_day, new_day) == ([], [consultation_id])
    assert [(e["consultation_id"], e["duration_minutes"]) for e in c2_day["consultations"]] == [
        (consultation_id, 45)
    ]


def test_cancel_marks_the_consultation_and_the_clinicians_days(app: Chalice) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        consultation_id = create(c1)["consultation_id"]
        cancelled = c1.send("POST", f"/api/consultations/{consultation_id}/cancel")
        again = c1.send("POST", f"/api/consultations/{consultation_id}/cancel")
        mine = body_of(c1.get("/api/consultations?mine=true"))["consultations"]
        change = c1.send("PATCH", f"/api/consultations/{consultation_id}", {"language": "en"})
    assert body_of(cancelled)["status"] == body_of(again)["status"] == "cancelled"
    assert [entry["status"] for entry in mine] == ["cancelled"]
    assert change.status_code == 409


def test_an_invitation_is_sent_once_per_attempt_and_again_on_resend(
    app: Chalice, links: FakeLinks
) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        created = create(c1)
        path = f"/api/consultations/{created['consultation_id']}"
        invite = f"{path}/participants/{created['participants'][0]['participant_id']}/invitations"
        first = body_of(c1.send("POST", invite, {"channel": "sms"}))
        retried = body_of(c1.send("POST", invite, {"channel": "sms"}))
        resent = body_of(c1.send("POST", invite, {"channel": "sms", "resend": True}))
        resent_retried = body_of(c1.send("POST", invite, {"channel": "sms", "attempt": 2}))
        by_email = body_of(c1.send("POST", invite, {"channel": "email"}))
        read = body_of(c1.get(path))

    statuses = [(o["attempt"], o["status"]) for o in (first, retried, resent, resent_retried)]
    assert statuses == [(1, "sent"), (1, "duplicate"), (2, "sent"), (2, "duplicate")]
    assert [phone for phone, _ in sms_sent()] == [PHONE, PHONE]
    assert links.issued[0] in sms_sent()[0][1]
    assert (by_email["channel"], by_email["status"]) == ("email", "sent")
    assert len(mail_sent()) == 1
    deliveries = read["participants"][0]["deliveries"]
    assert [(d["channel"], d["purpose"], d["status"], d["attempt"]) for d in deliveries] == [
        ("email", "invitation", "sent", 1),
        ("sms", "invitation", "sent", 2),
    ]


def test_an_unusable_channel_or_unknown_participant_is_refused(app: Chalice) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        created = create(
            c1,
            patient={"display_name": "Bob", "email": "bob@example.org", "channels": ["email"]},
        )
        path = f"/api/consultations/{created['consultation_id']}/participants"
        pid = created["participants"][0]["participant_id"]
        no_phone = c1.send("POST", f"{path}/{pid}/invitations", {"channel": "sms"})
        nobody = c1.send("POST", f"{path}/nobody/invitations", {"channel": "email"})
    assert error_field(no_phone) == "channel"
    assert nobody.status_code == 404
    assert sms_sent() == []


def test_cancel_tells_each_invited_participant_once_on_the_channels_they_were_invited_on(
    app: Chalice,
) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        created = create(c1)
        path = f"/api/consultations/{created['consultation_id']}"
        invite = f"{path}/participants/{created['participants'][0]['participant_id']}/invitations"
        c1.send("POST", invite, {"channel": "sms"})
        c1.send("POST", f"{path}/cancel")
        c1.send("POST", f"{path}/cancel")
        read = body_of(c1.get(path))
        after = c1.send("POST", invite, {"channel": "sms", "resend": True})

    texts = [text for _, text in sms_sent()]
    assert len(texts) == 2
    assert "annul" in texts[1]  # French: "annulée"
    assert mail_sent() == []  # no invitation went by email, so no notice either
    deliveries = read["participants"][0]["deliveries"]
    assert [(d["channel"], d["purpose"], d["status"]) for d in deliveries] == [
        ("sms", "cancellation", "sent"),
        ("sms", "invitation", "sent"),
    ]
    assert after.status_code == 409


def test_an_access_code_goes_on_the_other_channel_with_a_coded_link(
    app: Chalice, links: FakeLinks
) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        created = create(c1, access_code_required=True)
        invite = (
            f"/api/consultations/{created['consultation_id']}/participants/"
            f"{created['participants'][0]['participant_id']}/invitations"
        )
        sent = body_of(c1.send("POST", invite, {"channel": "sms"}))
        retried = body_of(c1.send("POST", invite, {"channel": "sms"}))

    code = links.codes[0]
    assert code is not None and len(code) == 6
    assert (sent["status"], sent["access_code"]["channel"], sent["access_code"]["status"]) == (
        "sent",
        "email",
        "sent",
    )
    assert (retried["status"], retried["access_code"]) == ("duplicate", None)
    assert len(sms_sent()) == 1 and code not in sms_sent()[0][1]
    assert len(mail_sent()) == 1 and code in mail_sent()[0].raw_data


def test_an_access_code_needs_the_other_channel_before_anything_is_sent(app: Chalice) -> None:
    with Client(app) as client:
        c1 = Session(client, "c1")
        created = create(
            c1,
            access_code_required=True,
            patient={"display_name": "Eve", "phone": PHONE, "channels": ["sms"]},
        )
        invite = (
            f"/api/consultations/{created['consultation_id']}/participants/"
            f"{created['participants'][0]['participant_id']}/invitations"
        )
        refused = c1.send("POST", invite, {"channel": "sms"})
    assert error_field(refused) == "access_code"
    assert sms_sent() == []
