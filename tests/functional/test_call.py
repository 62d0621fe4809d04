"""The consultation call's server side: ringing in a mode, answering, the media gate,
clinicians in the call, leaving, dropping, ending, media state and the visit record.

Clinic `k1` has clinicians `c1` (on every consultation scheduled here) and `c2` (not on
them); clinic `k2` has `c3`. `doc` is c1's clinic-scoped connection, `dash-k1` c2's and
`dash-k2` c3's. The media worker is `FakeMediaClient` (rooms of 4, like the real one).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import wiring
from chalicelib.call import ending
from chalicelib.config import Settings
from chalicelib.store.models import CallVisit, ConsultationItem
from tests.support import builders
from tests.support.call import OFFER, FakeMediaClient, clinician_connection, guest_of, say
from tests.support.clinic_api import seed_clinics
from tests.support.fakes import FakeWebsocketApi, FrozenClock, serialise_moto_dynamodb
from tests.support.moto_messages import sms_sent
from tests.support.waiting_room import (
    WINDOW_OPEN,
    Patient,
    World,
    consultation,
    participant,
    sending,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        sending(settings), turn_secret="t" * 32, turn_urls=("turn:127.0.0.1:3490",)
    )


@pytest.fixture
def media() -> FakeMediaClient:
    return FakeMediaClient()


@pytest.fixture
def app(
    tables: None,
    settings: Settings,
    clock: FrozenClock,
    websocket_api: FakeWebsocketApi,
    media: FakeMediaClient,
) -> Chalice:
    from app import app as chalice_app

    wiring.configure(
        chalice_app, settings, clock=clock, websocket_sender=websocket_api, media_client=media
    )
    seed_clinics()
    return chalice_app


@pytest.fixture
def world(app: Chalice, websocket_api: FakeWebsocketApi) -> Iterator[World]:
    with Client(app) as client:
        world = World(client, websocket_api)
        clinician_connection(world, "doc", "c1", "k1")
        world.dashboard("dash-k1", "c2", "k1")
        world.dashboard("dash-k2", "c3", "k2")
        yield world


def waiting(world: World, clock: FrozenClock, guests: int = 0) -> list[Patient]:
    """A patient (and guests) who accepted the terms and wait, in an open joining window."""
    consultation_id = world.schedule()
    people = [world.patient_of(consultation_id, "ws-patient")]
    people += [guest_of(world, consultation_id, f"ws-guest-{n}") for n in range(guests)]
    for person in people:
        person.accept_terms()
    clock.advance(WINDOW_OPEN)
    builders.media_worker(clock, "w1")  # heart-beating now
    for person in people:
        entered = person.send("POST", "/api/participant/waiting")
        assert entered.status_code == 200, entered.body
    world.websocket_api.sent.clear()
    return people


def start(world: World, consultation_id: str, body: Any = None, clinician: str = "c1") -> Any:
    return world.clinician(clinician).send(
        "POST", f"/api/consultations/{consultation_id}/start", body
    )


def in_call(world: World, person: Patient, answer: str = "video") -> None:
    number = int(consultation(person.consultation_id).call_number)
    reply = say(person.connection_id, "call.answer", call_number=number, answer=answer)
    assert reply["type"] == "call.answered", reply


def types(world: World, connection_id: str) -> list[str]:
    return [frame["type"] for frame in world.frames(connection_id)]


# --- 1. ringing, and the answer -------------------------------------------------------------


def test_start_rings_whom_it_names_in_its_mode_and_records_the_call(
    world: World, clock: FrozenClock
) -> None:
    patient, guest = waiting(world, clock, guests=1)

    response = start(
        world, patient.consultation_id, {"mode": "audio", "participant_ids": [guest.participant_id]}
    )

    assert response.status_code == 200, response.body
    assert json.loads(response.body) == {
        "call_number": 1,
        "texted": [],
        "rung": [guest.participant_id],
        "mode": "audio",
    }
    item = consultation(patient.consultation_id)
    assert (item.call_number, item.call_mode, item.call_rung) == (
        1,
        "audio",
        [guest.participant_id],
    )
    assert item.call_started_at == clock.now()
    expected = {
        "type": "waiting_room.called",
        "consultation_id": patient.consultation_id,
        "call_number": 1,
        "mode": "audio",
        "participant_ids": [guest.participant_id],
        "caller": "Dr c1",
    }
    for connection in ("doc", "dash-k1", patient.connection_id, guest.connection_id):
        assert world.frames(connection, "waiting_room.called") == [expected]
    assert world.frames("dash-k2") == []


def test_start_without_a_body_rings_everyone_waiting_in_video(
    world: World, clock: FrozenClock
) -> None:
    patient, guest = waiting(world, clock, guests=1)
    answer = json.loads(
        world.clinician("c1")
        .send("POST", f"/api/consultations/{patient.consultation_id}/start")
        .body
    )
    assert sorted(answer["rung"]) == sorted([patient.participant_id, guest.participant_id])
    assert answer["mode"] == "video"


def test_ringing_someone_who_cannot_be_rung_names_them_and_changes_nothing(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    late_guest = guest_of(world, patient.consultation_id, "ws-late")  # link opened, not waiting
    removed = guest_of(world, patient.consultation_id, "ws-removed")
    gone = world.clinician("c1").send(
        "DELETE",
        f"/api/consultations/{patient.consultation_id}/participants/{removed.participant_id}",
    )
    assert gone.status_code in (200, 204), gone.body
    world.websocket_api.sent.clear()

    unknown = start(
        world, patient.consultation_id, {"participant_ids": ["nobody", patient.participant_id]}
    )
    removed_one = start(
        world, patient.consultation_id, {"participant_ids": [removed.participant_id]}
    )
    not_waiting = start(
        world, patient.consultation_id, {"participant_ids": [late_guest.participant_id]}
    )

    assert unknown.status_code == removed_one.status_code == 400
    assert json.loads(unknown.body)["error"]["field"] == "participant_ids"
    assert json.loads(unknown.body)["error"]["participant_ids"] == ["nobody"]
    assert json.loads(removed_one.body)["error"]["participant_ids"] == [removed.participant_id]
    assert not_waiting.status_code == 409
    assert json.loads(not_waiting.body)["error"]["code"] == "not_waiting"
    assert json.loads(not_waiting.body)["error"]["participant_ids"] == [late_guest.participant_id]
    assert int(consultation(patient.consultation_id).call_number) == 0
    assert dict(world.websocket_api.sent) == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "fax"}, "mode"),
        ({"participant_ids": []}, "participant_ids"),
        ({"participant_ids": "p1"}, "participant_ids"),
        ({"text": "yes"}, "text"),
        ({"ring": True}, "ring"),
    ],
)
def test_a_bad_start_body_is_a_400_naming_the_field(
    world: World, clock: FrozenClock, body: dict[str, Any], field: str
) -> None:
    (patient,) = waiting(world, clock)
    response = start(world, patient.consultation_id, body)
    assert response.status_code == 400
    assert json.loads(response.body)["error"]["field"] == field
    assert int(consultation(patient.consultation_id).call_number) == 0


def test_start_with_text_texts_every_rung_participant_their_link_once(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)  # never asked to be texted
    first = json.loads(start(world, patient.consultation_id, {"text": True}).body)
    plain = json.loads(start(world, patient.consultation_id).body)
    assert first["texted"] == [patient.participant_id]
    assert plain["texted"] == []
    assert len(sms_sent()) == 1


def test_accepting_moves_to_in_call_and_only_the_consultations_clinicians_hear_the_answer(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    world.websocket_api.sent.clear()

    reply = say(patient.connection_id, "call.answer", call_number=1, answer="audio")

    assert reply == {"type": "call.answered", "id": "1", "call_number": 1, "answer": "audio"}
    item = participant(patient.consultation_id, patient.participant_id)
    assert (item.presence, item.call_answer, item.call_answer_number) == ("in_call", "audio", 1)
    assert item.call_answered_at == clock.now()
    assert world.frames("doc", "call.answer") == [
        {
            "type": "call.answer",
            "consultation_id": patient.consultation_id,
            "call_number": 1,
            "participant_id": patient.participant_id,
            "answer": "audio",
        }
    ]
    assert world.frames("dash-k1", "call.answer") == []  # a colleague not on it
    assert [f["presence"] for f in world.frames("dash-k1", "waiting_room.participant")] == [
        "in_call"
    ]
    assert world.frames("dash-k2") == []
    assert patient.room()["step"] == "call"


def test_declining_keeps_waiting_records_the_answer_and_tells_the_clinicians_once(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    world.websocket_api.sent.clear()

    first = say(patient.connection_id, "call.answer", call_number=1, answer="decline")
    again = say(patient.connection_id, "call.answer", call_number=1, answer="decline")

    assert first["answer"] == again["answer"] == "decline"
    item = participant(patient.consultation_id, patient.participant_id)
    assert (item.presence, item.call_answer, item.call_answer_number) == ("waiting", "decline", 1)
    assert [f["answer"] for f in world.frames("doc", "call.answer")] == ["decline"]
    # Rung again, they may accept this time.
    start(world, patient.consultation_id)
    assert (
        say(patient.connection_id, "call.answer", call_number=2, answer="video")["answer"]
        == "video"
    )


def test_answers_to_another_call_or_by_someone_not_rung_are_refused(
    world: World, clock: FrozenClock
) -> None:
    patient, guest = waiting(world, clock, guests=1)
    assert (
        say(patient.connection_id, "call.answer", call_number=1, answer="video")["code"]
        == "call_over"
    )
    start(world, patient.consultation_id, {"participant_ids": [patient.participant_id]})
    start(world, patient.consultation_id, {"participant_ids": [patient.participant_id]})

    stale = say(patient.connection_id, "call.answer", call_number=1, answer="video")
    not_rung = say(guest.connection_id, "call.answer", call_number=2, answer="video")
    from_clinician = say("doc", "call.answer", call_number=2, answer="video")

    assert (stale["type"], stale["code"]) == ("error", "call_over")
    assert not_rung["code"] == "not_called"
    assert from_clinician["code"] == "forbidden"
    assert participant(patient.consultation_id, patient.participant_id).presence == "waiting"
    assert participant(guest.consultation_id, guest.participant_id).presence == "waiting"


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "video"},
        {"call_number": "1", "answer": "video"},
        {"call_number": True, "answer": "video"},
        {"call_number": 1, "answer": "maybe"},
        {"call_number": 1, "answer": None},
    ],
)
def test_a_malformed_answer_is_an_error_frame_naming_the_field(
    world: World, clock: FrozenClock, data: dict[str, Any]
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    reply = say(patient.connection_id, "call.answer", **data)
    assert reply["code"] == "invalid_field"
    assert reply["field"] in ("call_number", "answer")
    assert participant(patient.consultation_id, patient.participant_id).presence == "waiting"


def test_racing_answers_on_two_devices_move_once_and_tell_the_clinicians_once(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    (patient,) = waiting(world, clock)
    world.connect_participant(
        "ws-phone",
        "k1",
        patient.consultation_id,
        participant(patient.consultation_id, patient.participant_id),
    )
    start(world, patient.consultation_id)
    world.websocket_api.sent.clear()
    devices = [patient.connection_id, "ws-phone"] * 4
    answers = ["video", "audio"] * 4

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(
            pool.map(
                lambda pair: say(pair[0], "call.answer", call_number=1, answer=pair[1]),
                zip(devices, answers, strict=True),
            )
        )

    counted = participant(patient.consultation_id, patient.participant_id)
    assert counted.presence == "in_call"
    assert {reply["answer"] for reply in replies} == {counted.call_answer}
    assert len(world.frames("doc", "call.answer")) == 1
    assert [f["presence"] for f in world.frames("doc", "waiting_room.participant")] == ["in_call"]


# --- 2. the media gate, clinicians in the call ------------------------------------------------


def test_no_media_before_the_patient_accepts(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    candidate = {"candidate": "candidate:1 1 udp 1 192.0.2.1 5000 typ host"}

    before = say(patient.connection_id, "media.join", sdp=OFFER)
    ice = say(patient.connection_id, "media.ice", candidate=candidate)
    echo = say(patient.connection_id, "media.echo.start", sdp=OFFER)
    config = say(patient.connection_id, "media.config")
    say(patient.connection_id, "call.answer", call_number=1, answer="video")
    after = say(patient.connection_id, "media.join", sdp=OFFER)

    assert before["code"] == ice["code"] == "not_in_call"
    assert before["message"] == "Acceptez l'appel avant de le rejoindre."  # her language
    assert echo["type"] == "media.echo"  # the connection test stays open
    assert config["participant_id"] == patient.participant_id, config
    assert after["type"] == "media.answer"
    assert media.members(patient.consultation_id) == [patient.participant_id]


def test_a_declined_or_left_participant_is_refused_media_again(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    say(patient.connection_id, "call.answer", call_number=1, answer="decline")
    assert say(patient.connection_id, "media.join", sdp=OFFER)["code"] == "not_in_call"


def test_the_consultations_clinician_joins_the_call_once_it_is_started(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    (patient,) = waiting(world, clock)
    consultation_id = patient.consultation_id

    early = say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    start(world, consultation_id)
    in_call(world, patient)
    say(patient.connection_id, "media.join", sdp=OFFER)
    world.websocket_api.sent.clear()
    config = say("doc", "media.config", consultation_id=consultation_id)
    joined = say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    ice = say(
        "doc",
        "media.ice",
        consultation_id=consultation_id,
        candidate={"candidate": "candidate:1 1 udp 1 192.0.2.1 5000 typ host"},
    )

    assert early["code"] == "not_in_call"
    assert config["member_id"] == config["participant_id"] == "clinician-c1"
    assert joined["type"] == "media.answer"
    assert [m["participant_id"] for m in joined["roster"]] == [
        patient.participant_id,
        "clinician-c1",
    ]
    assert ice["type"] == "media.ice.added"
    assert media.members(consultation_id) == [patient.participant_id, "clinician-c1"]
    [roster] = world.frames(patient.connection_id, "media.roster")
    assert roster["consultation_id"] == consultation_id
    assert world.frames("doc", "media.roster") == []  # the joiner has it in its answer


@pytest.mark.parametrize(
    ("connection", "code"), [("dash-k1", "not_a_member"), ("dash-k2", "not_found")]
)
def test_clinicians_off_the_consultation_get_nothing_of_its_call(
    world: World, clock: FrozenClock, media: FakeMediaClient, connection: str, code: str
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    in_call(world, patient)
    world.websocket_api.sent.clear()

    for type_ in (
        "media.config",
        "media.join",
        "media.ice",
        "media.leave",
        "call.leave",
        "call.state",
    ):
        reply = say(
            connection,
            type_,
            consultation_id=patient.consultation_id,
            sdp=OFFER,
            candidate={"candidate": "candidate:1 1 udp 1 192.0.2.1 5000 typ host"},
        )
        assert reply["code"] == code, (type_, reply)
    say(patient.connection_id, "media.join", sdp=OFFER)
    assert media.members(patient.consultation_id) == [patient.participant_id]
    assert world.frames(connection) == []


def test_a_participant_of_another_consultation_gets_nothing_of_this_call(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    other_id = world.schedule()
    other = world.patient_of(other_id, "ws-other")
    start(world, patient.consultation_id)
    in_call(world, patient)
    world.websocket_api.sent.clear()

    named = say(other.connection_id, "call.state", consultation_id=patient.consultation_id)
    answer = say(other.connection_id, "call.answer", call_number=1, answer="video")
    say(patient.connection_id, "media.join", sdp=OFFER)

    assert named["code"] == "not_found"
    assert answer["code"] == "call_over"  # their own consultation was never started
    assert world.frames(other.connection_id) == []


def test_the_fifth_member_is_refused_before_the_worker_is_asked(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    people = waiting(world, clock, guests=3)
    consultation_id = people[0].consultation_id
    start(world, consultation_id)
    for person in people:
        in_call(world, person)
        assert say(person.connection_id, "media.join", sdp=OFFER)["type"] == "media.answer"

    fifth = say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    rejoin = say(people[0].connection_id, "media.join", sdp=OFFER)  # a reconnect is no 5th

    assert fifth["code"] == "call_full"
    assert rejoin["type"] == "media.answer"
    assert len(media.members(consultation_id)) == 4
    assert "clinician-c1" not in media.members(consultation_id)
    # The worker's own limit (two joins racing for the last seat) is call_full too.
    say(people[3].connection_id, "media.leave")
    media.rooms[("w1", consultation_id)].append("someone-racing")
    assert (
        say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)["code"] == "call_full"
    )


def visit_items(consultation_id: str) -> list[CallVisit]:
    return [
        item
        for item in ConsultationItem.query(ConsultationItem.partition(consultation_id))
        if isinstance(item, CallVisit)
    ]


# --- 3. leaving, dropping, ending ---------------------------------------------------------------


def joined(world: World, person: Patient) -> None:
    in_call(world, person)
    assert say(person.connection_id, "media.join", sdp=OFFER)["type"] == "media.answer"


def test_leaving_the_call_leaves_the_room_and_comes_back_through_the_waiting_room(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    patient, guest = waiting(world, clock, guests=1)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    joined(world, patient)
    joined(world, guest)
    world.websocket_api.sent.clear()

    reply = say(guest.connection_id, "call.leave")

    assert reply == {"type": "call.left", "id": "1", "consultation_id": consultation_id}
    assert media.members(consultation_id) == [patient.participant_id]
    assert participant(consultation_id, guest.participant_id).presence == "left"
    [roster] = world.frames(patient.connection_id, "media.roster")
    assert [m["participant_id"] for m in roster["roster"]] == [patient.participant_id]
    assert [f["presence"] for f in world.frames("doc", "waiting_room.participant")] == ["left"]
    assert say(guest.connection_id, "media.join", sdp=OFFER)["code"] == "not_in_call"
    # Coming back: the waiting room again, rung by a new Start.
    assert guest.send("POST", "/api/participant/waiting").status_code == 200
    rung = json.loads(
        start(world, consultation_id, {"participant_ids": [guest.participant_id]}).body
    )
    assert rung["rung"] == [guest.participant_id]
    joined(world, guest)
    assert media.members(consultation_id) == [patient.participant_id, guest.participant_id]


def test_a_dropped_connection_leaves_the_room_and_puts_the_participant_back_waiting(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    from tests.support.ws_events import disconnect_event

    (patient,) = waiting(world, clock)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    joined(world, patient)
    say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    world.websocket_api.sent.clear()

    world.client.lambda_.invoke("disconnect", disconnect_event(patient.connection_id))

    assert media.members(consultation_id) == ["clinician-c1"]
    assert participant(consultation_id, patient.participant_id).presence == "waiting"
    assert [f["presence"] for f in world.frames("doc", "waiting_room.participant")] == ["waiting"]
    assert [m["participant_id"] for m in world.frames("doc", "media.roster")[-1]["roster"]] == [
        "clinician-c1"
    ]
    # The clinician's own drop closes their place in the room too.
    world.client.lambda_.invoke("disconnect", disconnect_event("doc"))
    assert media.members(consultation_id) == []


def test_a_reloaded_page_rejoins_the_call_it_dropped_from_without_a_new_ring(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    from tests.support.ws_events import disconnect_event

    (patient,) = waiting(world, clock)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    joined(world, patient)
    world.client.lambda_.invoke("disconnect", disconnect_event(patient.connection_id))
    me = participant(consultation_id, patient.participant_id)
    world.connect_participant("ws-reloaded", "k1", consultation_id, me)
    assert patient.room()["step"] == "call"  # the reloaded page goes straight to the call
    world.websocket_api.sent.clear()

    again = say("ws-reloaded", "media.join", sdp=OFFER)

    assert again["type"] == "media.answer"
    back = participant(consultation_id, patient.participant_id)
    assert (back.presence, back.call_dropped) == ("in_call", None)
    assert [f["presence"] for f in world.frames("doc", "waiting_room.participant")] == ["in_call"]
    assert media.members(consultation_id) == [patient.participant_id]
    # A new ring makes the dropped call stale: then they answer it like everyone.
    world.client.lambda_.invoke("disconnect", disconnect_event("ws-reloaded"))
    start(world, consultation_id)
    world.connect_participant("ws-third", "k1", consultation_id, me)
    assert say("ws-third", "media.join", sdp=OFFER)["code"] == "not_in_call"


def test_leaving_on_purpose_needs_a_new_ring_to_come_back(world: World, clock: FrozenClock) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    joined(world, patient)
    say(patient.connection_id, "call.leave")
    patient.send("POST", "/api/participant/waiting")
    assert say(patient.connection_id, "media.join", sdp=OFFER)["code"] == "not_in_call"


def test_the_late_disconnect_of_a_replaced_connection_is_not_a_drop(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    from tests.support.ws_events import disconnect_event

    (patient,) = waiting(world, clock)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    joined(world, patient)
    # A network change: a new connection rejoins before API Gateway closes the old one.
    me = participant(consultation_id, patient.participant_id)
    world.connect_participant("ws-mobile", "k1", consultation_id, me)
    assert say("ws-mobile", "media.join", sdp=OFFER)["type"] == "media.answer"

    world.client.lambda_.invoke("disconnect", disconnect_event(patient.connection_id))

    assert participant(consultation_id, patient.participant_id).presence == "in_call"
    assert media.members(consultation_id) == [patient.participant_id]
    world.client.lambda_.invoke("disconnect", disconnect_event("ws-mobile"))
    assert participant(consultation_id, patient.participant_id).presence == "waiting"


def test_a_connection_that_never_joined_the_call_closes_without_touching_it(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    from tests.support.ws_events import disconnect_event

    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    in_call(world, patient)
    world.connect_participant(
        "ws-tablet",
        "k1",
        patient.consultation_id,
        participant(patient.consultation_id, patient.participant_id),
    )
    say(patient.connection_id, "media.join", sdp=OFFER)

    world.client.lambda_.invoke("disconnect", disconnect_event("ws-tablet"))

    assert participant(patient.consultation_id, patient.participant_id).presence == "in_call"
    assert media.members(patient.consultation_id) == [patient.participant_id]


def test_ending_ends_it_for_everyone(
    world: World, clock: FrozenClock, media: FakeMediaClient
) -> None:
    patient, guest = waiting(world, clock, guests=1)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    joined(world, patient)
    say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    world.websocket_api.sent.clear()

    response = world.clinician("c1").send("POST", f"/api/consultations/{consultation_id}/end")

    assert response.status_code == 200, response.body
    assert json.loads(response.body) == {
        "consultation_id": consultation_id,
        "status": "ended",
        "ended_at": clock.now().isoformat(),
    }
    item = consultation(consultation_id)
    assert (item.status, item.ended_at) == ("ended", clock.now())
    assert media.members(consultation_id) == []
    for person in (patient, guest):
        assert participant(consultation_id, person.participant_id).presence == "left"
        assert world.frames(person.connection_id, "waiting_room.consultation") == [
            {
                "type": "waiting_room.consultation",
                "consultation_id": consultation_id,
                "status": "ended",
            }
        ]
        assert world.frames(person.connection_id, "call.ended") == [
            {"type": "call.ended", "consultation_id": consultation_id}
        ]
    assert "call.ended" in types(world, "doc")
    assert world.frames("dash-k2") == []
    # Afterwards: the page reads the end, the receipt and whether the chat stays visible.
    room = patient.room()
    assert (room["step"], room["consultation"]["status"]) == ("ended", "ended")
    assert room["consultation"]["ended_at"] == clock.now().isoformat()
    assert room["chat_after_end"] is True
    assert patient.get("/api/participant/consents/latest").status_code == 200
    assert patient.send("POST", "/api/participant/waiting").status_code == 410
    # Nothing of the call works any more.
    assert say(patient.connection_id, "media.join", sdp=OFFER)["code"] == "call_over"
    assert (
        say(patient.connection_id, "call.answer", call_number=1, answer="video")["code"]
        == "call_over"
    )
    assert start(world, consultation_id).status_code == 409
    days = json.loads(world.clinician("c1").get("/api/consultations?day=2026-11-24").body)
    assert [c["status"] for c in days["consultations"]] == ["ended"]
    read = json.loads(world.clinician("c1").get(f"/api/consultations/{consultation_id}").body)
    assert read["status"] == "ended"
    cancel = world.clinician("c1").send("POST", f"/api/consultations/{consultation_id}/cancel")
    assert cancel.status_code == 409


def test_the_clinic_chooses_whether_the_chat_stays_after_the_end(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    changed = world.clinician("c2").send("PATCH", "/api/clinic/settings", {"chat_after_end": False})
    assert changed.status_code == 200, changed.body
    world.clinician("c1").send("POST", f"/api/consultations/{patient.consultation_id}/end")
    assert patient.room()["chat_after_end"] is False


def test_ending_twice_is_a_409_naming_it_and_racing_ends_end_once(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    (patient,) = waiting(world, clock)
    consultation_id = patient.consultation_id
    sessions = [world.clinician("c1") for _ in range(4)]
    # Every End reads the consultation (scheduled) before any of them writes.
    all_read = threading.Barrier(4)
    load = ending.queries.load_waiting_room

    def load_then_wait(consultation_id: str) -> Any:
        snapshot = load(consultation_id)
        all_read.wait(timeout=10)
        return snapshot

    monkeypatch.setattr(ending.queries, "load_waiting_room", load_then_wait)

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(
            pool.map(
                lambda s: s.send("POST", f"/api/consultations/{consultation_id}/end").status_code,
                sessions,
            )
        )
    monkeypatch.setattr(ending.queries, "load_waiting_room", load)
    again = world.clinician("c1").send("POST", f"/api/consultations/{consultation_id}/end")

    assert statuses == [200, 409, 409, 409]
    assert again.status_code == 409
    assert json.loads(again.body)["error"]["code"] == "already_ended"
    assert len(world.frames(patient.connection_id, "call.ended")) == 1


def test_another_clinic_cannot_end_or_read_the_visit(world: World, clock: FrozenClock) -> None:
    (patient,) = waiting(world, clock)
    ended = world.clinician("c3").send("POST", f"/api/consultations/{patient.consultation_id}/end")
    visit = world.clinician("c3").get(f"/api/consultations/{patient.consultation_id}/visit")
    participant_tries = patient.send("POST", f"/api/consultations/{patient.consultation_id}/end")

    assert ended.status_code == visit.status_code == 404
    assert participant_tries.status_code == 401
    assert consultation(patient.consultation_id).status == "scheduled"
    assert dict(world.websocket_api.sent) == {}


def test_an_ended_consultation_gives_no_estimate_and_takes_no_time_from_the_next(
    world: World, clock: FrozenClock
) -> None:
    from chalicelib.waiting_room.estimate import Slot

    (patient,) = waiting(world, clock)
    world.clinician("c1").send("POST", f"/api/consultations/{patient.consultation_id}/end")
    item = consultation(patient.consultation_id)
    assert patient.room()["estimate"] is None
    assert Slot.of(item).cancelled  # an ended consultation takes no more time


# --- 4. media state ----------------------------------------------------------------------------


def test_a_members_media_state_is_stored_and_shown_to_the_other_members_only(
    world: World, clock: FrozenClock
) -> None:
    patient, guest = waiting(world, clock, guests=1)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    joined(world, patient)
    joined(world, guest)
    say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    world.websocket_api.sent.clear()

    saved = say(patient.connection_id, "call.media", audio=True, video=False, paused=True)
    doctor = say(
        "doc", "call.media", audio=False, video=True, paused=False, consultation_id=consultation_id
    )

    assert saved["type"] == "call.media.saved" and saved["video"] is False
    assert doctor["type"] == "call.media.saved"
    stored = participant(consultation_id, patient.participant_id).call_media
    assert (stored.audio, stored.video, stored.paused) == (True, False, True)
    assert world.frames("doc", "call.media") == [
        {
            "type": "call.media",
            "consultation_id": consultation_id,
            "member": {"kind": "participant", "id": patient.participant_id},
            "audio": True,
            "video": False,
            "paused": True,
        }
    ]
    assert [f["member"] for f in world.frames(guest.connection_id, "call.media")] == [
        {"kind": "participant", "id": patient.participant_id},
        {"kind": "clinician", "id": "c1"},
    ]
    assert [f["member"]["id"] for f in world.frames(patient.connection_id, "call.media")] == ["c1"]
    assert world.frames("dash-k1", "call.media") == [] and world.frames("dash-k2") == []

    state = say(guest.connection_id, "call.state")

    assert state["type"] == "call.state"
    assert (state["consultation_id"], state["call_number"], state["mode"]) == (
        consultation_id,
        1,
        "video",
    )
    shown = {m["member_id"]: m for m in state["members"]}
    assert set(shown) == {patient.participant_id, guest.participant_id, "clinician-c1"}
    assert shown[patient.participant_id]["display_name"] == "Alice Martin"
    assert (shown[patient.participant_id]["video"], shown[patient.participant_id]["paused"]) == (
        False,
        True,
    )
    assert shown["clinician-c1"]["display_name"] == "Dr c1"
    assert (shown["clinician-c1"]["role"], shown["clinician-c1"]["audio"]) == ("clinician", False)
    assert shown[guest.participant_id]["audio"] is True  # never said: on
    # A member who left is no longer drawn.
    say(guest.connection_id, "call.leave")
    after = say("doc", "call.state", consultation_id=consultation_id)
    assert {m["member_id"] for m in after["members"]} == {patient.participant_id, "clinician-c1"}


@pytest.mark.parametrize(
    "data",
    [
        {"video": True, "paused": False},
        {"audio": "yes", "video": True, "paused": False},
        {"audio": True, "video": 1, "paused": False},
        {"audio": True, "video": True, "paused": None},
    ],
)
def test_a_malformed_media_state_is_an_error_frame_and_changes_nothing(
    world: World, clock: FrozenClock, data: dict[str, Any]
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    joined(world, patient)
    world.websocket_api.sent.clear()
    reply = say(patient.connection_id, "call.media", **data)
    assert reply["code"] == "invalid_field"
    assert participant(patient.consultation_id, patient.participant_id).call_media is None
    assert world.frames("doc") == []


def test_media_state_needs_a_place_in_the_call(world: World, clock: FrozenClock) -> None:
    (patient,) = waiting(world, clock)
    state = {"audio": True, "video": True, "paused": False}
    assert say(patient.connection_id, "call.media", **state)["code"] == "not_in_call"


# --- 5. the visit record ------------------------------------------------------------------------


def later(clock: FrozenClock, delta: timedelta) -> None:
    """Time passes; the media worker keeps heart-beating."""
    clock.advance(delta)
    builders.media_worker(clock, "w1")


def test_the_visit_record_counts_the_time_each_member_actually_spent_in_the_call(
    world: World, clock: FrozenClock
) -> None:
    patient, guest = waiting(world, clock, guests=1)
    consultation_id = patient.consultation_id
    start(world, consultation_id)
    started = clock.now()
    say("doc", "media.join", sdp=OFFER, consultation_id=consultation_id)
    joined(world, patient)
    later(clock, timedelta(minutes=5))
    joined(world, guest)
    say(patient.connection_id, "media.join", sdp=OFFER)  # a rejoin is the same stretch
    later(clock, timedelta(minutes=2))
    say(guest.connection_id, "call.leave")
    say(guest.connection_id, "call.leave")  # a double leave counts once
    later(clock, timedelta(minutes=1))
    guest.send("POST", "/api/participant/waiting")
    start(world, consultation_id, {"participant_ids": [guest.participant_id]})
    joined(world, guest)
    later(clock, timedelta(minutes=3))
    world.clinician("c1").send("POST", f"/api/consultations/{consultation_id}/end")
    ended = clock.now()
    later(clock, timedelta(hours=1))

    response = world.clinician("c2").get(f"/api/consultations/{consultation_id}/visit")

    assert response.status_code == 200, response.body
    record = json.loads(response.body)
    assert (record["started_at"], record["ended_at"]) == (started.isoformat(), ended.isoformat())
    members = {m["id"]: m for m in record["members"]}
    assert members["c1"]["kind"] == "clinician" and members["c1"]["role"] == "clinician"
    assert members["c1"]["display_name"] == "Dr c1"
    assert members["c1"]["seconds"] == 11 * 60
    assert members[patient.participant_id]["seconds"] == 11 * 60
    assert members[patient.participant_id]["display_name"] == "Alice Martin"
    assert members[guest.participant_id]["seconds"] == (2 + 3) * 60
    assert (
        members[guest.participant_id]["first_joined_at"]
        == (started + timedelta(minutes=5)).isoformat()
    )
    assert members[guest.participant_id]["last_left_at"] == ended.isoformat()
    assert not any(m["in_call"] for m in record["members"])
    visit = next(v for v in visit_items(consultation_id) if v.member_id == guest.participant_id)
    assert visit.expires_at == consultation(consultation_id).expires_at
    assert visit.sk.startswith("CALL#VISIT#") and visit.sk < "CHAT#"


def test_racing_leaves_close_a_stretch_once(
    world: World, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.call import visits

    serialise_moto_dynamodb(monkeypatch)
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    joined(world, patient)
    clock.advance(timedelta(minutes=4))

    with ThreadPoolExecutor(max_workers=8) as pool:
        closed = list(
            pool.map(
                lambda _: visits.close_stretch(
                    patient.consultation_id, "participant", patient.participant_id, clock.now()
                ),
                range(8),
            )
        )

    assert closed.count(True) == 1
    [visit] = visit_items(patient.consultation_id)
    assert (visit.seconds, visit.joined_at) == (240, None)


def test_the_visit_record_of_a_call_in_progress_counts_up_to_now(
    world: World, clock: FrozenClock
) -> None:
    (patient,) = waiting(world, clock)
    start(world, patient.consultation_id)
    joined(world, patient)
    clock.advance(timedelta(seconds=90))
    record = json.loads(
        world.clinician("c1").get(f"/api/consultations/{patient.consultation_id}/visit").body
    )
    [member] = record["members"]
    assert (member["seconds"], member["in_call"], member["last_left_at"]) == (90, True, None)
    assert record["ended_at"] is None
