"""Routes websocket messages to handler functions by their `type`.

API Gateway routes every message to one `$default` handler; this router is where the app
chooses. A handler receives the sender's context and the parsed message and returns the
frame to send back to the sender, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import UnknownMessageType
from chalicelib.realtime.protocol import InboundMessage
from chalicelib.store.models import Connection

Reply = dict[str, Any] | None


@dataclass(frozen=True)
class MessageContext:
    connection: Connection


Handler = Callable[[MessageContext, InboundMessage], Reply]


class MessageRouter:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def handles(self, message_type: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if message_type in self._handlers:
                raise ValueError(f"a handler for {message_type!r} is already registered")
            self._handlers[message_type] = handler
            return handler

        return register

    @property
    def message_types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def dispatch(self, context: MessageContext, message: InboundMessage) -> Reply:
        handler = self._handlers.get(message.type)
        if handler is None:
            raise UnknownMessageType(f"unknown message type {message.type!r}")
        return handler(context, message)
