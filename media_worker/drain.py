"""Whether the worker takes new rooms, and the graceful drain after SIGTERM.

A worker is *ready* for new rooms while it is not draining and its load is below its
capacity. Joins into a room that already exists are always admitted (a participant who
reconnects, or the second participant of a call in progress), so a draining or full
worker finishes the calls it has. ECS stops a task with SIGTERM, then SIGKILL after the
task's stop timeout (at most 120 s on Fargate): the drain deadline must be shorter.
"""

from __future__ import annotations

import asyncio

from media_worker.errors import AtCapacity, Draining, UnknownRoom
from media_worker.rooms_protocol import Rooms

ACTIVE = "active"
DRAINING = "draining"


class WorkerState:
    def __init__(self, *, rooms: Rooms, capacity: int) -> None:
        self._rooms = rooms
        self._capacity = capacity
        self._draining = False

    @property
    def status(self) -> str:
        """What the registry says about this worker: `active` or `draining`."""
        return DRAINING if self._draining else ACTIVE

    @property
    def capacity(self) -> int:
        return self._capacity

    def start_draining(self) -> None:
        self._draining = True

    def unready_reason(self) -> str | None:
        """None when the worker takes new rooms; otherwise `draining` or `full`."""
        if self._draining:
            return "draining"
        if self._rooms.load() >= self._capacity:
            return "full"
        return None

    async def admit_join(self, room_id: str) -> None:
        """Admit a join into an existing room always; into a new room only when ready."""
        try:
            await self._rooms.roster(room_id)
        except UnknownRoom:
            self._admit_new_room()

    def _admit_new_room(self) -> None:
        reason = self.unready_reason()
        if reason == "draining":
            raise Draining("this media worker is shutting down and takes no new rooms")
        if reason == "full":
            raise AtCapacity("this media worker is full and takes no new rooms")


async def wait_until_empty(rooms: Rooms, *, deadline: float, poll: float = 0.5) -> bool:
    """Wait until no room is left or `deadline` seconds have passed; True if emptied."""
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + deadline
    while rooms.load() > 0:
        remaining = ends_at - loop.time()
        if remaining <= 0:
            return False
        await asyncio.sleep(min(poll, remaining))
    return True
