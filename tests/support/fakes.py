"""In-memory stand-ins for the app's collaborators: a clock and a websocket sender."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from chalice import WebsocketDisconnectedError


class FrozenClock:
    """A clock that moves only when a test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def sleep(self, seconds: float) -> None:
        """Waiting moves the clock on, and is remembered."""
        self.slept.append(seconds)
        self._now += timedelta(seconds=seconds)


class FakeWebsocketApi:
    """Records what the app sends to each connection; `gone` connections raise like Chalice."""

    def __init__(self) -> None:
        self.sent: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.gone: set[str] = set()

    def send(self, connection_id: str, message: str) -> None:
        if connection_id in self.gone:
            raise WebsocketDisconnectedError(connection_id)
        self.sent[connection_id].append(json.loads(message))

    def frames(self, connection_id: str) -> list[dict[str, Any]]:
        return self.sent[connection_id]


def serialise_moto_dynamodb(monkeypatch: Any) -> None:
    """Make moto answer one DynamoDB request at a time, as DynamoDB applies each single-item
    write atomically: moto's handlers are not locked, so threads racing conditional writes
    against it could both pass a condition that real DynamoDB lets only one pass."""
    import threading

    from moto.dynamodb.responses import DynamoHandler

    one_at_a_time = threading.Lock()
    call_action = DynamoHandler.call_action

    def serialised(self: DynamoHandler) -> Any:
        with one_at_a_time:
            return call_action(self)

    monkeypatch.setattr(DynamoHandler, "call_action", serialised)
