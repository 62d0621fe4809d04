"""The websocket gateway in front of the Chalice handlers, with API Gateway's behaviour."""

from __future__ import annotations

import json

import aiohttp
import pytest

from chalicelib.store.models import Connection
from tests.e2e.clients import (
    connection_ids,
    eventually,
    participant_ticket,
    run,
    websocket,
)
from tests.e2e.local_stack import RunningStack

pytestmark = pytest.mark.usefixtures("stack_app")


def test_ping_is_answered_with_pong_echoing_the_id(
    stack: RunningStack, consultation_id: str
) -> None:
    async def scenario() -> dict[str, object]:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            await socket.send_json({"type": "ping", "id": "42"})
            return dict(await socket.receive_json(timeout=10))

    assert run(scenario()) == {"type": "pong", "id": "42"}


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{not json", "bad_json"),
        (json.dumps({"type": "no_such_type", "id": "7"}), "unknown_type"),
        (json.dumps({"type": "ping", "padding": "x" * 40 * 1024}), "too_large"),
    ],
    ids=["bad-json", "unknown-type", "40-KB"],
)
def test_a_bad_message_gets_an_error_frame_and_the_connection_stays_open(
    stack: RunningStack, consultation_id: str, message: str, code: str
) -> None:
    async def scenario() -> tuple[dict[str, object], dict[str, object]]:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            await socket.send_str(message)
            error = await socket.receive_json(timeout=10)
            await socket.send_json({"type": "ping", "id": "after"})
            return error, await socket.receive_json(timeout=10)

    error, after = run(scenario())

    assert error["type"] == "error"
    assert error["code"] == code
    assert error["message"]
    assert after == {"type": "pong", "id": "after"}


def test_a_connection_without_a_ticket_is_refused_with_401(stack: RunningStack) -> None:
    before = Connection.count()

    async def scenario() -> None:
        async with websocket(stack, None):
            pass

    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        run(scenario())

    assert refused.value.status == 401
    assert Connection.count() == before


def test_a_reused_ticket_is_refused_with_401_and_records_nothing(
    stack: RunningStack, consultation_id: str
) -> None:
    ticket = participant_ticket(consultation_id)

    async def scenario() -> tuple[int, int]:
        async with websocket(stack, ticket):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with websocket(stack, ticket):
                    pass
            return refused.value.status, len(connection_ids(consultation_id))

    status, records = run(scenario())

    assert status == 401
    assert records == 1  # the first connection's, and only it


def test_closing_the_socket_runs_disconnect_which_forgets_the_connection(
    stack: RunningStack, consultation_id: str
) -> None:
    async def scenario() -> tuple[int, bool]:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            records_while_open = len(connection_ids(consultation_id))
            await socket.close()
        return records_while_open, await eventually(lambda: connection_ids(consultation_id) == [])

    records_while_open, forgotten = run(scenario())

    assert records_while_open == 1
    assert forgotten


@pytest.mark.parametrize(
    ("frame", "close_code"),
    [(b"\x00\x01", 1003), ("x" * (128 * 1024 + 1), 1009)],
    ids=["binary frame closes with 1003", "message over 128 KB closes with 1009"],
)
def test_frames_api_gateway_refuses_close_the_connection(
    stack: RunningStack, consultation_id: str, frame: bytes | str, close_code: int
) -> None:
    async def scenario() -> int | None:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            if isinstance(frame, bytes):
                await socket.send_bytes(frame)
            else:
                await socket.send_str(frame)
            message = await socket.receive(timeout=10)
            assert message.type is aiohttp.WSMsgType.CLOSE
            return socket.close_code

    assert run(scenario()) == close_code


def test_a_connection_the_gateway_closed_is_forgotten_too(
    stack: RunningStack, consultation_id: str
) -> None:
    async def scenario() -> bool:
        async with websocket(stack, participant_ticket(consultation_id)) as socket:
            await socket.send_bytes(b"binary")
            await socket.receive(timeout=10)
        return await eventually(lambda: connection_ids(consultation_id) == [])

    assert run(scenario())
