"""An in-memory stand-in for `media_worker.rooms.RoomManager`: the same interface, no media.

An offer is any text starting with `v=0`; the answer names the participant. A room exists
from its first join until its last participant leaves. `load()` counts participants and
connection tests, as the real one does.
"""

from __future__ import annotations

from typing import Any

from media_worker.errors import (
    BadOffer,
    RoomFull,
    UnknownEchoSession,
    UnknownParticipant,
    UnknownRoom,
)


class FakeRooms:
    def __init__(self, *, max_participants: int = 4) -> None:
        self.max_participants = max_participants
        self.rooms: dict[str, dict[str, str]] = {}
        self.candidates: list[tuple[str, str, dict[str, Any]]] = []
        self.echo_sessions: dict[str, str] = {}
        self.closed = False

    async def join(self, room_id: str, participant_id: str, offer_sdp: str) -> str:
        if not offer_sdp.startswith("v=0"):
            raise BadOffer("the offer is not an SDP session description")
        room = self.rooms.get(room_id, {})
        if participant_id not in room and len(room) >= self.max_participants:
            raise RoomFull(f"the room already has {self.max_participants} participants")
        room[participant_id] = offer_sdp
        self.rooms[room_id] = room
        return f"v=0 answer for {participant_id}"

    async def add_ice_candidate(
        self, room_id: str, participant_id: str, candidate: dict[str, Any]
    ) -> None:
        self._participants(room_id, participant_id)
        self.candidates.append((room_id, participant_id, candidate))

    async def leave(self, room_id: str, participant_id: str) -> None:
        room = self._participants(room_id, participant_id)
        del room[participant_id]
        if not room:
            del self.rooms[room_id]

    async def roster(self, room_id: str) -> list[dict[str, Any]]:
        if room_id not in self.rooms:
            raise UnknownRoom("no such room")
        return [{"participant_id": p} for p in self.rooms[room_id]]

    async def start_echo(self, offer_sdp: str) -> tuple[str, str]:
        if not offer_sdp.startswith("v=0"):
            raise BadOffer("the offer is not an SDP session description")
        session_id = f"echo-{len(self.echo_sessions) + 1}"
        self.echo_sessions[session_id] = offer_sdp
        return session_id, "v=0 echo answer"

    async def echo_stats(self, session_id: str) -> dict[str, Any]:
        if session_id not in self.echo_sessions:
            raise UnknownEchoSession("no such connection test")
        return {"round_trip_ms": 12.5, "jitter_ms": 1.0, "loss": 0.0, "bitrate_kbps": 800}

    async def stop_echo(self, session_id: str) -> None:
        if self.echo_sessions.pop(session_id, None) is None:
            raise UnknownEchoSession("no such connection test")

    def load(self) -> int:
        return sum(len(room) for room in self.rooms.values()) + len(self.echo_sessions)

    async def close(self) -> None:
        self.rooms.clear()
        self.echo_sessions.clear()
        self.closed = True

    def _participants(self, room_id: str, participant_id: str) -> dict[str, str]:
        if room_id not in self.rooms:
            raise UnknownRoom("no such room")
        if participant_id not in self.rooms[room_id]:
            raise UnknownParticipant("no such participant in the room")
        return self.rooms[room_id]
