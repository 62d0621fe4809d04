"""The websocket handlers through chalice.test.Client, with moto and hand-built events."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.auth.principals import Principal
from chalicelib.realtime.protocol import MAX_MESSAGE_BYTES
from chalicelib.store.models import Clinician, Connection
from chalicelib.wiring import services
from tests.conftest import START
from tests.support import builders
from tests.support.fakes import FakeWebsocketApi, FrozenClock
from tests.support.ws_events import connect_event, disconnect_event, message_event

PATIENT = Principal(kind="participant", id="p1", clinic_id="k1", consultation_id="c1")
CLINICIAN = Principal(kind="clinician", id="d1", clinic_id="k1")


@pytest.fixture
def client(app: Chalice) -> Iterator[Client]:
    """The app's handlers, with the principals below on record (tickets are redeemed only
    for an active clinician or a participant of a live consultation)."""
    builders.consultation("c1", clinic_id="k1", starts_at=START).save()
    builders.participant("c1", "p1").save()
    Clinician(
        clinician_id="d1",
        clinic_id="k1",
        email="d1@clinic.example",
        display_name="D",
        created_at=START,
    ).save()
    with Client(app) as test_client:
        yield test_client


def connect(client: Client, connection_id: str, principal: Principal = PATIENT) -> dict:
    ticket = services().tickets.issue(principal)
    return client.lambda_.invoke(
        "connect", connect_event(connection_id, {"ticket": ticket})
    ).payload


def send(client: Client, connection_id: str, body: str) -> None:
    client.lambda_.invoke("message", message_event(connection_id, body))


def test_connect_with_a_ticket_records_who_holds_the_connection(client: Client) -> None:
    assert connect(client, "conn-1") == {"statusCode": 200}
    record = Connection.get("conn-1")
    assert (record.principal_kind, record.principal_id) == ("participant", "p1")
    assert (record.clinic_id, record.consultation_id) == ("k1", "c1")
    assert record.staff_clinic_id is None


def test_a_clinicians_connection_is_listed_for_their_clinic(client: Client) -> None:
    connect(client, "conn-d", CLINICIAN)
    assert [c.connection_id for c in Connection.by_clinic_staff.query("k1")] == ["conn-d"]


@pytest.mark.parametrize("query", [None, {}, {"ticket": ""}, {"ticket": "made-up"}])
def test_connect_without_a_valid_ticket_is_refused(client: Client, query: dict | None) -> None:
    response = client.lambda_.invoke("connect", connect_event("conn-x", query))
    assert response.payload == {"statusCode": 401}
    assert Connection.count() == 0


def test_a_ticket_opens_one_connection_only(client: Client) -> None:
    ticket = services().tickets.issue(PATIENT)
    first = client.lambda_.invoke("connect", connect_event("conn-1", {"ticket": ticket}))
    second = client.lambda_.invoke("connect", connect_event("conn-2", {"ticket": ticket}))
    assert (first.payload, second.payload) == ({"statusCode": 200}, {"statusCode": 401})
    assert [c.connection_id for c in Connection.scan()] == ["conn-1"]


def test_an_expired_ticket_is_refused(client: Client, clock: FrozenClock) -> None:
    ticket = services().tickets.issue(PATIENT)
    clock.advance(timedelta(seconds=61))
    response = client.lambda_.invoke("connect", connect_event("conn-1", {"ticket": ticket}))
    assert response.payload == {"statusCode": 401}


def test_ping_gets_pong_with_the_same_id(client: Client, websocket_api: FakeWebsocketApi) -> None:
    connect(client, "conn-1")
    send(client, "conn-1", '{"type": "ping", "id": "hb-1"}')
    assert websocket_api.frames("conn-1") == [{"type": "pong", "id": "hb-1"}]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"id": "5"}', "invalid_field"),
        ('{"type": "teleport", "id": "5"}', "unknown_type"),
        (json.dumps({"type": "chat", "id": "5", "text": "x" * MAX_MESSAGE_BYTES}), "too_large"),
    ],
)
def test_bad_messages_get_an_error_frame_and_nothing_else(
    client: Client, websocket_api: FakeWebsocketApi, body: str, code: str
) -> None:
    connect(client, "conn-1")
    send(client, "conn-1", body)
    [frame] = websocket_api.frames("conn-1")
    assert frame["type"] == "error"
    assert frame["code"] == code
    assert frame["message"]
    if code in ("invalid_field", "unknown_type"):
        assert frame["id"] == "5"
    assert Connection.get("conn-1")  # the connection stays usable


def test_deeply_nested_json_is_a_bad_json_frame_and_no_traceback_is_logged(
    client: Client, websocket_api: FakeWebsocketApi, caplog: pytest.LogCaptureFixture
) -> None:
    connect(client, "conn-1")
    send(client, "conn-1", "[" * 15_000)
    [frame] = websocket_api.frames("conn-1")
    assert (frame["type"], frame["code"]) == ("error", "bad_json")
    assert "nests deeper than" in frame["message"]
    assert all(record.exc_info is None for record in caplog.records)  # no traceback
    assert all(record.levelno < logging.ERROR for record in caplog.records)


def test_the_connection_keeps_working_after_an_error(
    client: Client, websocket_api: FakeWebsocketApi
) -> None:
    connect(client, "conn-1")
    send(client, "conn-1", "{oops")
    send(client, "conn-1", '{"type": "ping"}')
    assert [frame["type"] for frame in websocket_api.frames("conn-1")] == ["error", "pong"]


def test_a_message_on_an_unregistered_connection_is_refused(
    client: Client, websocket_api: FakeWebsocketApi
) -> None:
    send(client, "stranger", '{"type": "ping"}')
    assert websocket_api.frames("stranger")[0]["code"] == "unauthorized"


def test_a_failing_handler_answers_internal_error_without_details(
    client: Client, websocket_api: FakeWebsocketApi
) -> None:
    def broken(context: object, message: object) -> None:
        raise RuntimeError("database password is hunter2")

    services().router.handles("broken")(broken)
    connect(client, "conn-1")
    send(client, "conn-1", '{"type": "broken"}')
    [frame] = websocket_api.frames("conn-1")
    assert frame["code"] == "internal_error"
    assert "hunter2" not in json.dumps(frame)


def test_disconnect_forgets_the_connection(client: Client) -> None:
    connect(client, "conn-1")
    response = client.lambda_.invoke("disconnect", disconnect_event("conn-1"))
    assert response.payload == {"statusCode": 200}
    assert Connection.count() == 0


def test_disconnect_of_an_unknown_connection_is_harmless(client: Client) -> None:
    response = client.lambda_.invoke("disconnect", disconnect_event("never-seen"))
    assert response.payload == {"statusCode": 200}
