"""The waiting room over REST and the websocket: presence, the joining window, the view,
"we'll text you", Start, delays, estimates, and who receives each push.

Clinic `k1` has clinicians `c1`, `c2`; clinic `k2` has `c3`. Dashboards are staff
connections; each patient holds one participant connection.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.config import Settings
from chalicelib.errors import Conflict
from chalicelib.store.enums import Presence
from chalicelib.store.models import Participant
from chalicelib.waiting_room import clinic_actions, presence
from tests.support.fakes import FakeWebsocketApi, FrozenClock, serialise_moto_dynamodb
from tests.support.moto_messages import sms_sent
from tests.support.waiting_room import (
    BASE_URL,
    START,
    WINDOW_OPEN,
    World,
    consultation,
    participant,
    sending,
    wired_app,
)

PHONE_OF_PATIENT = "+33612345678"
DEVICE_CHECK = {
    "camera": "green",
    "microphone": "green",
    "speaker": "untested",
    "connection": "orange",
    "rtt_ms": 180,
    "jitter_ms": 12.5,
    "loss_percent": 1.5,
    "bitrate_kbps": 900,
    "join_with": "video",
}


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
        world = World(client, websocket_api)
        world.dashboard("dash-k1", "c2", "k1")
        world.dashboard("dash-k2", "c3", "k2")
        yield world


def ready(world: World, clock: FrozenClock, consultation_id: str | None = None):
    """A patient who accepted the terms, in an open joining window."""
    patient = world.patient_of(consultation_id or world.schedule())
    patient.accept_terms()
    clock.advance(WINDOW_OPEN)
    return patient


# --- presence and its pushes --------------------------------------------------------------


def test_opening_the_link_moves_invited_to_link_opened_once_and_tells_the_clinic(
    world: World,
) -> None:
    consultation_id = world.schedule()
    first = world.patient_of(consultation_id, "ws-first")
    again = world.patient_of(consultation_id, "ws-again")  # the same link on a second device

    item = participant(consultation_id, first.participant_id)
    assert item.presence == "link_opened" and item.presence_at is not None
    first.accept_terms()
    pushed = world.frames("dash-k1", "waiting_room.participant")
    assert [frame["presence"] for frame in pushed] == ["link_opened", "terms_accepted"]
    assert pushed[0]["consultation_id"] == consultation_id
    assert set(pushed[0]) == {
        "type",
        "consultation_id",
        "participant_id",
        "role",
        "presence",
        "waiting_since",
        "device_check",
        "join_with",
        "notify_when_called",
    }  # no name, phone or email
    assert world.frames("dash-k2") == []
    assert again.participant_id == first.participant_id


def test_the_waiting_room_answer_before_the_window_says_when_it_opens(
    world: World, clock: FrozenClock
) -> None:
    patient = world.patient_of(world.schedule())
    before_terms = patient.room()
    patient.accept_terms()
    after_terms = patient.room()
    refused = patient.send("POST", "/api/participant/waiting")

    assert before_terms["step"] == "terms" and before_terms["terms"]["accepted"] is False
    assert after_terms["step"] == "device_check" and after_terms["terms"]["accepted"] is True
    room = after_terms["consultation"]
    assert room["join_opens_at"] == "2026-11-24T09:20:00+00:00"
    assert room["joining_open"] is False and room["status"] == "scheduled"
    assert after_terms["clinic"] == {"name": "Clinic k1", "time_zone": "Europe/Paris"}
    assert after_terms["clinicians"] == [{"display_name": "Dr c1"}]
    assert after_terms["me"]["presence"] == "terms_accepted"
    assert after_terms["me"]["language"] == "fr"
    assert refused.status_code == 403
    error = json.loads(refused.body)["error"]
    assert error["code"] == "not_open_yet"
    assert error["join_opens_at"] == "2026-11-24T09:20:00+00:00"
    assert "10:20" in error["message"]  # in the patient's time zone and language
    assert participant(patient.consultation_id, patient.participant_id).presence == "terms_accepted"


def test_the_device_check_runs_before_the_window_and_never_moves_presence_back(
    world: World, clock: FrozenClock
) -> None:
    patient = world.patient_of(world.schedule())
    early = patient.send("POST", "/api/participant/device-check", DEVICE_CHECK)
    assert early.status_code == 200, early.body
    assert json.loads(early.body)["me"]["presence"] == "link_opened"  # terms come first

    patient.accept_terms()
    checked = json.loads(patient.send("POST", "/api/participant/device-check", DEVICE_CHECK).body)
    clock.advance(WINDOW_OPEN)
    assert patient.send("POST", "/api/participant/waiting").status_code == 200
    rerun = patient.send("POST", "/api/participant/device-check", {**DEVICE_CHECK, "camera": "red"})

    assert checked["me"]["presence"] == "device_checked"
    assert checked["me"]["device_check"]["connection"] == "orange"
    assert checked["me"]["device_check"]["rtt_ms"] == 180
    assert checked["me"]["join_with"] == "video"
    me = json.loads(rerun.body)["me"]
    assert (me["presence"], me["device_check"]["camera"]) == ("waiting", "red")
    dashboard = world.frames("dash-k1", "waiting_room.participant")
    assert dashboard[-1]["device_check"]["camera"] == "red"


def test_entering_needs_the_current_terms(world: World, clock: FrozenClock) -> None:
    patient = world.patient_of(world.schedule())
    clock.advance(WINDOW_OPEN)
    refused = patient.send("POST", "/api/participant/waiting")
    assert refused.status_code == 409
    assert json.loads(refused.body)["error"]["code"] == "terms_required"

    patient.accept_terms()
    from chalicelib.store.models import Clinic

    Clinic.get("k1").update(actions=[Clinic.terms_version.set(1)])  # new terms since
    again = patient.send("POST", "/api/participant/waiting")
    assert again.status_code == 409
    assert patient.room()["step"] == "terms"


def test_entering_the_waiting_room_is_one_push_to_each_recipient_and_idempotent(
    world: World, clock: FrozenClock
) -> None:
    consultation_id = world.schedule()
    other_id = world.schedule()
    patient = world.patient_of(consultation_id)
    other = world.patient_of(other_id)
    patient.accept_terms()
    clock.advance(WINDOW_OPEN)
    for connection in ("dash-k1", "dash-k2", patient.connection_id, other.connection_id):
        world.websocket_api.sent[connection].clear()

    first = patient.send("POST", "/api/participant/waiting")
    second = patient.send("POST", "/api/participant/waiting")

    assert first.status_code == second.status_code == 200
    me = json.loads(first.body)["me"]
    assert me["presence"] == "waiting"
    assert me["waiting_since"] == (START + WINDOW_OPEN).isoformat()
    assert [f["presence"] for f in world.frames("dash-k1")] == ["waiting"]
    assert [f["presence"] for f in world.frames(patient.connection_id)] == ["waiting"]
    assert world.frames(other.connection_id) == []  # another consultation of the clinic
    assert world.frames("dash-k2") == []  # another clinic
    assert patient.room()["step"] == "waiting"


def test_a_state_change_costs_one_write_and_one_query_for_its_recipients(
    world: World, clock: FrozenClock, dynamodb_calls: list[str]
) -> None:
    for number in range(5):  # a busy day: other consultations, waiting, connected
        busy = world.patient_of(world.schedule(), f"ws-busy-{number}")
        busy.accept_terms()
    patient = ready(world, clock)
    world.websocket_api.sent.clear()
    dynamodb_calls.clear()

    response = patient.send("POST", "/api/participant/waiting")

    assert response.status_code == 200
    # The session, the consultation's partition, the clinic, the clinician's day (for the
    # estimate); the move; the recipients.
    assert dynamodb_calls == [
        "GetItem",
        "Query",
        "GetItem",
        "Query",
        "TransactWriteItems",
        "Query",
    ]
    assert set(world.websocket_api.sent) == {"dash-k1", patient.connection_id}


def test_racing_moves_make_each_transition_once(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    patient = ready(world, clock)
    principal = wiring.services().participant_links.session_principal(patient.cookie)
    world.websocket_api.sent.clear()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: wiring.services().waiting_room.enter(principal), range(8))
        )

    assert {r.presence for r in results} == {"waiting"}
    assert [f["presence"] for f in world.frames("dash-k1")] == ["waiting"]

    item = participant(patient.consultation_id, patient.participant_id)
    now = clock.now()
    with ThreadPoolExecutor(max_workers=8) as pool:
        moved = list(
            pool.map(
                lambda to: presence.move(Participant(item.pk, item.sk), to, now),
                [Presence.IN_CALL] * 4 + [Presence.LEFT] * 4,
            )
        )
    # waiting -> in_call at most once, -> left exactly once (from waiting or in_call), and
    # never in_call after left.
    assert moved[:4].count(True) <= 1 and moved[4:].count(True) == 1
    assert participant(patient.consultation_id, patient.participant_id).presence == "left"


def test_racing_link_exchanges_open_the_link_once(
    world: World, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    consultation_id = world.schedule()
    item = consultation(consultation_id)
    [patient] = [p for p in Participant.query(item.pk) if isinstance(p, Participant)]
    now = clock.now()
    with ThreadPoolExecutor(max_workers=8) as pool:
        moved = list(
            pool.map(
                lambda _: presence.move(
                    Participant(patient.pk, patient.sk), Presence.LINK_OPENED, now
                ),
                range(8),
            )
        )
    assert moved.count(True) == 1


# --- notify when called, Start ------------------------------------------------------------


def test_we_text_you_when_called_once_per_call(world: World, clock: FrozenClock) -> None:
    patient = ready(world, clock)
    assert patient.send("POST", "/api/participant/waiting").status_code == 200
    on = patient.send("PUT", "/api/participant/notify-when-called", {"enabled": True})
    assert json.loads(on.body)["me"]["notify_when_called"] is True
    c1 = world.clinician("c1")

    first = c1.send("POST", f"/api/consultations/{patient.consultation_id}/start")
    retried = wiring.services().clinic_actions._text_the_called(  # a retried Lambda
        consultation(patient.consultation_id),
        [participant(patient.consultation_id, patient.participant_id)],
        1,
    )
    second = c1.send("POST", f"/api/consultations/{patient.consultation_id}/start")

    assert first.status_code == 200, first.body
    assert json.loads(first.body) == {
        "call_number": 1,
        "texted": [patient.participant_id],
        "rung": [patient.participant_id],
        "mode": "video",
    }
    assert retried == []
    assert json.loads(second.body)["call_number"] == 2
    texts = sms_sent()
    assert len(texts) == 2
    assert all(phone == PHONE_OF_PATIENT for phone, _ in texts)
    assert all(f"{BASE_URL}/j/#" in text for _, text in texts)
    assert "votre soignant est pret" in texts[0][1]  # French, in the GSM 7-bit alphabet
    called = world.frames(patient.connection_id, "waiting_room.called")
    assert [f["call_number"] for f in called] == [1, 2]
    assert [f["call_number"] for f in world.frames("dash-k1", "waiting_room.called")] == [1, 2]
    assert world.frames("dash-k2") == []
    assert patient.room()["step"] == "call"


def test_racing_starts_call_once(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    patient = ready(world, clock)
    patient.send("POST", "/api/participant/waiting")
    patient.send("PUT", "/api/participant/notify-when-called", {"enabled": True})
    clinician = Principal.of_clinician("c1", "k1")
    # Every Start reads the consultation before any of them writes.
    all_read = threading.Barrier(4)
    load = clinic_actions.queries.load_waiting_room

    def load_then_wait(consultation_id: str) -> Any:
        snapshot = load(consultation_id)
        all_read.wait(timeout=10)
        return snapshot

    monkeypatch.setattr(clinic_actions.queries, "load_waiting_room", load_then_wait)

    def start(_: int) -> int:
        try:
            return (
                wiring.services()
                .clinic_actions.start(clinician, patient.consultation_id)
                .call_number
            )
        except Conflict:
            return 0

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = sorted(pool.map(start, range(4)))

    assert numbers == [0, 0, 0, 1]  # one call; the others were told to reload (409)
    assert int(consultation(patient.consultation_id).call_number) == 1
    assert len(sms_sent()) == 1


def test_notify_when_called_needs_a_phone(world: World, clock: FrozenClock) -> None:
    consultation_id = world.schedule(
        patient={"display_name": "Bob", "email": "bob@example.org", "channels": ["email"]}
    )
    patient = world.patient_of(consultation_id)
    refused = patient.send("PUT", "/api/participant/notify-when-called", {"enabled": True})
    assert refused.status_code == 409
    assert json.loads(refused.body)["error"]["code"] == "no_phone"
    off = patient.send("PUT", "/api/participant/notify-when-called", {"enabled": False})
    assert off.status_code == 200


# --- delays and estimates -----------------------------------------------------------------


def test_a_delay_is_shown_at_once_and_texted_once_per_delay(
    world: World, clock: FrozenClock
) -> None:
    patient = ready(world, clock)
    patient.send("POST", "/api/participant/waiting")
    c1 = world.clinician("c1")
    path = f"/api/consultations/{patient.consultation_id}/delay"

    first = c1.send("POST", path, {"minutes": 15, "text": "Urgence, désolé"})
    retried = wiring.services().courier.send_delay(  # the same delay, sent again
        consultation(patient.consultation_id),
        participant(patient.consultation_id, patient.participant_id),
        "sms",
        clinic=__import__("chalicelib.store.models", fromlist=["Clinic"]).Clinic.get("k1"),
        minutes=15,
        note=None,
        attempt=1,
    )
    second = c1.send("POST", path, {"minutes": 25})
    assert second.status_code == 201, second.body

    assert first.status_code == 201, first.body
    assert json.loads(first.body)["delay"]["minutes"] == 15
    assert json.loads(first.body)["delay"]["text"] == "Urgence, désolé"
    assert retried.status == "duplicate"
    texts = [text for _, text in sms_sent()]
    assert len(texts) == 2
    assert "15 minutes" in texts[0] and "Urgence" in texts[0]
    assert "25 minutes" in texts[1]
    delays = world.frames(patient.connection_id, "waiting_room.delay")
    assert [f["delay"]["minutes"] for f in delays] == [15, 25]
    assert [f["delay"]["minutes"] for f in world.frames("dash-k1", "waiting_room.delay")] == [
        15,
        25,
    ]
    room = patient.room()
    assert room["delay"]["minutes"] == 25
    # 09:21 now, 09:30 + 25 minutes late: about 34 minutes.
    assert room["estimate"] == {"low_minutes": 30, "high_minutes": 45}
    assert world.frames("dash-k2") == []


def test_starting_the_earlier_consultation_pushes_a_new_estimate_to_the_next_patient(
    world: World, clock: FrozenClock
) -> None:
    first_id = world.schedule(starts_at="2026-11-24T10:10:00+01:00")  # 09:10-09:30 UTC
    second = world.patient_of(world.schedule())  # 09:30 UTC
    second.accept_terms()
    clock.advance(WINDOW_OPEN)  # 09:21: the first has not started yet
    second.send("POST", "/api/participant/waiting")
    before = second.room()["estimate"]
    clock.advance(timedelta(minutes=4))  # 09:25

    started = world.clinician("c1").send("POST", f"/api/consultations/{first_id}/start")

    assert started.status_code == 200, started.body
    # Before: the first (09:10-09:30) still to come, 20 minutes from 09:21: 09:41.
    assert before == {"low_minutes": 20, "high_minutes": 30}
    # Started at 09:25, planned end 09:45: 20 minutes from 09:25.
    [pushed] = world.frames(second.connection_id, "waiting_room.estimate")
    assert pushed == {
        "type": "waiting_room.estimate",
        "consultation_id": second.consultation_id,
        "estimate": {"low_minutes": 20, "high_minutes": 30},
    }
    assert world.frames("dash-k1", "waiting_room.estimate") == []  # participants only
    assert second.room()["estimate"] == {"low_minutes": 20, "high_minutes": 30}


# --- outsiders ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["start", "delay", "seen"])
def test_a_clinician_of_another_clinic_gets_404_and_nobody_is_pushed(
    world: World, clock: FrozenClock, action: str
) -> None:
    patient = ready(world, clock)
    patient.send("POST", "/api/participant/waiting")
    world.websocket_api.sent.clear()
    body = {"minutes": 5} if action == "delay" else {}

    response = world.clinician("c3").send(
        "POST", f"/api/consultations/{patient.consultation_id}/{action}", body
    )

    assert response.status_code == 404
    assert dict(world.websocket_api.sent) == {}
    assert sms_sent() == []


def test_a_participant_session_does_not_open_clinician_actions(
    world: World, clock: FrozenClock
) -> None:
    patient = ready(world, clock)
    response = patient.send("POST", f"/api/consultations/{patient.consultation_id}/start")
    assert response.status_code == 401
    assert int(consultation(patient.consultation_id).call_number) == 0


def test_a_participant_only_ever_sees_their_own_consultation(
    world: World, clock: FrozenClock
) -> None:
    mine = world.patient_of(world.schedule())
    theirs_id = world.schedule(clinician_id="c3")
    theirs = world.patient_of(theirs_id)
    assert mine.room()["consultation"]["consultation_id"] == mine.consultation_id
    assert theirs.room()["clinic"]["name"] == "Clinic k2"
    anonymous = world.client.http.get("/api/participant/waiting-room")
    assert anonymous.status_code == 401


def test_a_cancelled_consultation_is_pushed_live_and_ends_the_session(
    world: World, clock: FrozenClock
) -> None:
    patient = ready(world, clock)
    cancelled = world.clinician("c1").send(
        "POST", f"/api/consultations/{patient.consultation_id}/cancel"
    )
    assert cancelled.status_code == 200
    room = patient.get()
    refused = patient.send("POST", "/api/participant/waiting")

    assert room.status_code == refused.status_code == 401
    for connection in (patient.connection_id, "dash-k1"):
        assert world.frames(connection, "waiting_room.consultation") == [
            {
                "type": "waiting_room.consultation",
                "consultation_id": patient.consultation_id,
                "status": "cancelled",
            }
        ]
    assert world.frames("dash-k2") == []


# --- the clinic's views -------------------------------------------------------------------


def test_the_day_list_and_the_consultation_show_each_participants_place(
    world: World, clock: FrozenClock
) -> None:
    patient = ready(world, clock)
    patient.send("POST", "/api/participant/device-check", DEVICE_CHECK)
    patient.send("POST", "/api/participant/waiting")
    patient.send("PUT", "/api/participant/notify-when-called", {"enabled": True})
    c1 = world.clinician("c1")
    c1.send("POST", f"/api/consultations/{patient.consultation_id}/delay", {"minutes": 10})

    day = json.loads(c1.get("/api/consultations?day=2026-11-24").body)
    mine = json.loads(c1.get("/api/consultations?day=2026-11-24&mine=true").body)
    read = json.loads(c1.get(f"/api/consultations/{patient.consultation_id}").body)

    [entry] = day["consultations"]
    [summary] = entry["waiting"]
    assert summary["participant_id"] == patient.participant_id
    assert summary["presence"] == "waiting"
    assert summary["waiting_since"] == (START + WINDOW_OPEN).isoformat()
    assert summary["device_check"]["connection"] == "orange"
    assert (summary["join_with"], summary["notify_when_called"]) == ("video", True)
    assert entry["delay"]["minutes"] == 10
    assert mine["consultations"][0]["waiting"] == entry["waiting"]
    assert mine["consultations"][0]["delay"] == entry["delay"]
    [shown] = read["participants"]
    assert (shown["presence"], shown["join_with"], shown["notify_when_called"]) == (
        "waiting",
        "video",
        True,
    )
    assert read["delay"]["minutes"] == 10


def _at(hour: int, minute: int) -> datetime:
    return START.replace(hour=hour, minute=minute)


# --- bad input and the language switcher --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/participant/device-check", {**DEVICE_CHECK, "camera": "blue"}, "camera"),
        ("/api/participant/device-check", {**DEVICE_CHECK, "loss_percent": 101}, "loss_percent"),
        ("/api/participant/device-check", {**DEVICE_CHECK, "join_with": "fax"}, "join_with"),
        ("/api/participant/notify-when-called", {"enabled": "yes"}, "enabled"),
        ("/api/participant/language", {"language": "xx"}, "language"),
    ],
)
def test_a_bad_participant_body_is_a_400_naming_the_field_and_changes_nothing(
    world: World, path: str, body: dict[str, object], field: str
) -> None:
    patient = world.patient_of(world.schedule())
    world.websocket_api.sent.clear()
    method = "POST" if path.endswith("device-check") else "PUT"
    response = patient.send(method, path, body)
    assert response.status_code == 400, response.body
    assert json.loads(response.body)["error"]["field"] == field
    item = participant(patient.consultation_id, patient.participant_id)
    assert (item.device_check, item.notify_when_called, item.language) == (None, False, "fr")
    assert dict(world.websocket_api.sent) == {}


@pytest.mark.parametrize(
    "body", [{"minutes": 0}, {"minutes": 241}, {"minutes": 5, "text": "x" * 161}]
)
def test_a_bad_delay_is_a_400_and_nobody_is_told(
    world: World, clock: FrozenClock, body: dict[str, object]
) -> None:
    patient = ready(world, clock)
    world.websocket_api.sent.clear()
    response = world.clinician("c1").send(
        "POST", f"/api/consultations/{patient.consultation_id}/delay", body
    )
    assert response.status_code == 400
    assert consultation(patient.consultation_id).delay is None
    assert dict(world.websocket_api.sent) == {} and sms_sent() == []


def test_the_language_switcher_changes_the_page_and_the_next_messages(
    world: World, clock: FrozenClock
) -> None:
    patient = ready(world, clock)
    patient.send("POST", "/api/participant/waiting")
    changed = patient.send("PUT", "/api/participant/language", {"language": "de"})
    world.clinician("c1").send(
        "POST", f"/api/consultations/{patient.consultation_id}/delay", {"minutes": 10}
    )

    assert json.loads(changed.body)["me"]["language"] == "de"
    assert patient.room()["terms"]["language"] == "de"
    [(_, text)] = sms_sent()
    assert "verzögert sich um etwa 10 Minuten" in text
