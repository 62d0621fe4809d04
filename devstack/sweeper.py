"""Calls the app's scheduled sweeper on a timer, as EventBridge does every minute in AWS.

Each run gets a CloudWatch "Scheduled Event" like EventBridge's. The last run's time and
outcome are kept for the status page; a failing run is logged and the next one still
comes, as a failed scheduled Lambda does not stop its schedule.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from devstack.lambda_runtime import LambdaRuntime

logger = logging.getLogger("devstack.sweeper")

HANDLER_NAME = "sweep"
ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class SweepRun:
    at: datetime
    ok: bool
    detail: str
    duration_seconds: float


class Sweeper:
    def __init__(
        self,
        runtime: LambdaRuntime,
        *,
        interval: float,
        region: str,
        after_run: Callable[[datetime], object] | None = None,
    ) -> None:
        """`after_run(at)` runs (in a thread) after each run: what AWS does by itself
        and moto does not, such as expiring items and objects (`devstack.retention`)."""
        self._runtime = runtime
        self._after_run = after_run
        self.interval = interval
        self._region = region
        self.runs = 0
        self.last_run: SweepRun | None = None
        self.next_run_at = datetime.now(UTC) + timedelta(seconds=interval)

    async def run_forever(self) -> None:
        while True:
            delay = (self.next_run_at - datetime.now(UTC)).total_seconds()
            await asyncio.sleep(max(delay, 0))
            self.next_run_at = datetime.now(UTC) + timedelta(seconds=self.interval)
            await self.run_once()

    async def run_once(self) -> SweepRun:
        at = datetime.now(UTC)
        started = time.monotonic()
        try:
            result = await self._runtime.invoke(HANDLER_NAME, self._event(at))
            if self._after_run is not None:
                await asyncio.to_thread(self._after_run, at)
        except Exception as error:  # one failed run must not stop the schedule
            logger.exception("the sweeper failed")
            run = SweepRun(at, False, f"{type(error).__name__}", time.monotonic() - started)
        else:
            run = SweepRun(at, True, _summary(result), time.monotonic() - started)
        self.runs += 1
        self.last_run = run
        return run

    def _event(self, at: datetime) -> dict[str, Any]:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": [f"arn:aws:events:{self._region}:{ACCOUNT_ID}:rule/vestibule-local-sweep"],
            "detail": {},
        }


def _summary(result: object) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{key} {value}" for key, value in result.items()) or "done"
    return "done"
