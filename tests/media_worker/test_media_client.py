"""The app's `MediaClient` against the worker's real control API: signatures agree, and every
refusal of the worker arrives as the app's own error."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import TypeVar

import pytest
from aiohttp.test_utils import TestServer

from chalicelib.errors import (
    ClientError,
    ConfigError,
    Conflict,
    InvalidField,
    MediaUnavailable,
    NotFound,
)
from chalicelib.media.client import MediaClient
from chalicelib.media.workers import WorkerEndpoint
from tests.media_worker.control_client import OFFER, SECRET, Worker
from tests.media_worker.fake_rooms import FakeRooms

T = TypeVar("T")
Scenario = Callable[[MediaClient, WorkerEndpoint], T]


def against(
    worker: Worker, scenario: Scenario[T], *, secret: str | None = SECRET, registered_as: str = "w1"
) -> T:
    """Run the blocking client in a thread while the worker serves on a real port; the
    registry knows the worker as `registered_as` (the id the client signs for)."""

    async def main() -> T:
        async with TestServer(worker.app) as server:
            endpoint = WorkerEndpoint(registered_as, str(server.make_url("/")))
            client = MediaClient(secret=secret, timeout=2, now=lambda: worker.now)
            return await asyncio.to_thread(scenario, client, endpoint)

    return asyncio.run(main())


def test_a_call_goes_through_join_candidates_roster_and_leave() -> None:
    def scenario(client: MediaClient, worker: WorkerEndpoint) -> list[object]:
        joined = client.offer(worker, "c1", "p1", OFFER)
        client.add_ice_candidate(worker, "c1", "p1", {"candidate": "", "sdpMid": "0"})
        roster = client.roster(worker, "c1")
        client.leave(worker, "c1", "p1")
        return [joined, roster]

    worker = Worker()
    joined, roster = against(worker, scenario)

    assert joined == {"sdp": "v=0 answer for p1", "roster": [{"participant_id": "p1"}]}
    assert roster == [{"participant_id": "p1"}]
    assert worker.rooms.rooms == {}


def test_the_connection_test_round_trip() -> None:
    def scenario(client: MediaClient, worker: WorkerEndpoint) -> list[object]:
        started = client.start_echo(worker, OFFER)
        stats = client.echo_stats(worker, started["session_id"])
        client.stop_echo(worker, started["session_id"])
        return [started, stats]

    started, stats = against(Worker(), scenario)

    assert started == {"session_id": "echo-1", "sdp": "v=0 echo answer"}
    assert isinstance(stats, dict) and stats["loss"] == 0.0


@pytest.mark.parametrize(
    ("call", "error", "status"),
    [
        (lambda c, w: c.roster(w, "nope"), NotFound, 404),
        (lambda c, w: c.offer(w, "c1", "p1", "not sdp"), ClientError, 400),
        (lambda c, w: c.leave(w, "c1", "p1"), NotFound, 404),
        (lambda c, w: c.echo_stats(w, "echo-9"), NotFound, 404),
    ],
)
def test_the_workers_refusals_become_the_apps_errors(
    call: Scenario[object], error: type[Exception], status: int
) -> None:
    with pytest.raises(error) as refused:
        against(Worker(), call)
    assert isinstance(refused.value, ClientError)
    assert refused.value.status_code == status


def test_a_full_room_is_a_conflict() -> None:
    def scenario(client: MediaClient, worker: WorkerEndpoint) -> None:
        client.offer(worker, "c1", "p1", OFFER)
        client.offer(worker, "c1", "p2", OFFER)

    with pytest.raises(Conflict, match="already has 1"):
        against(Worker(rooms=FakeRooms(max_participants=1)), scenario)


def test_ids_are_quoted_and_the_signature_covers_the_quoted_path() -> None:
    def scenario(client: MediaClient, worker: WorkerEndpoint) -> None:
        client.offer(worker, "c1", "a/b c", OFFER)

    with pytest.raises(InvalidField) as refused:
        against(Worker(), scenario)
    assert refused.value.field == "participant_id"  # refused for its characters, not as forged


def test_a_draining_worker_is_media_unavailable() -> None:
    worker = Worker()
    worker.state.start_draining()

    with pytest.raises(MediaUnavailable, match="shutting down"):
        against(worker, lambda c, w: c.offer(w, "c1", "p1", OFFER))


def test_a_refused_signature_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="VESTIBULE_MEDIA_SHARED_SECRET differs"):
        against(
            Worker(),
            lambda c, w: c.roster(w, "c1"),
            secret="another-secret-of-the-same-length-0123456789",
        )


def test_the_client_signs_for_the_registered_worker_only() -> None:
    joined = against(
        Worker(worker_id="w7"), lambda c, w: c.offer(w, "c1", "p1", OFFER), registered_as="w7"
    )
    assert joined["sdp"] == "v=0 answer for p1"
    worker = Worker(worker_id="w7")
    with pytest.raises(ConfigError, match="not the worker the registry names"):
        against(worker, lambda c, w: c.offer(w, "c1", "p1", OFFER), registered_as="w8")
    assert worker.rooms.rooms == {}


def test_without_a_secret_nothing_is_sent() -> None:
    worker = Worker()
    with pytest.raises(ConfigError, match="VESTIBULE_MEDIA_SHARED_SECRET is not set"):
        against(worker, lambda c, w: c.offer(w, "c1", "p1", OFFER), secret=None)
    assert worker.rooms.rooms == {}


def test_a_worker_that_does_not_answer_is_media_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MediaClient(secret=SECRET, timeout=1)

    with pytest.raises(MediaUnavailable):
        client.roster(WorkerEndpoint("w1", f"http://127.0.0.1:{port}"), "c1")


def test_a_slow_worker_times_out_as_media_unavailable() -> None:
    class SlowRooms(FakeRooms):
        async def roster(self, room_id: str) -> list[dict[str, object]]:
            await asyncio.sleep(3)
            return []

    with pytest.raises(MediaUnavailable):
        against(Worker(rooms=SlowRooms()), lambda c, w: c.roster(w, "c1"))


def test_a_control_url_must_be_http() -> None:
    client = MediaClient(secret=SECRET)
    with pytest.raises(ConfigError, match="no http"):
        client.roster(WorkerEndpoint("w1", "file:///etc"), "c1")
