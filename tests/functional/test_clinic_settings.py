"""The clinic's waiting-room settings (`PATCH /api/clinic/settings`) and a clinician's own
phone (`PUT /api/clinician/phone`): bounds named by field, partial and racing updates, the
clinic scope, CSRF, and a phone that never reaches a log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.clinics.settings import SettingsChange, change_settings
from chalicelib.store.models import Clinic, Clinician
from tests.support.clinic_api import Session, body_of, error_field, seed_clinics
from tests.support.fakes import serialise_moto_dynamodb

DEFAULTS = {
    "join_opens_minutes_before": 10,
    "reminder_lead_minutes": 10,
    "late_notice_interval_minutes": 2,
    "late_notice_channel": "email",
    "chat_after_end": True,
}
SETTINGS = "/api/clinic/settings"
PHONE = "/api/clinician/phone"


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    seed_clinics()
    with Client(app) as test_client:
        yield test_client


def settings_of(clinic_id: str) -> dict[str, Any]:
    settings = Clinic.get(clinic_id, consistent_read=True).settings
    return {name: getattr(settings, name) for name in DEFAULTS}


def test_a_partial_change_sets_only_the_fields_given(client: Client) -> None:
    session = Session(client, "c1")
    response = session.send("PATCH", SETTINGS, {"join_opens_minutes_before": 30})
    read_back = body_of(session.get("/api/clinic"))

    assert response.status_code == 200, response.body
    assert body_of(response)["settings"] == {**DEFAULTS, "join_opens_minutes_before": 30}
    assert read_back["settings"] == body_of(response)["settings"]
    assert settings_of("k1") == {**DEFAULTS, "join_opens_minutes_before": 30}

    second = session.send(
        "PATCH", SETTINGS, {"late_notice_channel": "sms", "late_notice_interval_minutes": 5}
    )
    assert second.status_code == 200, second.body
    assert settings_of("k1") == {
        **DEFAULTS,
        "join_opens_minutes_before": 30,
        "late_notice_channel": "sms",
        "late_notice_interval_minutes": 5,
    }
    assert body_of(second)["reminder_lead_minutes"] == 10  # the older field stays


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("join_opens_minutes_before", -1),
        ("join_opens_minutes_before", 121),
        ("join_opens_minutes_before", "10"),
        ("reminder_lead_minutes", 121),
        ("late_notice_interval_minutes", 0),
        ("late_notice_interval_minutes", 31),
        ("late_notice_channel", "whatsapp"),
        ("chat_after_end", "no"),
        ("colour", "blue"),
    ],
)
def test_bad_values_are_refused_by_name_and_nothing_changes(
    client: Client, field: str, value: Any
) -> None:
    body = {"reminder_lead_minutes": 20, field: value}
    response = Session(client, "c1").send("PATCH", SETTINGS, body)

    assert error_field(response) == field
    assert settings_of("k1") == DEFAULTS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("join_opens_minutes_before", 0),
        ("join_opens_minutes_before", 120),
        ("reminder_lead_minutes", 0),
        ("late_notice_interval_minutes", 1),
        ("late_notice_interval_minutes", 30),
        ("chat_after_end", False),
    ],
)
def test_the_bounds_themselves_are_accepted(client: Client, field: str, value: int) -> None:
    response = Session(client, "c1").send("PATCH", SETTINGS, {field: value})
    assert response.status_code == 200, response.body
    assert settings_of("k1")[field] == value


def test_a_clinician_changes_only_their_own_clinic(client: Client) -> None:
    response = Session(client, "c3").send("PATCH", SETTINGS, {"join_opens_minutes_before": 60})

    assert response.status_code == 200
    assert body_of(response)["clinic_id"] == "k2"
    assert settings_of("k2")["join_opens_minutes_before"] == 60
    assert settings_of("k1") == DEFAULTS


def test_a_change_needs_the_csrf_token_and_a_session(client: Client) -> None:
    without_csrf = Session(client, "c1").send(
        "PATCH", SETTINGS, {"join_opens_minutes_before": 60}, csrf=False
    )
    anonymous = client.http.request(
        "PATCH",
        SETTINGS,
        headers={"Content-Type": "application/json"},
        body=b'{"join_opens_minutes_before": 60}',
    )

    assert without_csrf.status_code == 403
    assert anonymous.status_code == 401
    assert settings_of("k1") == DEFAULTS


def test_two_clinicians_changing_different_fields_at_once_both_keep_theirs(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    changes = [
        SettingsChange(join_opens_minutes_before=45),
        SettingsChange(late_notice_channel="sms"),
        SettingsChange(reminder_lead_minutes=25),
        SettingsChange(late_notice_interval_minutes=7),
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda change: change_settings("k1", change), changes))

    assert settings_of("k1") == {
        "join_opens_minutes_before": 45,
        "reminder_lead_minutes": 25,
        "late_notice_interval_minutes": 7,
        "late_notice_channel": "sms",
        "chat_after_end": True,
    }


def test_a_clinic_that_does_not_exist_is_not_created(client: Client) -> None:
    from chalicelib.errors import NotFound

    with pytest.raises(NotFound):
        change_settings("gone", SettingsChange(join_opens_minutes_before=5))
    assert not list(Clinic.scan(Clinic.clinic_id == "gone"))


# --- a clinician's own phone ------------------------------------------------------------


def test_a_clinician_sets_reads_and_removes_their_own_phone(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = Session(client, "c1")
    before = body_of(session.get(PHONE))
    saved = session.send("PUT", PHONE, {"phone": " +33 6 12 34 56 78 "})
    read_back = body_of(session.get(PHONE))
    others = body_of(Session(client, "c2").get(PHONE))

    assert before == {"phone": None}
    assert saved.status_code == 200, saved.body
    assert body_of(saved) == read_back == {"phone": "+33612345678"}
    assert Clinician.get("c1").phone == "+33612345678"
    assert others == {"phone": None}
    ours = " ".join(
        f"{record.getMessage()} {record.__dict__}"
        for record in caplog.records
        if not record.name.startswith(("botocore", "pynamodb", "urllib3", "moto"))
    )
    assert "612345678" not in ours and "6 12 34" not in ours

    removed = session.send("PUT", PHONE, {"phone": None})
    assert body_of(removed) == {"phone": None}
    assert Clinician.get("c1").phone is None


@pytest.mark.parametrize(
    "phone",
    ["0612345678", "+33142345678", "not a number", "+1", "+33 6 12"],
    ids=["no country code", "landline", "words", "too short", "incomplete"],
)
def test_bad_phone_numbers_are_refused_by_name_without_repeating_them(
    client: Client, phone: str
) -> None:
    session = Session(client, "c1")
    session.send("PUT", PHONE, {"phone": "+33612345678"})
    response = session.send("PUT", PHONE, {"phone": phone})

    assert error_field(response) == "phone"
    assert phone not in response.body.decode()
    assert Clinician.get("c1").phone == "+33612345678"  # unchanged


def test_setting_a_phone_needs_the_csrf_token(client: Client) -> None:
    response = Session(client, "c1").send("PUT", PHONE, {"phone": "+33612345678"}, csrf=False)
    assert response.status_code == 403
    assert Clinician.get("c1").phone is None


def test_the_phone_leaves_with_the_account(client: Client) -> None:
    from chalicelib import wiring

    Session(client, "c1").send("PUT", PHONE, {"phone": "+33612345678"})
    wiring.services().clinician_accounts.deactivate("c1")

    item = Clinician.get("c1")
    assert item.phone == "+33612345678" and item.expires_at is not None  # TTL deletes both
