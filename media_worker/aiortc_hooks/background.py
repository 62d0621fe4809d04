"""Coroutines the packet path starts but never waits for: rare sends off the hot path.

The packet path runs synchronously, inside the socket's callback. A few of its steps are
coroutines in aiortc or aioice (a NACK or PLI sent upstream, a packet through a TURN
allocation whose channel is being bound, a packet of a receiver the worker did not tap):
`run_now` runs such a coroutine at once and, only if it has to wait, keeps it going from
what it waits on, as a task would, without creating a task per packet; `spawn` makes a
task and keeps a reference until it ends. Neither lets an exception reach the socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)

_running: set[asyncio.Future[Any]] = set()


def spawn(coroutine: Coroutine[Any, Any, Any]) -> None:
    """Run `coroutine` as a task, referenced until done; its failure is logged."""
    task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Future[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("a packet path task failed", exc_info=task.exception())


def run_now(coroutine: Coroutine[Any, Any, Any]) -> None:
    """Run `coroutine` now; if it has to wait, resume it when what it waits on is done."""
    _step(coroutine)


def _step(coroutine: Coroutine[Any, Any, Any]) -> None:
    try:
        awaited = coroutine.send(None)
    except StopIteration:
        return
    except Exception:  # a packet must never close the socket's transport
        logger.exception("a packet path step failed")
        return
    if isinstance(awaited, asyncio.Future):
        awaited.add_done_callback(lambda _: _step(coroutine))
    else:  # a bare yield (asyncio.sleep(0)): the next loop iteration
        asyncio.get_running_loop().call_soon(_step, coroutine)
