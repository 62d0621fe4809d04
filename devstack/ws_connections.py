"""The websocket connections the gateway holds open, shared with the Management API.

API Gateway keeps the sockets; the app only ever sees connection ids. Here the gateway
registers each accepted socket under its id, and the Management API emulation finds it
there to post, describe or close it. A removed id is gone (HTTP 410) for good.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from devstack.ws_events import ConnectionContext


@dataclass(eq=False, kw_only=True)
class LiveConnection:
    context: ConnectionContext
    socket: web.WebSocketResponse
    opened: float = field(default_factory=time.monotonic)
    last_active: float = field(default_factory=time.monotonic)
    last_active_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Set when the gateway closes it (idle, binary frame, DeleteConnection), for `$disconnect`.
    closed_by_gateway: tuple[int, str] | None = None

    def touch(self) -> None:
        """A message went in or out: the idle timer starts again."""
        self.last_active = time.monotonic()
        self.last_active_at = datetime.now(UTC)

    def seconds_left(self, *, idle_timeout: float, max_lifetime: float) -> float:
        """Until API Gateway's idle timeout or maximum lifetime closes the connection."""
        deadline = min(self.last_active + idle_timeout, self.opened + max_lifetime)
        return deadline - time.monotonic()

    async def close(self, code: int, reason: str) -> None:
        self.closed_by_gateway = (code, reason)
        await self.socket.close(code=code, message=reason.encode("utf-8"))

    def close_status(self) -> tuple[int, str]:
        """The close code and reason that `$disconnect` reports."""
        if self.closed_by_gateway is not None:
            return self.closed_by_gateway
        return (self.socket.close_code or 1006, "Client-side close frame")


class LiveConnections:
    def __init__(self) -> None:
        self._by_id: dict[str, LiveConnection] = {}

    def add(self, connection: LiveConnection) -> None:
        self._by_id[connection.context.connection_id] = connection

    def remove(self, connection_id: str) -> None:
        self._by_id.pop(connection_id, None)

    def get(self, connection_id: str) -> LiveConnection | None:
        """The connection, or None if it is unknown, closing or closed."""
        connection = self._by_id.get(connection_id)
        if connection is None or connection.socket.closed:
            return None
        return connection

    def __iter__(self) -> Iterator[LiveConnection]:
        return iter(list(self._by_id.values()))

    def by_user_agent(self, user_agent: str) -> LiveConnection | None:
        return next((c for c in self if c.context.user_agent == user_agent), None)
