"""What the end-to-end tests use to talk to a running stack: tickets and websockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.store.models import Connection
from devstack.media_lab import ensure_consultation, record_participant
from tests.e2e.local_stack import RunningStack

T = TypeVar("T")
TIMEOUT = 10.0


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run async test code to completion on a fresh event loop."""
    return asyncio.run(coroutine)


def participant_ticket(consultation_id: str) -> str:
    """A fresh websocket ticket, issued by the app, for a participant of a consultation.

    The consultation and the participant are recorded first (as the media lab does), since
    a ticket opens a connection only for a participant of a consultation that still stands.
    """
    ensure_consultation(consultation_id, datetime.now(UTC))
    record_participant(consultation_id, f"p-{consultation_id}")
    principal = Principal(
        kind="participant",
        id=f"p-{consultation_id}",
        clinic_id="demo-clinic",
        consultation_id=consultation_id,
    )
    return wiring.services().tickets.issue(principal)


def connection_ids(consultation_id: str) -> list[str]:
    return [c.connection_id for c in Connection.by_consultation.query(consultation_id)]


@asynccontextmanager
async def websocket(
    stack: RunningStack, ticket: str | None
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A websocket to the stack's gateway, opened with `ticket` (none if None)."""
    params = {} if ticket is None else {"ticket": ticket}
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session,
        session.ws_connect(stack.options.websocket_url, params=params) as socket,
    ):
        yield socket


async def eventually(condition: Any, timeout: float = TIMEOUT) -> bool:
    """Poll a blocking `condition()` (run in a thread) until it is true or time is up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await asyncio.to_thread(condition):
            return True
        await asyncio.sleep(0.1)
    return False
