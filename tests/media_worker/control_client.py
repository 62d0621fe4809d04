"""Drives the control API in-process: aiohttp's test server, the fake rooms, a set clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp.test_utils import TestClient, TestServer

from chalicelib.media import control_signing
from media_worker import control_api
from media_worker.candidate_policy import CandidatePolicy
from media_worker.drain import WorkerState
from media_worker.request_auth import RequestVerifier
from tests.media_worker.fake_rooms import FakeRooms

T = TypeVar("T")
SECRET = "dummy-shared-secret-for-tests-only-0123456789"
NOW = 1_800_000_000.0
OFFER = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"


@dataclass
class Worker:
    """One control API with its fake rooms; `now` is the worker's clock."""

    capacity: int = 10
    rooms: FakeRooms = field(default_factory=FakeRooms)
    now: float = NOW
    worker_id: str = "w1"
    candidates: CandidatePolicy = field(default_factory=CandidatePolicy)

    def __post_init__(self) -> None:
        self.state = WorkerState(rooms=self.rooms, capacity=self.capacity)
        verifier = RequestVerifier(SECRET, worker_id=self.worker_id, clock=lambda: self.now)
        self.app = control_api.build(
            rooms=self.rooms, verifier=verifier, state=self.state, candidates=self.candidates
        )

    def serve(self, scenario: Callable[[Caller], Awaitable[T]]) -> T:
        """Run `scenario` against this worker on a fresh event loop."""

        async def main() -> T:
            async with TestClient(TestServer(self.app)) as client:
                return await scenario(Caller(client, self))

        return asyncio.run(main())


@dataclass
class Caller:
    client: TestClient[Any, Any]
    worker: Worker

    async def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        raw_body: bytes | None = None,
        secret: str = SECRET,
        signed_at: float | None = None,
        nonce: str | None = None,
        signed: bool = True,
        signed_for: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One request, signed like the app's unless told otherwise; (status, JSON body)."""
        body = raw_body if raw_body is not None else b"" if payload is None else json.dumps(payload)
        body = body.encode() if isinstance(body, str) else body
        at = self.worker.now if signed_at is None else signed_at
        worker_id = self.worker.worker_id if signed_for is None else signed_for
        headers = (
            control_signing.sign(
                secret, method, path, body, worker_id=worker_id, now=at, nonce=nonce
            )
            if signed
            else {}
        )
        async with self.client.request(method, path, data=body, headers=headers) as response:
            assert response.content_type == "application/json"
            return response.status, await response.json()

    async def join(
        self, room: str, participant: str, sdp: str = OFFER
    ) -> tuple[int, dict[str, Any]]:
        path = f"/rooms/{room}/participants/{participant}/offer"
        return await self.call("POST", path, {"sdp": sdp})
