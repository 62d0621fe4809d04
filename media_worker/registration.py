"""The worker's entry in the media-worker registry (DynamoDB), kept fresh by heartbeats.

Every `interval` seconds, and at once when the worker starts draining, the worker rewrites
its `chalicelib.store.models.MediaWorker` item: control URL, public address, capacity, current
load, status (`active` or `draining`), `heartbeat_at`, and `expires_at` (the table's TTL)
`BEATS_AHEAD` heartbeats later. The app treats the worker as live until `expires_at`
(`chalicelib/media/workers.py`), so a worker that stops beating is replaced within a few
intervals. On the way out the worker deletes its item.

The model is imported from `chalicelib.store.models`, which needs PynamoDB only; the table name
is the app's convention, `<VESTIBULE_TABLE_PREFIX>media_workers` (`chalicelib.store.tables`,
which imports Chalice, is not used here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.models import Model

from chalicelib.store.models import MediaWorker

logger = logging.getLogger("media_worker.registration")

TABLE_BASE_NAME = "media_workers"
#: How many heartbeats may be missed before the app considers the worker gone.
BEATS_AHEAD = 3


def bind_table(*, table_prefix: str, region: str) -> None:
    """Point the model at this stage's table, as `chalicelib.store.tables.bind_models` does."""
    model: type[Model] = MediaWorker
    model.Meta.table_name = f"{table_prefix}{TABLE_BASE_NAME}"
    model.Meta.region = region


@dataclass(frozen=True, kw_only=True)
class WorkerIdentity:
    worker_id: str
    pool: str
    control_url: str
    public_address: str
    capacity: int


class Registration:
    def __init__(
        self,
        identity: WorkerIdentity,
        *,
        interval: float,
        load: Callable[[], int],
        status: Callable[[], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._identity = identity
        self._interval = interval
        self._load = load
        self._status = status
        self._clock = clock

    def beat(self) -> MediaWorker:
        """Write the current state now (blocking: run it in a thread from async code)."""
        now = self._clock()
        identity = self._identity
        item = MediaWorker(
            worker_id=identity.worker_id,
            pool=identity.pool,
            control_url=identity.control_url,
            public_address=identity.public_address,
            capacity=identity.capacity,
            load=self._load(),
            status=self._status(),
            heartbeat_at=now,
            expires_at=now + timedelta(seconds=BEATS_AHEAD * self._interval),
        )
        item.save()
        return item

    def withdraw(self) -> None:
        """Delete the entry, so the app stops counting on this worker at once."""
        MediaWorker(worker_id=self._identity.worker_id).delete()

    async def beat_soon(self) -> bool:
        """One heartbeat from async code; a failure is logged, never raised (False)."""
        try:
            await asyncio.to_thread(self.beat)
        except Exception as error:  # noqa: BLE001 - the next beat retries; the app tolerates misses
            logger.warning("heartbeat failed", extra={"error_type": type(error).__name__})
            return False
        return True

    async def run(self) -> None:
        """Beat every interval until cancelled, starting one interval from now."""
        while True:
            await asyncio.sleep(self._interval)
            await self.beat_soon()
