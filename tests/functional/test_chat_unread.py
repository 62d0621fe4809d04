"""Unread chat for clinicians: counted with each stored message, read up to a cursor.

Clinic k1 (clinicians c1, c2) has consultation v1 (clinicians c1 and c2; patient p1, guest
g1) and v2 (clinician c2; patient p2); clinic k2 has clinician c3. Messages go through the
real websocket handler, files through the real routes and moto's S3, reads through
`POST /api/consultations/{id}/chat/read` with a clinician's session.
"""

from __future__ import annotations

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
from chalicelib.chat.members import member_of
from chalicelib.store.models import (
    CONSULTATION_SK,
    ChatMessage,
    Clinic,
    Consultation,
    ConsultationItem,
)
from chalicelib.wiring import services
from tests.conftest import START
from tests.functional.test_files import Person
from tests.support import builders
from tests.support import sample_files as files
from tests.support.clinic_api import Session, body_of, seed_clinics
from tests.support.fakes import FakeWebsocketApi, FrozenClock, serialise_moto_dynamodb
from tests.support.ws_events import message_event

CONNECTIONS = {
    "p1": Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="v1"),
    "g1": Principal(kind="participant", id="g1", clinic_id="k1", consultation_id="v1"),
    "c1-desk": Principal.of_clinician("c1", "k1"),
    "c1-laptop": Principal.of_clinician("c1", "k1"),
    "c2": Principal.of_clinician("c2", "k1"),
    "p2": Principal(kind="participant", id="p2", clinic_id="k1", consultation_id="v2"),
    "c3": Principal.of_clinician("c3", "k2"),
}


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    seed_clinics()
    for consultation_id, clinician_ids in (("v1", ["c1", "c2"]), ("v2", ["c2"])):
        item = builders.consultation(consultation_id, clinic_id="k1", starts_at=START)
        item.clinician_ids = clinician_ids
        item.save()
    builders.participant("v1", "p1").save()
    builders.participant("v1", "g1", role="family").save()
    builders.participant("v2", "p2").save()
    for connection_id, principal in CONNECTIONS.items():
        services().connections.record(connection_id, principal)
    with Client(app) as test_client:
        yield test_client


def say(client: Client, connection_id: str, client_id: str, text: str = "hi") -> dict[str, Any]:
    """Send a chat message from a connection; the message as acknowledged."""
    frame: dict[str, Any] = {"type": "chat.send", "id": client_id, "client_id": client_id}
    frame["text"] = text
    if CONNECTIONS[connection_id].kind == "clinician":
        frame["consultation_id"] = "v1"
    sender = services().pusher._websocket_api  # type: ignore[attr-defined]
    before = len(sender.frames(connection_id))
    client.lambda_.invoke("message", message_event(connection_id, json.dumps(frame)))
    [reply] = [f for f in sender.frames(connection_id)[before:] if f.get("id") == client_id]
    assert reply["type"] == "chat.sent", reply
    message: dict[str, Any] = reply["message"]
    return message


def unread(client: Client, clinician_id: str, consultation_id: str = "v1") -> dict[str, int]:
    """The clinician's unread count on the consultation and on their day's list."""
    session = Session(client, clinician_id)
    one = session.get(f"/api/consultations/{consultation_id}")
    assert one.status_code == 200, one.body
    day = session.get(f"/api/consultations?day={START.date().isoformat()}")
    [entry] = [e for e in body_of(day)["consultations"] if e["consultation_id"] == consultation_id]
    return {"consultation": body_of(one)["unread_messages"], "day": entry["unread_messages"]}


def read(client: Client, clinician_id: str, through: Any, consultation_id: str = "v1") -> Any:
    return Session(client, clinician_id).send(
        "POST", f"/api/consultations/{consultation_id}/chat/read", {"through": through}
    )


def stored_consultation(consultation_id: str = "v1") -> Consultation:
    item = ConsultationItem.get(
        ConsultationItem.partition(consultation_id), CONSULTATION_SK, consistent_read=True
    )
    assert isinstance(item, Consultation)
    return item


