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
