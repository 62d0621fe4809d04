"""`server.run`: serves, beats, drains on stop (new rooms refused, calls in progress kept),
and cleans up however it ends."""

from __future__ import annotations

import asyncio
import socket
import urllib.error
import urllib.request

import pytest

from chalicelib.errors import MediaUnavailable
from chalicelib.media.client import MediaClient
from chalicelib.media.workers import WorkerEndpoint
from chalicelib.store.models import MediaWorker
from media_worker import server
from media_worker.drain import WorkerState
from media_worker.registration import Registration, WorkerIdentity
from media_worker.request_auth import RequestVerifier
from tests.media_worker.control_client import OFFER, SECRET
from tests.media_worker.fake_rooms import FakeRooms
from tests.media_worker.registry_table import bound  # noqa: F401 - a fixture

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
pytestmark = [pytest.mark.usefixtures("bound"), pytest.mark.timeout(30)]


class Harness:
    def __init__(self, *, drain_seconds: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.rooms = FakeRooms()
        self.state = WorkerState(rooms=self.rooms, capacity=5)
        self.stop = asyncio.Event()
        self.drain_seconds = drain_seconds
        self.client = MediaClient(secret=SECRET, timeout=2)
        self.endpoint = WorkerEndpoint("w1", self.url)

    def run(self) -> asyncio.Task[bool]:
        identity = WorkerIdentity(
            worker_id="w1",
            pool="default",
            control_url=self.url,
            public_address="203.0.113.10",
            capacity=5,
        )
        registration = Registration(
            identity, interval=0.05, load=self.rooms.load, status=lambda: self.state.status
        )
        return asyncio.create_task(
            server.run(
                rooms=self.rooms,
                state=self.state,
                registration=registration,
                verifier=RequestVerifier(SECRET, worker_id="w1"),
                stop=self.stop,
                host="127.0.0.1",
                port=self.port,
                drain_seconds=self.drain_seconds,
            )
        )

    async def status_of(self, path: str) -> int:
        def get() -> int:
            try:
                with _OPENER.open(f"{self.url}{path}", timeout=2) as response:
                    return int(response.status)
            except urllib.error.HTTPError as error:
                return error.code
            except OSError:
                return 0

        return await asyncio.to_thread(get)

    async def until(self, path: str, status: int) -> None:
        while await self.status_of(path) != status:
            await asyncio.sleep(0.02)

    async def registry_status(self, awaited: str, within: float = 5.0) -> str:
        """The registry entry's status once it is `awaited`, or as it is after `within` s:
        the entry is written just after `/ready` changes, by another thread."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            status = str((await asyncio.to_thread(MediaWorker.get, "w1")).status)
            if status == awaited or asyncio.get_running_loop().time() > deadline:
                return status
            await asyncio.sleep(0.02)

    async def offer(self, room: str, participant: str) -> object:
        return await asyncio.to_thread(self.client.offer, self.endpoint, room, participant, OFFER)

    async def leave(self, room: str, participant: str) -> None:
        await asyncio.to_thread(self.client.leave, self.endpoint, room, participant)


def test_stop_drains_until_the_last_call_ends_then_withdraws_and_closes() -> None:
    harness = Harness(drain_seconds=10)

    async def scenario() -> dict[str, object]:
        task = harness.run()
        await harness.until("/ready", 200)
        await harness.offer("c1", "p1")
        harness.stop.set()
        await harness.until("/ready", 503)
        seen: dict[str, object] = {"status": await harness.registry_status("draining")}
        with pytest.raises(MediaUnavailable):
            await harness.offer("c2", "p1")
        await harness.offer("c1", "p2")  # joining the call in progress still works
        seen["running after stop"] = not task.done()
        await harness.leave("c1", "p1")
        await harness.leave("c1", "p2")
        seen["emptied"] = await task
        seen["health after"] = await harness.status_of("/health")
        return seen

    seen = asyncio.run(scenario())

    assert seen == {
        "status": "draining",
        "running after stop": True,
        "emptied": True,
        "health after": 0,
    }
    assert harness.rooms.closed
    assert MediaWorker.count() == 0


def test_the_drain_deadline_ends_calls_that_last_too_long() -> None:
    harness = Harness(drain_seconds=0.3)

    async def scenario() -> bool:
        task = harness.run()
        await harness.until("/ready", 200)
        await harness.offer("c1", "p1")
        harness.stop.set()
        return await task

    assert asyncio.run(scenario()) is False
    assert harness.rooms.closed
    assert MediaWorker.count() == 0


def test_an_idle_worker_stops_at_once() -> None:
    harness = Harness(drain_seconds=10)

    async def scenario() -> float:
        task = harness.run()
        await harness.until("/health", 200)
        assert MediaWorker.get("w1").status == "active"
        started = asyncio.get_running_loop().time()
        harness.stop.set()
        await task
        return asyncio.get_running_loop().time() - started

    assert asyncio.run(scenario()) < 1.0


def test_a_port_already_taken_still_cleans_up() -> None:
    harness = Harness(drain_seconds=10)

    async def scenario() -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", harness.port))
            taken.listen()
            with pytest.raises(OSError):
                await harness.run()

    asyncio.run(scenario())

    assert harness.rooms.closed
    assert MediaWorker.count() == 0
