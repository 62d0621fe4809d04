"""Participant links: hashed tokens, sessions by POST only, expiry, access codes, guests."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.auth.secret_tokens import token_hash
from chalicelib.config import Settings
from chalicelib.errors import InvalidField
from chalicelib.participants import access_codes
from chalicelib.participants.links import ParticipantLinks
from chalicelib.store.models import (
    AuditEvent,
    Clinic,
    Consultation,
    LinkToken,
    Participant,
)
from chalicelib.wiring import build_courier
from tests.conftest import START
from tests.support import builders
from tests.support.fakes import FrozenClock
from tests.support.moto_messages import plain_texts, sms_sent

REGION = "eu-west-1"
SENDER = "no-reply@clinic.example"
BASE_URL = "https://vestibule.example"
JSON = {"Content-Type": "application/json"}
STARTS = START + timedelta(hours=1)  # 20 minutes long, 60 minutes of grace


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, sender_email=SENDER, public_base_url=BASE_URL)


@pytest.fixture
def clinic(app: Chalice) -> Clinic:
    item = Clinic(clinic_id="clinic-1", name="Clinique Test", time_zone="Europe/Paris")
    item.created_at = START
    item.save()
    return item


@pytest.fixture
def consultation(clinic: Clinic) -> Consultation:
    item = builders.consultation("k1", clinic_id=clinic.clinic_id, starts_at=STARTS)
    item.save()
    return item


@pytest.fixture
def patient(consultation: Consultation) -> Participant:
    item = builders.participant("k1", "p1")
    item.phone = "+33612345678"
    item.email = "patient@example.org"
    item.save()
    return item


@pytest.fixture
def links(app: Chalice) -> ParticipantLinks:
    return wiring.services().participant_links


def token_of(link: str) -> str:
    match = re.fullmatch(rf"{re.escape(BASE_URL)}/j/#([\w-]+)", link)
    assert match is not None, link
    return match.group(1)


def exchange(client: Client, token: str, code: str | None = None, **headers: str) -> Any:
    body: dict[str, str] = {"token": token}
    if code is not None:
        body["access_code"] = code
    return client.http.post(
        "/api/participant-sessions", headers={**JSON, **headers}, body=json.dumps(body)
    )


def error_of(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(response.body)["error"]
    return error


def test_the_link_carries_256_random_bits_in_its_fragment_and_only_the_hash_is_stored(
    links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    assert len(token) >= 43  # 32 bytes of urlsafe base64: at least 128 bits, here 256
    stored = list(LinkToken.scan())
    assert [item.token_hash for item in stored] == [token_hash(token)]
    assert token not in json.dumps([item.attribute_values for item in stored], default=str)
    assert stored[0].purpose == "participant_link"


def test_no_get_route_spends_a_link_and_two_devices_can_both_exchange_it(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    with Client(app) as client:
        for path, methods in app.routes.items():
            if "GET" in methods and "{" not in path:
                client.http.get(f"{path}?t={token}")
        phone, laptop = exchange(client, token), exchange(client, token)
    assert phone.status_code == laptop.status_code == 201
    assert LinkToken.get(token_hash(token)).purpose == "participant_link"
    cookie = phone.headers["Set-Cookie"]
    assert cookie.startswith("vestibule_participant=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/api", "Secure"):
        assert attribute in cookie


def test_the_session_says_who_the_participant_is(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    with Client(app) as client:
        cookie = exchange(client, token).headers["Set-Cookie"].split(";", 1)[0]
        me = client.http.get("/api/participant-session", headers={"Cookie": cookie})
        anonymous = client.http.get("/api/participant-session")
    assert me.status_code == 200
    assert json.loads(me.body) == {
        "consultation_id": "k1",
        "participant_id": "p1",
        "role": "patient",
        "language": "fr",
        "clinic_name": "Clinique Test",
        "starts_at": STARTS.isoformat(),
    }
    assert anonymous.status_code == 401


def test_signing_out_ends_the_session_clears_its_cookie_and_leaves_the_link_working(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    with Client(app) as client:
        cookie = exchange(client, token).headers["Set-Cookie"].split(";", 1)[0]
        session = cookie.split("=", 1)[1]
        sign_out = client.http.delete("/api/participant-session", headers={"Cookie": cookie})
        after = client.http.get("/api/participant-session", headers={"Cookie": cookie})
        again = client.http.delete("/api/participant-session", headers={"Cookie": cookie})
        back_in = exchange(client, token)
    assert sign_out.status_code == 204
    cleared = sign_out.headers["Set-Cookie"]
    assert cleared.startswith("vestibule_participant=;")
    for attribute in ("Max-Age=0", "HttpOnly", "SameSite=Strict", "Path=/api"):
        assert attribute in cleared
    assert sign_out.headers["Cache-Control"] == "no-store"
    with pytest.raises(LinkToken.DoesNotExist):
        LinkToken.get(token_hash(session))
    assert after.status_code == 401
    assert again.status_code == 401  # like clinicians': nothing left to sign out of
    assert error_of(again)["code"] == "unauthorized"
    assert back_in.status_code == 201


def test_signing_out_one_device_leaves_the_others_signed_in(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    with Client(app) as client:
        phone, laptop = (
            exchange(client, token).headers["Set-Cookie"].split(";", 1)[0] for _ in range(2)
        )
        client.http.delete("/api/participant-session", headers={"Cookie": phone})
        still_in = client.http.get("/api/participant-session", headers={"Cookie": laptop})
    assert still_in.status_code == 200


@pytest.mark.parametrize("cookie", [None, "vestibule_participant=not-a-session"])
def test_signing_out_without_a_live_session_is_unauthorized_and_deletes_nothing(
    app: Chalice,
    links: ParticipantLinks,
    consultation: Consultation,
    patient: Participant,
    cookie: str | None,
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    with Client(app) as client:
        response = client.http.delete(
            "/api/participant-session", headers={"Cookie": cookie} if cookie else {}
        )
    assert response.status_code == 401
    assert [item.token_hash for item in LinkToken.scan()] == [token_hash(token)]


def test_a_link_token_in_the_cookie_cannot_sign_out_and_so_delete_the_link(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    with Client(app) as client:
        response = client.http.delete(
            "/api/participant-session", headers={"Cookie": f"vestibule_participant={token}"}
        )
    assert response.status_code == 401
    assert LinkToken.get(token_hash(token)).purpose == "participant_link"


def test_a_link_expires_at_the_end_of_the_consultation_plus_the_clinics_grace(
    app: Chalice,
    clock: FrozenClock,
    links: ParticipantLinks,
    consultation: Consultation,
    patient: Participant,
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    end = STARTS + timedelta(minutes=20 + 60)
    with Client(app) as client:
        clock.advance(end - clock.now() - timedelta(seconds=1))
        assert exchange(client, token).status_code == 201
        clock.advance(timedelta(seconds=1))
        expired = exchange(client, token)
    assert expired.status_code == 410
    assert error_of(expired)["reason"] == "expired"
    assert error_of(expired)["title"] == "Ce lien a expiré"


def test_a_cancelled_consultation_refuses_its_links_in_the_participants_language(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    token = token_of(links.issue_link(consultation, patient))
    consultation.update(actions=[Consultation.status.set("cancelled")])
    with Client(app) as client:
        response = exchange(client, token, **{"Accept-Language": "de"})
    assert response.status_code == 410
    assert error_of(response)["reason"] == "cancelled"
    assert error_of(response)["title"] == "Cette consultation a été annulée"


def test_an_unknown_link_is_refused_in_the_browsers_language(app: Chalice) -> None:
    with Client(app) as client:
        response = exchange(client, "not-a-real-token", **{"Accept-Language": "fi, en;q=0.5"})
    assert response.status_code == 404
    assert error_of(response)["reason"] == "unknown"
    assert error_of(response)["title"] == "Linkki ei kelpaa"


def test_five_wrong_codes_lock_the_link_for_15_minutes_and_the_lockout_is_audited(
    app: Chalice,
    clock: FrozenClock,
    links: ParticipantLinks,
    consultation: Consultation,
    patient: Participant,
) -> None:
    code = access_codes.new_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    token = token_of(links.issue_link(consultation, patient, access_code=code))
    assert code not in json.dumps(LinkToken.get(token_hash(token)).attribute_values, default=str)
    with Client(app) as client:
        assert error_of(exchange(client, token))["reason"] == "access_code_required"
        answers = [exchange(client, token, wrong) for _ in range(5)]
        assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
        assert error_of(answers[0])["reason"] == "wrong_code"
        assert error_of(answers[-1])["reason"] == "locked"
        assert answers[-1].headers["Retry-After"] == "900"
        still_locked = exchange(client, token, code)
        assert still_locked.status_code == 429
        assert error_of(still_locked)["reason"] == "locked"
        clock.advance(timedelta(minutes=15))
        assert exchange(client, token, wrong).status_code == 401  # counting again
        assert exchange(client, token, code).status_code == 201
    events = list(AuditEvent.query("clinic-1"))
    assert [event.action for event in events] == ["participant_link.locked"]
    assert events[0].actor_id == "p1"
    assert "+336" not in json.dumps(events[0].attribute_values, default=str)
    assert LinkToken.get(token_hash(token)).failed_attempts == 0


def test_a_right_code_resets_the_count_of_wrong_ones(
    app: Chalice, links: ParticipantLinks, consultation: Consultation, patient: Participant
) -> None:
    code = access_codes.new_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    token = token_of(links.issue_link(consultation, patient, access_code=code))
    with Client(app) as client:
        for _ in range(4):
            exchange(client, token, wrong)
        assert exchange(client, token, code).status_code == 201
        assert exchange(client, token, wrong).status_code == 401
    assert LinkToken.get(token_hash(token)).failed_attempts == 1


def test_a_link_deleted_while_its_code_is_checked_is_not_brought_back(
    app: Chalice,
    links: ParticipantLinks,
    consultation: Consultation,
    patient: Participant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = access_codes.new_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    token = token_of(links.issue_link(consultation, patient, access_code=code))
    read = LinkToken.get

    def read_then_expire(hash_key: str, *args: Any, **kwargs: Any) -> LinkToken:
        item = read(hash_key, *args, **kwargs)
        LinkToken(token_hash=hash_key).delete()  # DynamoDB's TTL sweep, just then
        return item

    with Client(app) as client:
        exchange(client, token, wrong)
        monkeypatch.setattr(LinkToken, "get", read_then_expire)
        right = exchange(client, token, code)
        monkeypatch.undo()
    assert right.status_code == 429  # the guess cannot be counted: refused, not written back
    with pytest.raises(LinkToken.DoesNotExist):
        LinkToken.get(token_hash(token))


def test_the_code_goes_by_sms_for_a_link_by_email_and_by_email_for_a_link_by_sms(
    settings: Settings,
    clock: FrozenClock,
    clinic: Clinic,
    consultation: Consultation,
    patient: Participant,
) -> None:
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    courier = build_courier(settings, clock)
    access_codes.send_on_other_channel(
        courier, consultation, patient, "123456", link_channel="email", clinic=clinic, attempt=1
    )
    assert len(sms_sent()) == 1 and "123456" in sms_sent()[0][1]
    assert plain_texts() == []
    access_codes.send_on_other_channel(
        courier, consultation, patient, "654321", link_channel="whatsapp", clinic=clinic, attempt=1
    )
    assert len(sms_sent()) == 1
    assert len(plain_texts()) == 1 and "654321" in plain_texts()[0]


def test_a_code_is_refused_when_the_participant_lacks_the_other_channel(
    patient: Participant,
) -> None:
    patient.phone = None
    with pytest.raises(InvalidField) as refused:
        access_codes.other_channel(patient, "email")
    assert refused.value.field == "access_code"
