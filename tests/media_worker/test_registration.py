"""The worker's registry entry, against moto: what a heartbeat writes, and what the app sees."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from chalicelib.config import Settings
from chalicelib.media.workers import MediaWorkerRegistry
from chalicelib.store.models import MediaWorker
from chalicelib.store.tables import table_definitions
from media_worker.registration import (
    TABLE_BASE_NAME,
    Registration,
    WorkerIdentity,
    bind_table,
)
from tests.media_worker.registry_table import bound  # noqa: F401 - a fixture
from tests.support.fakes import FrozenClock

IDENTITY = WorkerIdentity(
    worker_id="w1",
    pool="default",
    control_url="http://10.0.1.5:8080",
    public_address="203.0.113.10",
    capacity=20,
)


class Load:
    def __init__(self) -> None:
        self.value = 3
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.value


def registration(
    clock: FrozenClock, *, status: str = "active", load: Load | None = None
) -> Registration:
    return Registration(
        IDENTITY, interval=10, load=load or Load(), status=lambda: status, clock=clock.now
    )


def test_the_table_name_follows_the_apps_convention() -> None:
    [definition] = [d for d in table_definitions() if d.base_name == TABLE_BASE_NAME]
    assert definition.keys.partition_key == ("worker_id", "S")


@pytest.mark.usefixtures("bound")
def test_a_heartbeat_writes_the_whole_entry_with_a_ttl_three_beats_ahead(
    clock: FrozenClock,
) -> None:
    registration(clock).beat()

    item = MediaWorker.get("w1")
    assert (item.pool, item.control_url, item.public_address) == (
        "default",
        "http://10.0.1.5:8080",
        "203.0.113.10",
    )
    assert (item.capacity, item.load, item.status) == (20, 3, "active")
    assert item.heartbeat_at == clock.now()
    assert item.expires_at == clock.now() + timedelta(seconds=30)


@pytest.mark.usefixtures("bound")
def test_the_app_sees_a_beating_worker_as_live_until_three_beats_are_missed(
    clock: FrozenClock,
) -> None:
    registration(clock).beat()
    app_view = MediaWorkerRegistry(clock=clock, pool="default")

    clock.advance(timedelta(seconds=29))
    assert [w.worker_id for w in app_view.live_workers()] == ["w1"]
    clock.advance(timedelta(seconds=2))
    assert app_view.live_workers() == []


@pytest.mark.usefixtures("bound")
def test_a_draining_worker_says_so(clock: FrozenClock) -> None:
    registration(clock, status="draining").beat()
    assert MediaWorker.get("w1").status == "draining"


@pytest.mark.usefixtures("bound")
def test_withdrawing_deletes_the_entry(clock: FrozenClock) -> None:
    worker = registration(clock)
    worker.beat()
    worker.withdraw()
    assert MediaWorker.count() == 0


@pytest.mark.usefixtures("bound")
def test_run_beats_every_interval_after_the_first(clock: FrozenClock) -> None:
    load = Load()
    worker = Registration(
        IDENTITY, interval=0.05, load=load, status=lambda: "active", clock=clock.now
    )

    async def scenario() -> int:
        task = asyncio.create_task(worker.run())
        await asyncio.sleep(0.01)
        before_the_first_interval = load.reads
        for _ in range(200):
            if load.reads >= 2:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        return before_the_first_interval

    assert asyncio.run(scenario()) == 0  # the caller makes the first beat (server.run)
    assert load.reads >= 2
    assert MediaWorker.get("w1").load == 3


def test_a_failed_heartbeat_is_logged_without_stopping_the_worker(
    tables: None, settings: Settings, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    bind_table(table_prefix="no-such-prefix-", region=settings.region)
    try:
        with caplog.at_level(logging.WARNING, logger="media_worker.registration"):
            assert asyncio.run(registration(clock).beat_soon()) is False
    finally:
        bind_table(table_prefix=settings.table_prefix, region=settings.region)

    [record] = caplog.records
    assert record.getMessage() == "heartbeat failed"
    assert record.error_type == "PutError"