def read_frames(websocket_api: FakeWebsocketApi, connection_id: str) -> list[dict[str, Any]]:
    return [f for f in websocket_api.frames(connection_id) if f["type"] == "chat.read"]


def both(count: int) -> dict[str, int]:
    return {"consultation": count, "day": count}


def test_participants_messages_are_unread_for_each_clinician_of_the_consultation(
    client: Client,
) -> None:
    assert unread(client, "c1") == both(0)
    say(client, "p1", "a1")
    say(client, "g1", "a2")
    assert unread(client, "c1") == both(2)
    assert unread(client, "c2") == both(2)
    assert stored_consultation().chat_count == 2


def test_a_clinicians_own_message_reads_everything_before_it_but_not_for_a_colleague(
    client: Client,
) -> None:
    say(client, "p1", "a1")
    say(client, "p1", "a2")
    say(client, "c1-desk", "d1")
    assert unread(client, "c1") == both(0)
    assert unread(client, "c2") == both(3)
    say(client, "c2", "e1")  # the colleague answers
    assert unread(client, "c1") == both(1)
    assert unread(client, "c2") == both(0)
    assert stored_consultation().chat_read.as_dict() == {"c1": 3, "c2": 4}


def test_a_file_message_counts_like_a_text(client: Client) -> None:
    sent = Person(client, participant="p1").send(files.jpeg(), "rash.jpg", "image/jpeg")
    assert sent.status_code == 201, sent.body
    assert unread(client, "c1") == both(1)
    again = Person(client, participant="p1").complete(
        body_of(sent)["message"]["attachment"]["file_id"]
    )
    assert again.status_code == 200  # completed again: the same message, not counted again
    mine = Person(client, clinician="c1").send(files.pdf(), "letter.pdf", "application/pdf")
    assert mine.status_code == 201, mine.body
    assert unread(client, "c1") == both(0)
    assert unread(client, "c2") == both(2)


def test_a_resent_message_counts_once(client: Client, clock: FrozenClock) -> None:
    first = say(client, "p1", "same")
    clock.advance(timedelta(seconds=20))
    assert say(client, "p1", "same") == first
    assert stored_consultation().chat_count == 1
    assert unread(client, "c1") == both(1)


