"""Late notices: a patient still waiting after the appointment time, the clinicians are told
every `late_notice_interval_minutes` until one of them opens the consultation; each once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.config import Settings
from chalicelib.store.models import CONSULTATION_SK, Clinic, ClinicSettings
from chalicelib.waiting_room import late_notices
from tests.support.fakes import FakeWebsocketApi, FrozenClock, serialise_moto_dynamodb
from tests.support.moto_messages import mail_sent, parsed, sms_sent, text_of
from tests.support.waiting_room import (
    BASE_URL,
    WINDOW_OPEN,
    Patient,
    World,
    consultation,
    sending,
    wired_app,
)

#: From 09:21 (the window is open) to the appointment time, 09:30.
TO_START = timedelta(minutes=9)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return sending(settings)


@pytest.fixture
def app(
    tables: None, settings: Settings, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> Chalice:
    return wired_app(settings, clock, websocket_api)


@pytest.fixture
def world(app: Chalice, websocket_api: FakeWebsocketApi) -> Iterator[World]:
    with Client(app) as client:
        yield World(client, websocket_api)


def sweep(world: World) -> Any:
    event = world.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return world.client.lambda_.invoke("sweep", event).payload


def waiting_patient(world: World, clock: FrozenClock, **changes: Any) -> Patient:
    patient = world.patient_of(world.schedule(**changes))
    patient.accept_terms()
    clock.advance(WINDOW_OPEN)
    response = patient.send("POST", "/api/participant/waiting")
    assert response.status_code == 200, response.body
    return patient


def notices() -> list[tuple[str, str, str]]:
    """(recipient, subject, text) of every email sent."""
    return [
        (str(parsed(sent)["To"]), str(parsed(sent)["Subject"]), text_of(sent))
        for sent in mail_sent()
    ]


def test_the_clinicians_are_told_every_two_minutes_until_they_open_the_consultation(
    world: World, clock: FrozenClock
) -> None:
    patient = waiting_patient(world, clock, clinician_ids=["c1", "c2"])
    clock.advance(TO_START - MINUTE)
    early = sweep(world)  # 09:29
    clock.advance(MINUTE)
    first = sweep(world)  # 09:30
    again = sweep(world)  # the same minute: nothing twice
    clock.advance(MINUTE)
    between = sweep(world)  # 09:31
    clock.advance(MINUTE)
    second = sweep(world)  # 09:32
    seen = world.clinician("c2").send("POST", f"/api/consultations/{patient.consultation_id}/seen")
    clock.advance(2 * MINUTE)
    after_seen = sweep(world)

    assert early == again == between == after_seen == {"handled": 0, "failed": 0}
    assert first == second == {"handled": 1, "failed": 0}
    assert seen.status_code == 204
    sent = notices()
    assert sorted(to for to, _, _ in sent) == sorted(["c1@clinic.example", "c2@clinic.example"] * 2)
    _, subject, text = sent[0]
    assert "10:30" in subject  # the appointment, in the clinic's time zone
    assert f"{BASE_URL}/clinic/consultation.html?id={patient.consultation_id}" in text
    assert "Alice" not in subject + text and "Martin" not in text  # no patient name
    assert int(consultation(patient.consultation_id).late_notices_sent) == 2


def test_the_clinics_interval_is_honoured_and_start_stops_the_notices(
    world: World, clock: FrozenClock
) -> None:
    Clinic.get("k1").update(
        actions=[Clinic.settings.set(ClinicSettings(late_notice_interval_minutes=5))]
    )
    patient = waiting_patient(world, clock)
    clock.advance(TO_START)
    first = sweep(world)
    clock.advance(4 * MINUTE)
    early = sweep(world)
    clock.advance(MINUTE)
    second = sweep(world)
    world.clinician("c1").send("POST", f"/api/consultations/{patient.consultation_id}/start")
    clock.advance(5 * MINUTE)
    after_start = sweep(world)

    assert (first["handled"], early["handled"], second["handled"]) == (1, 0, 1)
    assert after_start["handled"] == 0
    assert len(notices()) == 2


def test_nobody_waiting_any_more_means_no_notice(world: World, clock: FrozenClock) -> None:
    patient = waiting_patient(world, clock)
    principal = wiring.services().participant_links.session_principal(patient.cookie)
    from chalicelib.store.enums import Presence
    from chalicelib.waiting_room import presence
    from tests.support.waiting_room import participant

    presence.move(
        participant(patient.consultation_id, patient.participant_id), Presence.LEFT, clock.now()
    )
    clock.advance(TO_START)
    swept = sweep(world)
    clock.advance(2 * MINUTE)
    later = sweep(world)

    assert swept == {"handled": 1, "failed": 0} and later["handled"] == 0
    assert notices() == []
    assert consultation(patient.consultation_id).due_at is None
    assert principal.consultation_id == patient.consultation_id


def test_a_patient_who_arrives_late_is_announced_at_the_next_sweep(
    world: World, clock: FrozenClock
) -> None:
    patient = world.patient_of(world.schedule())
    patient.accept_terms()
    clock.advance(WINDOW_OPEN + TO_START + 5 * MINUTE)  # 09:35
    patient.send("POST", "/api/participant/waiting")
    swept = sweep(world)
    assert swept["handled"] == 1
    [(_, _, text)] = notices()
    assert "0 minutes" in text


def test_the_reminders_and_the_late_notices_share_one_sweep_of_the_index(
    world: World, clock: FrozenClock, dynamodb_calls: list[str]
) -> None:
    waiting_patient(world, clock)
    clock.advance(TO_START)
    dynamodb_calls.clear()
    sweep(world)

    assert "Scan" not in dynamodb_calls
    assert dynamodb_calls[:2] == ["Query", "Query"]  # yesterday's and today's buckets


def test_two_sweepers_at_once_send_each_notice_once(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    patient = waiting_patient(world, clock)
    clock.advance(TO_START)
    both_read = threading.Barrier(2)
    load = late_notices.queries.load_waiting_room

    def load_then_wait(consultation_id: str) -> Any:
        snapshot = load(consultation_id)
        both_read.wait(timeout=10)
        return snapshot

    monkeypatch.setattr(late_notices.queries, "load_waiting_room", load_then_wait)
    handle = wiring.services().late_notices.handle
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(
                lambda _: handle(patient.consultation_id, CONSULTATION_SK, clock.now()), range(2)
            )
        )

    assert results == [True, True]
    assert [to for to, _, _ in notices()] == ["c1@clinic.example"]
    assert int(consultation(patient.consultation_id).late_notices_sent) == 1


def test_with_sms_chosen_a_clinician_with_a_phone_gets_an_sms_and_one_without_an_email(
    world: World, clock: FrozenClock
) -> None:
    changed = world.clinician("c1").send(
        "PATCH", "/api/clinic/settings", {"late_notice_channel": "sms"}
    )
    phone = world.clinician("c1").send("PUT", "/api/clinician/phone", {"phone": "+33612345678"})
    patient = waiting_patient(world, clock, clinician_ids=["c1", "c2"])
    clock.advance(TO_START)
    first = sweep(world)
    again = sweep(world)  # the same minute: nothing twice

    assert (changed.status_code, phone.status_code) == (200, 200)
    assert first == {"handled": 1, "failed": 0} and again["handled"] == 0
    [(number, text)] = sms_sent()
    assert number == "+33612345678"
    assert f"{BASE_URL}/clinic/consultation.html?id={patient.consultation_id}" in text
    assert "Alice" not in text
    assert [to for to, _, _ in notices()] == ["c2@clinic.example"]


def test_with_email_chosen_a_clinician_with_a_phone_still_gets_an_email(
    world: World, clock: FrozenClock
) -> None:
    world.clinician("c1").send("PUT", "/api/clinician/phone", {"phone": "+33612345678"})
    waiting_patient(world, clock)
    clock.advance(TO_START)
    sweep(world)

    assert sms_sent() == []
    assert [to for to, _, _ in notices()] == ["c1@clinic.example"]
