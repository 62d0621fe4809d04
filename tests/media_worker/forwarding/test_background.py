"""The packet path's rare coroutines: run at once, resumed when they wait, never raised."""

from __future__ import annotations

import asyncio
import logging

import pytest

from media_worker.aiortc_hooks.background import run_now, spawn
from tests.media_worker.forwarding.clients import run


def test_a_coroutine_that_need_not_wait_is_done_before_run_now_returns() -> None:
    steps: list[str] = []

    async def send() -> None:
        steps.append("sent")

    async def scenario() -> None:
        run_now(send())
        assert steps == ["sent"]

    run(scenario())


def test_a_coroutine_that_waits_goes_on_when_what_it_waits_for_is_done() -> None:
    steps: list[str] = []

    async def scenario() -> None:
        bound = asyncio.get_running_loop().create_future()

        async def send_after_binding() -> None:  # as aioice waits for a TURN channel bind
            steps.append("binding")
            await bound
            steps.append("sent")
            await asyncio.sleep(0)  # a bare yield: resumed on the next loop iteration
            steps.append("after a yield")

        run_now(send_after_binding())
        assert steps == ["binding"]
        bound.set_result(None)
        for _ in range(3):
            await asyncio.sleep(0)
        assert steps == ["binding", "sent", "after a yield"]

    run(scenario())


def test_failures_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def fails() -> None:
        raise ConnectionResetError("gone")

    async def scenario() -> None:
        run_now(fails())
        spawn(fails())
        for _ in range(3):
            await asyncio.sleep(0)

    with caplog.at_level(logging.ERROR, logger="media_worker.aiortc_hooks.background"):
        run(scenario())
    assert len([r for r in caplog.records if r.exc_info]) == 2
