"""Pushes JSON messages to websocket connections through API Gateway's Management API.

The one place that calls `websocket_api.send`: a connection that turns out to be gone is
removed from the registry, so later fan-outs do not try it again. A fan-out to several
connections posts in parallel threads (`push_to_all`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from chalice import WebsocketDisconnectedError

from chalicelib.realtime.connections import ConnectionRegistry


class WebsocketSender(Protocol):
    def send(self, connection_id: str, message: str) -> None: ...


#: Management API posts in flight at once for one fan-out (network-bound, not CPU-bound).
PARALLEL_POSTS = 8
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _posts() -> ThreadPoolExecutor:
    """The threads that post a fan-out's frames, made once per process (a Lambda reuses it)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=PARALLEL_POSTS, thread_name_prefix="push")
        return _pool


class Pusher:
    def __init__(self, *, websocket_api: WebsocketSender, registry: ConnectionRegistry) -> None:
        self._websocket_api = websocket_api
        self._registry = registry

    def push(self, connection_id: str, message: dict[str, Any]) -> bool:
        """Send one message; False (and the record forgotten) if the connection is gone."""
        try:
            self._websocket_api.send(connection_id, json.dumps(message, separators=(",", ":")))
        except WebsocketDisconnectedError:
            self._registry.forget(connection_id)
            return False
        return True

    def push_to_consultation(
        self, consultation_id: str, message: dict[str, Any], *, excluding: str | None = None
    ) -> int:
        """Send to every live connection of a consultation (but `excluding`); count arrivals."""
        return sum(
            self.push(connection.connection_id, message)
            for connection in self._registry.of_consultation(consultation_id)
            if connection.connection_id != excluding
        )

    def push_to_all(self, connection_ids: Iterable[str], message: dict[str, Any]) -> int:
        """Send one message to each connection (one Management API post each, up to
        `PARALLEL_POSTS` at once, so the last recipient does not wait for all the others);
        count the arrivals."""
        targets = list(connection_ids)
        if len(targets) <= 1:
            return sum(self.push(connection_id, message) for connection_id in targets)
        return sum(_posts().map(lambda connection_id: self.push(connection_id, message), targets))
