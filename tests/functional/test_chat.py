"""Chat over the websocket: stored once, delivered to the consultation's members only.

Clinic k1 (clinicians c1, c2) has consultation v1 (clinician c1; patient p1, guest g1) and
v2 (clinician c2; patient p2); clinic k2 has v3 (clinician c3; patient p3). Messages go
through the real `$default` handler (chalice.test), frames are read from the fake sender.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.auth.principals import Principal
from chalicelib.chat.messages import HISTORY_PAGE
from chalicelib.consultations.queries import load_waiting_room
from chalicelib.store.models import (
    ChatMessage,
    ChatSendReceipt,
    Consultation,
    ConsultationItem,
)
from chalicelib.wiring import services
from tests.conftest import START
from tests.support import builders
from tests.support.clinic_api import seed_clinics
from tests.support.fakes import FakeWebsocketApi, FrozenClock, serialise_moto_dynamodb
from tests.support.ws_events import message_event

#: connection id -> who holds it
CONNECTIONS = {
    "p1-phone": Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="v1"),
    "p1-laptop": Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="v1"),
    "g1": Principal(kind="participant", id="g1", clinic_id="k1", consultation_id="v1"),
    "c1": Principal.of_clinician("c1", "k1"),
    "c2": Principal.of_clinician("c2", "k1"),
    "p2": Principal(kind="participant", id="p2", clinic_id="k1", consultation_id="v2"),
    "c3": Principal.of_clinician("c3", "k2"),
    "p3": Principal(kind="participant", id="p3", clinic_id="k2", consultation_id="v3"),
}
OUTSIDERS = ("c2", "p2", "c3", "p3")


def consultation(consultation_id: str, clinic_id: str, clinician_id: str) -> None:
    item = builders.consultation(consultation_id, clinic_id=clinic_id, starts_at=START)
    item.clinician_ids = [clinician_id]
    item.save()


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    seed_clinics()
    consultation("v1", "k1", "c1")
    builders.participant("v1", "p1").save()
    builders.participant("v1", "g1", role="family").save()
    consultation("v2", "k1", "c2")
    builders.participant("v2", "p2").save()
    consultation("v3", "k2", "c3")
    builders.participant("v3", "p3").save()
    for connection_id, principal in CONNECTIONS.items():
        services().connections.record(connection_id, principal)
    with Client(app) as test_client:
        yield test_client


def send(client: Client, connection_id: str, **frame: Any) -> dict[str, Any]:
    """Send one frame; the reply (or error frame) the sender got for it."""
    before = len(services().pusher._websocket_api.frames(connection_id))  # type: ignore[attr-defined]
    client.lambda_.invoke("message", message_event(connection_id, json.dumps(frame)))
    frames = services().pusher._websocket_api.frames(connection_id)  # type: ignore[attr-defined]
    replies = [f for f in frames[before:] if f.get("id") == frame.get("id")]
    assert len(replies) == 1, frames[before:]
    return replies[0]


def chat(client: Client, connection_id: str, client_id: str, text: str, **extra: Any) -> dict:
    return send(
        client,
        connection_id,
        type="chat.send",
        id=client_id,
        client_id=client_id,
        text=text,
        **extra,
    )


def pushed(websocket_api: FakeWebsocketApi, connection_id: str) -> list[dict[str, Any]]:
    return [f for f in websocket_api.frames(connection_id) if f["type"] == "chat.message"]


def stored(consultation_id: str = "v1") -> list[ChatMessage]:
    partition = ConsultationItem.partition(consultation_id)
    return [i for i in ConsultationItem.query(partition) if isinstance(i, ChatMessage)]


def test_a_message_reaches_every_member_connection_and_no_one_else(
    client: Client, websocket_api: FakeWebsocketApi
) -> None:
    reply = chat(client, "p1-phone", "a1", "<img src=x onerror=alert(1)> bonjour")

    assert reply["type"] == "chat.sent" and reply["client_id"] == "a1"
    message = reply["message"]
    assert message["text"] == "<img src=x onerror=alert(1)> bonjour"  # as written
    assert message["author"] == {
        "kind": "participant",
        "id": "p1",
        "display_name": "Person p1",
        "role": "patient",
    }
    for member in ("p1-laptop", "g1", "c1"):
        assert pushed(websocket_api, member) == [{"type": "chat.message", "message": message}]
    assert pushed(websocket_api, "p1-phone") == []  # the sender has its ack instead
    for outsider in OUTSIDERS:
        assert websocket_api.frames(outsider) == []


def test_a_clinician_writes_in_a_named_consultation_and_is_shown_as_clinician(
    client: Client, websocket_api: FakeWebsocketApi
) -> None:
    reply = chat(client, "c1", "d1", "Bonjour, j'arrive", consultation_id="v1")

    assert reply["type"] == "chat.sent"
    assert reply["message"]["author"]["role"] == "clinician"
    assert reply["message"]["author"]["display_name"] == "Dr c1"
    assert [f["message"]["text"] for f in pushed(websocket_api, "g1")] == ["Bonjour, j'arrive"]
    for outsider in OUTSIDERS:
        assert websocket_api.frames(outsider) == []


def test_a_message_carries_the_consultations_expiry(client: Client) -> None:
    chat(client, "g1", "e1", "hello")
    consultation = Consultation.get(ConsultationItem.partition("v1"), "CONSULTATION")
    items = list(ConsultationItem.query(ConsultationItem.partition("v1")))
    written = [i for i in items if isinstance(i, ChatMessage | ChatSendReceipt)]
    assert len(written) == 2
    assert {item.expires_at for item in written} == {consultation.expires_at}


@pytest.mark.parametrize(
    ("connection_id", "consultation_id", "code"),
    [
        ("c2", "v1", "not_a_member"),  # a colleague not on the consultation
        ("c3", "v1", "not_found"),  # a clinician of another clinic
        ("c1", None, "not_found"),  # a clinician must name the consultation
        ("p2", "v1", "not_found"),  # a participant of another consultation
    ],
)
def test_outsiders_can_neither_write_nor_read(
    client: Client,
    websocket_api: FakeWebsocketApi,
    connection_id: str,
    consultation_id: str | None,
    code: str,
) -> None:
    extra = {} if consultation_id is None else {"consultation_id": consultation_id}
    refused = chat(client, connection_id, "x1", "hello", **extra)
    assert (refused["type"], refused["code"]) == ("error", code)
    history = send(client, connection_id, type="chat.history", id="h", **extra)
    assert (history["type"], history["code"]) == ("error", code)
    assert stored() == []
    assert all(pushed(websocket_api, c) == [] for c in CONNECTIONS)


def test_refusals_are_error_frames_in_the_senders_language(
    client: Client, websocket_api: FakeWebsocketApi
) -> None:
    empty = chat(client, "p1-phone", "a1", "   \n ")
    assert (empty["code"], empty["reason"], empty["field"]) == ("invalid_field", "empty", "text")
    assert empty["message"] == "Écrivez quelque chose avant d'envoyer."  # p1 reads French

    too_long = chat(client, "p1-phone", "a2", "x" * 2001)
    assert (too_long["code"], too_long["reason"]) == ("invalid_field", "too_long")
    assert "2000" in too_long["message"]
    assert chat(client, "p1-phone", "a3", "x" * 2000)["type"] == "chat.sent"

    bad_id = chat(client, "p1-phone", "a b", "hi")
    assert (bad_id["code"], bad_id["field"]) == ("invalid_field", "client_id")
    not_text = send(client, "p1-phone", type="chat.send", id="n", client_id="n", text=["hi"])
    assert (not_text["code"], not_text["field"]) == ("invalid_field", "text")
    assert len(stored()) == 1


def test_a_connection_may_send_ten_messages_in_ten_seconds(
    client: Client, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> None:
    clock.advance(timedelta(seconds=10 - START.timestamp() % 10))  # the start of a window
    for number in range(10):
        assert chat(client, "p1-phone", f"m{number}", f"n{number}")["type"] == "chat.sent"
    limited = chat(client, "p1-phone", "m10", "one too many")
    assert limited["code"] == "rate_limited" and limited["retry_after"] >= 1
    assert "secondes" in limited["message"]
    assert chat(client, "p1-laptop", "m11", "another connection")["type"] == "chat.sent"
    clock.advance(timedelta(seconds=10))
    assert chat(client, "p1-phone", "m12", "later")["type"] == "chat.sent"
    assert len(stored()) == 12
    assert len(pushed(websocket_api, "c1")) == 12


def test_a_resent_message_is_acknowledged_but_stored_and_delivered_once(
    client: Client, websocket_api: FakeWebsocketApi, clock: FrozenClock
) -> None:
    first = chat(client, "p1-phone", "same", "hello")
    clock.advance(timedelta(seconds=30))  # reconnected later, on another connection
    again = chat(client, "p1-laptop", "same", "hello")

    assert again["type"] == "chat.sent" and again["message"] == first["message"]
    assert len(stored()) == 1
    assert len(pushed(websocket_api, "c1")) == 1
    # another author may use the same client id: it is a different message
    assert chat(client, "g1", "same", "hi")["message"] != first["message"]
    assert len(stored()) == 2


def test_racing_sends_of_one_client_id_store_one_message(
    client: Client, websocket_api: FakeWebsocketApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    serialise_moto_dynamodb(monkeypatch)
    devices = [f"p1-device-{n}" for n in range(6)]
    for device in devices:
        services().connections.record(device, CONNECTIONS["p1-phone"])
    replies: list[dict[str, Any]] = []
    start = threading.Barrier(len(devices))

    def resend(connection_id: str) -> None:
        start.wait()
        replies.append(chat(client, connection_id, "race", "once"))

    threads = [threading.Thread(target=resend, args=(device,)) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(stored()) == 1
    assert len(replies) == 6
    assert {reply["message"]["message_id"] for reply in replies} == {stored()[0].message_id}
    assert len(pushed(websocket_api, "c1")) == 1
    # the one delivery reached the devices that did not send it first, once each
    assert sum(len(pushed(websocket_api, device)) for device in devices) == len(devices) - 1


def test_history_pages_back_fifty_at_a_time(client: Client, clock: FrozenClock) -> None:
    for number in range(120):
        builders.chat("v1", number, START + timedelta(seconds=number)).save()
    builders.chat("v2", 999, START).save()  # another consultation's chat never shows

    latest = send(client, "g1", type="chat.history", id="h1")
    assert [m["text"] for m in latest["messages"]] == [f"message {n}" for n in range(70, 120)]
    older = send(
        client, "c1", type="chat.history", id="h2", consultation_id="v1", before=latest["before"]
    )
    assert [m["text"] for m in older["messages"]] == [f"message {n}" for n in range(20, 70)]
    oldest = send(client, "g1", type="chat.history", id="h3", before=older["before"])
    assert [m["text"] for m in oldest["messages"]] == [f"message {n}" for n in range(0, 20)]
    assert oldest["before"] is None
    assert len(latest["messages"]) == HISTORY_PAGE

    bad = send(client, "g1", type="chat.history", id="h4", before="CHAT#anything")
    assert (bad["code"], bad["field"]) == ("invalid_field", "before")


def test_the_waiting_rooms_query_still_loads_the_latest_fifty_messages(client: Client) -> None:
    for number in range(60):
        sender = "g1" if number % 2 else "p1-phone"
        assert chat(client, sender, f"w{number}", f"text {number}")["type"] == "chat.sent"
        services().clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]
    room = load_waiting_room("v1")
    # the latest 50 (two more fit the limit with two participants, and are left out)
    assert [m.text for m in room.recent_chat] == [f"text {n}" for n in range(10, 60)]
    assert len(room.participants) == 2


def test_what_a_participants_message_costs_in_dynamodb(
    client: Client, dynamodb_calls: list[str]
) -> None:
    chat(client, "g1", "cost", "hello")
    assert dynamodb_calls == [
        "GetItem",  # the connection's holder ($default)
        "BatchGetItem",  # the participant still stands: consultation + participant
        "UpdateItem",  # the connection's rate-limit counter
        "TransactWriteItems",  # the message and its receipt, each under a condition
        "Query",  # the recipients: the clinic's live connections, filtered
    ]


def test_every_message_carries_the_cursor_history_takes(
    client: Client, clock: FrozenClock, websocket_api: FakeWebsocketApi
) -> None:
    sent = []
    for number in range(3):
        sent.append(chat(client, "g1", f"k{number}", f"text {number}")["message"])
        clock.advance(timedelta(seconds=1))
    newest = sent[-1]
    assert (
        newest["cursor"]
        == f"{START + timedelta(seconds=2):%Y-%m-%dT%H:%M:%S.%fZ}#" + (newest["message_id"])
    )
    assert pushed(websocket_api, "c1")[-1]["message"]["cursor"] == newest["cursor"]
    older = send(client, "p1-phone", type="chat.history", id="h", before=newest["cursor"])
    assert older["messages"] == sent[:2]  # the same shape, cursor included
    assert all(m["cursor"] for m in older["messages"])
