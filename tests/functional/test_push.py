"""Pushing to connections; a connection API Gateway reports gone is forgotten."""

from __future__ import annotations

from chalice import Chalice

from chalicelib.auth.principals import Principal
from chalicelib.store.models import Connection
from chalicelib.wiring import services
from tests.support.fakes import FakeWebsocketApi


def register(connection_id: str, consultation_id: str = "c1") -> None:
    services().connections.record(
        connection_id,
        Principal(
            kind="participant", id=connection_id, clinic_id="k1", consultation_id=consultation_id
        ),
    )


def test_push_delivers_the_message_as_json(app: Chalice, websocket_api: FakeWebsocketApi) -> None:
    register("a")
    assert services().pusher.push("a", {"type": "called", "by": "d1"}) is True
    assert websocket_api.frames("a") == [{"type": "called", "by": "d1"}]


def test_push_to_a_gone_connection_forgets_it(
    app: Chalice, websocket_api: FakeWebsocketApi
) -> None:
    register("a")
    websocket_api.gone.add("a")
    assert services().pusher.push("a", {"type": "x"}) is False
    assert services().connections.find("a") is None


def test_push_to_consultation_reaches_its_live_connections_only(
    app: Chalice, websocket_api: FakeWebsocketApi
) -> None:
    register("a")
    register("b")
    register("gone")
    register("elsewhere", consultation_id="c2")
    websocket_api.gone.add("gone")

    delivered = services().pusher.push_to_consultation("c1", {"type": "waiting"})

    assert delivered == 2
    assert set(websocket_api.sent) == {"a", "b"}
    assert {c.connection_id for c in Connection.scan()} == {"a", "b", "elsewhere"}
