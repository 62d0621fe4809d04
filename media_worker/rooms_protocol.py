"""What the control API, the drain and the registration need from the rooms.

`media_worker.rooms.RoomManager` implements it with aiortc; the tests use an in-memory
fake (`tests/media_worker/fake_rooms.py`). Both raise `media_worker.errors` on purpose.
"""

from __future__ import annotations

from typing import Any, Protocol


class Rooms(Protocol):
    async def join(self, room_id: str, participant_id: str, offer_sdp: str) -> str:
        """Add (or replace, on a reconnect) a participant; return the SDP answer."""
        ...

    async def add_ice_candidate(
        self, room_id: str, participant_id: str, candidate: dict[str, Any]
    ) -> None: ...

    async def leave(self, room_id: str, participant_id: str) -> None: ...

    async def roster(self, room_id: str) -> list[dict[str, Any]]:
        """The room's participants; raises `UnknownRoom` when there is no such room."""
        ...

    async def start_echo(self, offer_sdp: str) -> tuple[str, str]:
        """Start a connection test's loop-back; return (session id, SDP answer)."""
        ...

    async def echo_stats(self, session_id: str) -> dict[str, Any]: ...

    async def stop_echo(self, session_id: str) -> None: ...

    def load(self) -> int:
        """Participants plus connection tests: what `VESTIBULE_MEDIA_CAPACITY` bounds."""
        ...

    async def close(self) -> None: ...
