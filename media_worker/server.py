"""Runs the worker until it is told to stop: control API, heartbeats, then the drain.

`run(...)` receives its collaborators (built by `media_worker.__main__`, or by a test) and
cleans up in `finally`, however it ends: the heartbeat stops, the registry entry is
withdrawn, the control API closes and every peer connection is closed.

The drain, once `stop` is set (SIGTERM): the worker says it is draining (registry and
`/ready`), refuses new rooms, lets joins into its rooms continue, and waits until its rooms
are empty or `drain_seconds` have passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from media_worker import control_api
from media_worker.candidate_policy import CandidatePolicy
from media_worker.drain import WorkerState, wait_until_empty
from media_worker.registration import Registration
from media_worker.request_auth import RequestVerifier
from media_worker.rooms_protocol import Rooms

logger = logging.getLogger("media_worker.server")

#: How long in-flight control requests may take to finish once the API closes.
SHUTDOWN_TIMEOUT = 5.0


async def run(
    *,
    rooms: Rooms,
    state: WorkerState,
    registration: Registration,
    verifier: RequestVerifier,
    stop: asyncio.Event,
    host: str,
    port: int,
    drain_seconds: float,
    candidates: CandidatePolicy | None = None,
) -> bool:
    """Serve until `stop` is set, then drain; True if every room ended before the deadline."""
    runner = web.AppRunner(
        control_api.build(rooms=rooms, verifier=verifier, state=state, candidates=candidates),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )
    heartbeat: asyncio.Task[None] | None = None
    try:
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        await registration.beat_soon()  # the app can find the worker once it answers
        heartbeat = asyncio.create_task(registration.run(), name="heartbeat")
        logger.info("serving", extra={"port": port, "capacity": state.capacity})
        await stop.wait()
        state.start_draining()
        await registration.beat_soon()
        logger.info("draining", extra={"load": rooms.load(), "deadline_seconds": drain_seconds})
        emptied = await wait_until_empty(rooms, deadline=drain_seconds)
        logger.info("drained" if emptied else "drain deadline passed", extra={"load": rooms.load()})
        return emptied
    finally:
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        await _withdraw(registration)
        await runner.cleanup()
        await rooms.close()
        logger.info("stopped")


async def _withdraw(registration: Registration) -> None:
    try:
        await asyncio.to_thread(registration.withdraw)
    except Exception as error:  # noqa: BLE001 - the entry expires on its own anyway
        logger.warning("could not withdraw", extra={"error_type": type(error).__name__})
