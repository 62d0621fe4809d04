"""The status page's checks of the media side: the media worker and coturn, checked live.

* media worker: `GET /health` and `GET /ready` answer 200, and its registry entry (what the
  app assigns consultations from) is active and fresh: its last heartbeat is within the
  time it vouched for (`expires_at`);
* coturn: installed, and answers a real STUN Binding Request over UDP.

Each returns (healthy, detail), the detail in words a developer can act on.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime

from aiohttp import ClientSession

from chalicelib.store.models import MediaWorker
from devstack.coturn_process import INSTALL_HINT
from devstack.environment import LOCAL_WORKER_ID
from devstack.options import StackOptions
from devstack.stun_probe import StunError, binding


async def media_worker(session: ClientSession, options: StackOptions) -> tuple[bool, str]:
    problems = []
    for path in ("/health", "/ready"):
        async with session.get(f"{options.media_url}{path}") as response:
            body = await response.json(content_type=None)
        if response.status != 200:
            problems.append(f"GET {path} answered {response.status} ({body.get('reason')})")
    registered = await asyncio.to_thread(_registration, LOCAL_WORKER_ID)
    if registered is None:
        problems.append(f"no registry entry for {LOCAL_WORKER_ID}")
        return False, "; ".join(problems)
    now = datetime.now(UTC)
    age = (now - registered.heartbeat_at).total_seconds()
    if registered.expires_at <= now or registered.status != "active":
        problems.append(f"registry entry {registered.status}, last heartbeat {age:.0f} s ago")
    if problems:
        return False, "; ".join(problems)
    return True, (
        f"/health and /ready answered 200; heartbeat {age:.0f} s ago; "
        f"load {registered.load} of {registered.capacity}; ICE on UDP {options.media_udp_ports}"
    )


async def coturn(options: StackOptions) -> tuple[bool, str]:
    if shutil.which("turnserver") is None:
        return False, INSTALL_HINT
    try:
        mapped = await asyncio.to_thread(binding, options.host, options.turn_port)
    except StunError as error:
        return False, str(error)
    return True, (
        f"answered a STUN Binding Request on {options.turn_address} (saw us at "
        f"{mapped[0]}:{mapped[1]}); relays on UDP {options.turn_relay_ports}"
    )


def _registration(worker_id: str) -> MediaWorker | None:
    try:
        return MediaWorker.get(worker_id)
    except MediaWorker.DoesNotExist:
        return None
