"""Pushing through `app.websocket_api` from outside a handler, and the Management API.

The test process imports the app with the stack's environment, as a REST route or the
sweeper runs in AWS: `send` goes through botocore to the Management API emulation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice import Chalice, WebsocketDisconnectedError

from chalicelib import wiring
from chalicelib.store.models import Connection
from tests.e2e.clients import connection_ids, eventually, participant_ticket, run, websocket
from tests.e2e.local_stack import RunningStack


def test_a_message_sent_through_the_websocket_api_arrives(
    stack: RunningStack, stack_app: Chalice, consultation_id: str
) -> None:
    async def scenario() -> str:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            (connection_id,) = connection_ids(consultation_id)
            stack_app.websocket_api.send(connection_id, '{"type":"called","by":"dr"}')
            return str(await socket.receive_str(timeout=10))

    assert run(scenario()) == '{"type":"called","by":"dr"}'


def test_pushing_to_a_connection_whose_socket_is_gone_forgets_its_record(
    stack_app: Chalice, consultation_id: str
) -> None:
    now = datetime.now(UTC)
    Connection(
        connection_id="GoneConnection0=",
        principal_kind="participant",
        principal_id="p-gone",
        clinic_id="demo-clinic",
        consultation_id=consultation_id,
        connected_at=now,
        expires_at=now + timedelta(hours=2),
    ).save()

    delivered = wiring.services().pusher.push("GoneConnection0=", {"type": "waiting"})

    assert delivered is False
    assert connection_ids(consultation_id) == []


def test_sending_to_an_unknown_connection_raises_websocket_disconnected(
    stack_app: Chalice,
) -> None:
    with pytest.raises(WebsocketDisconnectedError):
        stack_app.websocket_api.send("NoSuchConnection=", "{}")


def test_the_management_api_describes_and_deletes_a_live_connection(
    stack: RunningStack, stack_app: Chalice, consultation_id: str, management_client: Any
) -> None:
    async def scenario() -> tuple[dict[str, Any], int | None, bool]:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            (connection_id,) = connection_ids(consultation_id)
            info = management_client.get_connection(ConnectionId=connection_id)
            management_client.delete_connection(ConnectionId=connection_id)
            await socket.receive(timeout=10)
            forgotten = await eventually(lambda: connection_ids(consultation_id) == [])
            return info, socket.close_code, forgotten

    info, close_code, forgotten = run(scenario())

    assert isinstance(info["ConnectedAt"], datetime)
    assert isinstance(info["LastActiveAt"], datetime)
    assert info["Identity"]["SourceIp"] == "127.0.0.1"
    assert "aiohttp" in info["Identity"]["UserAgent"]
    assert close_code == 1000
    assert forgotten


def test_the_management_api_answers_gone_for_an_unknown_connection(
    management_client: Any,
) -> None:
    gone = management_client.exceptions.GoneException

    with pytest.raises(gone):
        management_client.post_to_connection(ConnectionId="NoSuchConnection=", Data=b"{}")
    with pytest.raises(gone):
        management_client.get_connection(ConnectionId="NoSuchConnection=")
    with pytest.raises(gone):
        management_client.delete_connection(ConnectionId="NoSuchConnection=")
