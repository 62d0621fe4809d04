"""Messages are routed by `type`; `ping` is answered with `pong`."""

from __future__ import annotations

import pytest

from chalicelib.errors import UnknownMessageType
from chalicelib.realtime.dispatch import MessageContext, MessageRouter
from chalicelib.realtime.protocol import InboundMessage, parse_message
from chalicelib.store.models import Connection
from chalicelib.wiring import build_router

CONTEXT = MessageContext(connection=Connection(connection_id="c1"))


def test_ping_is_answered_with_pong_carrying_the_id() -> None:
    reply = build_router().dispatch(CONTEXT, parse_message('{"type": "ping", "id": "a1"}'))
    assert reply == {"type": "pong", "id": "a1"}


def test_unknown_type_is_refused_by_name() -> None:
    with pytest.raises(UnknownMessageType, match="'teleport'"):
        build_router().dispatch(CONTEXT, InboundMessage(type="teleport"))


def test_handler_receives_context_and_message() -> None:
    router = MessageRouter()
    seen: list[tuple[str, str]] = []

    @router.handles("echo")
    def echo(context: MessageContext, message: InboundMessage) -> dict[str, object]:
        seen.append((context.connection.connection_id, message.data["text"]))
        return message.reply("echoed", text=message.data["text"])

    reply = router.dispatch(CONTEXT, parse_message('{"type": "echo", "text": "hi"}'))
    assert reply == {"type": "echoed", "text": "hi"}
    assert seen == [("c1", "hi")]
    assert router.message_types == {"echo"}


def test_a_type_cannot_be_registered_twice() -> None:
    router = MessageRouter()
    router.handles("ping")(lambda context, message: None)
    with pytest.raises(ValueError, match="already registered"):
        router.handles("ping")(lambda context, message: None)