def test_reading_through_a_cursor_leaves_what_came_after_unread(
    client: Client, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> None:
    shown = []
    for number in range(3):
        shown.append(say(client, "p1", f"m{number}"))
        clock.advance(timedelta(seconds=1))
    say(client, "g1", "late")  # arrives after the page showed m2

    answered = read(client, "c1", shown[2]["cursor"])

    assert answered.status_code == 200, answered.body
    assert body_of(answered) == {"consultation_id": "v1", "unread_messages": 1}
    assert unread(client, "c1") == both(1)
    assert unread(client, "c2") == both(4)  # a colleague's reading is their own
    for tab in ("c1-desk", "c1-laptop"):  # the clinician's dashboards hear it
        assert read_frames(websocket_api, tab) == [
            {"type": "chat.read", "consultation_id": "v1", "unread_messages": 1}
        ]
    for other in ("c2", "c3", "p1", "g1", "p2"):
        assert read_frames(websocket_api, other) == []

    older = read(client, "c1", shown[0]["cursor"])  # a stale tab: the mark never moves back
    assert body_of(older)["unread_messages"] == 1
    assert stored_consultation().chat_read.as_dict()["c1"] == 3


@pytest.mark.parametrize(
    ("clinician_id", "consultation_id", "status", "code"),
    [
        ("c3", "v1", 404, "not_found"),  # another clinic
        ("c1", "v2", 403, "not_a_member"),  # a colleague's consultation
        ("c1", "nope", 404, "not_found"),
    ],
)
def test_only_the_consultations_clinicians_may_mark_it_read(
    client: Client,
    websocket_api: FakeWebsocketApi,
    clinician_id: str,
    consultation_id: str,
    status: int,
    code: str,
) -> None:
    message = say(client, "p1", "a1")
    refused = read(client, clinician_id, message["cursor"], consultation_id)
    assert refused.status_code == status, refused.body
    assert body_of(refused)["error"]["code"] == code
    assert all(read_frames(websocket_api, c) == [] for c in CONNECTIONS)
    assert stored_consultation().chat_read.as_dict() == {}


def test_a_read_needs_the_csrf_header(client: Client) -> None:
    message = say(client, "p1", "a1")
    refused = Session(client, "c1").send(
        "POST", "/api/consultations/v1/chat/read", {"through": message["cursor"]}, csrf=False
    )
    assert refused.status_code == 403
    assert unread(client, "c1") == both(1)


def test_a_malformed_or_unknown_cursor_is_a_400_naming_through(client: Client) -> None:
    say(client, "p1", "a1")
    other = builders.chat("v2", 1, START)  # a real message, of another consultation
    other.save()
    for bad in (
        "CHAT#2026-11-24T08:00:00.000000Z#abc",
        "yesterday",
        42,
        None,
        "2026-11-24T08:00:00.000000Z#nosuchmessage",
        other.sk.removeprefix("CHAT#"),
    ):
        refused = read(client, "c1", bad)
        assert refused.status_code == 400, (bad, refused.body)
        assert body_of(refused)["error"]["field"] == "through"
    assert unread(client, "c1") == both(1)


def test_a_consultation_stored_before_unread_counts_existed_counts_from_its_first_message(
    client: Client, clock: FrozenClock
) -> None:
    old = Consultation(ConsultationItem.partition("v1"), CONSULTATION_SK)
    old.update(actions=[Consultation.chat_read.remove(), Consultation.chat_count.remove()])
    raw = ConsultationItem._get_connection().get_item(old.pk, CONSULTATION_SK)["Item"]
    assert "chat_read" not in raw and "chat_count" not in raw

    say(client, "c2", "d1")  # a clinician's message needs the map: it is made first
    assert stored_consultation().chat_read.as_dict() == {"c2": 1}
    clock.advance(timedelta(seconds=1))
    say(client, "p1", "a1")
    assert unread(client, "c1") == both(2)
    clock.advance(timedelta(seconds=1))

    old.update(actions=[Consultation.chat_read.remove()])  # a read on an item with no map
    message = say(client, "g1", "a2")
    assert body_of(read(client, "c1", message["cursor"]))["unread_messages"] == 0
    assert stored_consultation().chat_read.as_dict() == {"c1": 3}


def test_racing_senders_count_every_distinct_message_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    senders = [f"p1-device-{n}" for n in range(6)]
    for device in senders:
        CONNECTIONS[device] = CONNECTIONS["p1"]
        services().connections.record(device, CONNECTIONS["p1"])
    start = threading.Barrier(len(senders) + 1)

    def send_three(device: str) -> None:
        start.wait()
        for number in range(3):
            say(client, device, f"{device}-{number}")
        say(client, device, "shared")  # the same client id from every device: one message

    def clinician_writes() -> None:
        start.wait()
        for number in range(3):
            say(client, "c1-desk", f"doctor-{number}")

    try:
        threads = [threading.Thread(target=send_three, args=(d,)) for d in senders]
        threads.append(threading.Thread(target=clinician_writes))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for device in senders:
            CONNECTIONS.pop(device)

    messages = [
        i
        for i in ConsultationItem.query(ConsultationItem.partition("v1"))
        if isinstance(i, ChatMessage)
    ]
    assert len(messages) == 6 * 3 + 1 + 3
    assert stored_consultation().chat_count == len(messages)
    assert unread(client, "c2") == both(len(messages))


def test_racing_reads_only_ever_move_the_mark_forward(
    client: Client, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cursors = []
    for number in range(8):
        cursors.append(say(client, "p1" if number % 2 else "g1", f"m{number}")["cursor"])
        clock.advance(timedelta(seconds=1))
    serialise_moto_dynamodb(monkeypatch)
    # In process, not over HTTP: Chalice's test client shares one `current_request`.
    member = member_of(Principal.of_clinician("c1", "k1"), "v1")
    start = threading.Barrier(len(cursors))

    def read_through(cursor: str) -> int:
        start.wait()
        return services().read_marks.mark_read(member, cursor)

    with ThreadPoolExecutor(max_workers=len(cursors)) as pool:
        answers = list(pool.map(read_through, reversed(cursors)))

    assert stored_consultation().chat_read.as_dict()["c1"] == 8  # the newest cursor won
    assert unread(client, "c1") == both(0)
    # each answer is at most what its own cursor left unread (a later read may lower it)
    assert all(0 <= a <= n for a, n in zip(answers, range(8), strict=True))


def test_a_colleague_not_on_the_consultation_has_nothing_unread_and_no_chat_in_the_day_list(
    client: Client,
) -> None:
    say(client, "p2", "b1")  # v2: clinician c2 only
    day = Session(client, "c1").get(f"/api/consultations?day={START.date().isoformat()}")
    entries = {e["consultation_id"]: e for e in body_of(day)["consultations"]}
    assert (entries["v2"]["unread_messages"], entries["v2"]["chat_member"]) == (0, False)
    assert entries["v1"]["chat_member"] is True
    assert unread(client, "c2", "v2") == both(1)


ENDED_WORDS = {
    "The consultation has ended: messages can no longer be sent.",
    "La consultation est terminée : vous ne pouvez plus envoyer de messages.",
}


def test_after_the_end_the_chat_is_read_but_no_longer_written(client: Client) -> None:
    say(client, "p1", "before")
    stored = stored_consultation()
    stored.update(actions=[Consultation.status.set("ended")])
    sender = services().pusher._websocket_api  # type: ignore[attr-defined]
    for connection_id, frame in (
        ("p1", {"type": "chat.send", "id": "x1", "client_id": "after", "text": "hello?"}),
        (
            "c1-desk",
            {
                "type": "chat.send",
                "id": "x2",
                "client_id": "c-after",
                "text": "bye",
                "consultation_id": "v1",
            },
        ),
    ):
        client.lambda_.invoke("message", message_event(connection_id, json.dumps(frame)))
        [reply] = [f for f in sender.frames(connection_id) if f.get("id") == frame["id"]]
        assert (reply["type"], reply["code"]) == ("error", "consultation_over"), reply
        assert reply["message"] in ENDED_WORDS  # in the sender's language
    history = {"type": "chat.history", "id": "h1"}
    client.lambda_.invoke("message", message_event("p1", json.dumps(history)))
    [page] = [f for f in sender.frames("p1") if f.get("id") == "h1"]
    assert [m["text"] for m in page["messages"]] == ["hi"]
    assert stored_consultation().chat_count == 1
    asked = Session(client, "c1").send(
        "POST",
        "/api/consultations/v1/files",
        {"file_name": "a.pdf", "content_type": "application/pdf"},
    )
    assert (asked.status_code, body_of(asked)["error"]["reason"]) == (422, "consultation_over")


def test_a_clinic_that_keeps_no_chat_after_the_end_hides_it_from_participants_only(
    client: Client,
) -> None:
    say(client, "p1", "before")
    stored_consultation().update(actions=[Consultation.status.set("ended")])
    clinic = Clinic.get("k1")
    clinic.update(actions=[Clinic.settings.chat_after_end.set(False)])
    sender = services().pusher._websocket_api  # type: ignore[attr-defined]

    asked = {"type": "chat.history", "id": "h1"}
    client.lambda_.invoke("message", message_event("p1", json.dumps(asked)))
    [refused] = [f for f in sender.frames("p1") if f.get("id") == "h1"]
    assert (refused["type"], refused["code"]) == ("error", "consultation_over")
    asked = {"type": "chat.history", "id": "h2", "consultation_id": "v1"}
    client.lambda_.invoke("message", message_event("c1-desk", json.dumps(asked)))
    [page] = [f for f in sender.frames("c1-desk") if f.get("id") == "h2"]
    assert [m["text"] for m in page["messages"]] == ["hi"]  # the clinician's record stays
