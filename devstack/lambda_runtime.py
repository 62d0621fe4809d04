"""Invokes the Chalice app's handlers the way Lambda does, from asyncio code.

A handler gets one event and a `chalice.local.LambdaContext`, and runs in a worker thread:
the handlers are synchronous and may call back into this very process (a `$default`
handler posts its reply to the Management API emulation), so the event loop stays free.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalice import Chalice
from chalice.local import LambdaContext

MEMORY_MB = 128
TIMEOUT_MS = 60_000


class LambdaRuntime:
    def __init__(self, app: Chalice, *, stage: str, max_workers: int = 16) -> None:
        self._app = app
        self._function_prefix = f"{app.app_name}-{stage}-"
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="lambda")

    def websocket_handler(self, route_key: str) -> str:
        """The function name of the handler of a websocket route (`$connect`, ...)."""
        return str(self._app.websocket_handlers[route_key].name)

    async def invoke(self, name: str, event: dict[str, Any]) -> Any:
        """Run handler `name` on `event`; its exceptions propagate, as in a Lambda error."""
        handler = self._app.handler_map[name]
        context = LambdaContext(
            f"{self._function_prefix}{name}", MEMORY_MB, max_runtime_ms=TIMEOUT_MS
        )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, handler, event, context)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
