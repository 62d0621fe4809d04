"""Rooms of up to four participants whose media the worker forwards to each other.

Renegotiation: none, ever. Each browser's offer carries its own audio and video (sending)
and pre-allocated receive-only audio+video pairs, "slots", one per other participant it can
see (up to `max_participants - 1`). The worker answers once; when people join or leave it
only attaches or detaches forwarded streams inside the existing slots, so "at most one
renegotiation per peer" holds with zero. The price is a few idle receive-only transceivers
(no packets flow on an empty slot), which is small next to a renegotiation round trip
through the signaling path on every join and leave.

Seats and slots: each participant holds a seat, 0 to `max_participants - 1`, kept across a
reconnect. A viewer in seat `v` shows the participant in seat `p` in slot
`(p - v - 1) mod max_participants` (`slot_showing`), so slots never shift when someone else
joins or leaves. `roster()` lists participant ids with their seat; the page derives
which of its slots shows whom with the same formula. A page offers `max_participants - 1`
slot pairs (more is a `BadOffer`; with fewer, the seats past its last slot are not shown).

A participant joining again replaces their peer connection (a reconnect) and keeps their
seat. Peer connections are registered per participant and closed on `failed`/`closed`, when
never connected within `connect_timeout`, on `leave()`, and all of them on `close()`. Echo
sessions for the device check are served by `echo.EchoSessions` through the same
forwarding path.

Trickled candidates are optional: the browser's connectivity checks reach the worker's
candidates from the answer and aioice learns the browser's address from them (peer
reflexive), so a candidate that arrives late, or for a peer already replaced, costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCIceServer

from media_worker.codecs import VideoCodec
from media_worker.echo import EchoSessions, EchoStats
from media_worker.errors import RoomFull, UnknownParticipant, UnknownRoom
from media_worker.peer import CONNECT_TIMEOUT, WorkerPeer
from media_worker.signaling import parse_candidate

logger = logging.getLogger(__name__)

MAX_PARTICIPANTS = 4


def slot_showing(viewer_seat: int, publisher_seat: int, max_participants: int) -> int:
    """The slot in which the viewer in `viewer_seat` shows the participant in `publisher_seat`."""
    return (publisher_seat - viewer_seat - 1) % max_participants


def seat_in_slot(viewer_seat: int, slot: int, max_participants: int) -> int:
    """The seat whose participant the viewer in `viewer_seat` sees in `slot`."""
    return (viewer_seat + 1 + slot) % max_participants


@dataclass
class Member:
    participant_id: str
    seat: int
    peer: WorkerPeer


@dataclass
class Room:
    room_id: str
    max_participants: int
    members: dict[str, Member] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0

    def free_seat(self) -> int:
        taken = {member.seat for member in self.members.values()}
        return min(set(range(self.max_participants)) - taken)

    def connect(self, member: Member) -> None:
        """Show `member` to everyone else and everyone else to `member`."""
        for other in self.members.values():
            if other is not member:
                self._show(viewer=other, publisher=member)
                self._show(viewer=member, publisher=other)

    def _show(self, *, viewer: Member, publisher: Member) -> None:
        slot = slot_showing(viewer.seat, publisher.seat, self.max_participants)
        for kind, track in viewer.peer.slot(slot).items():
            publication = publisher.peer.publications.get(kind)
            if publication is None:
                track.detach()
            else:
                track.attach(publication)


class RoomManager:
    """The interface the worker's control API calls for rooms and echo sessions."""

    def __init__(
        self,
        *,
        ice_servers: list[RTCIceServer],
        max_participants: int = MAX_PARTICIPANTS,
        video_codec: VideoCodec = VideoCodec.VP8,
        echo_max_seconds: float = 120.0,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self._ice_servers = list(ice_servers)
        self._max_participants = max_participants
        self._video_codec = video_codec
        self._connect_timeout = connect_timeout
        self._rooms: dict[str, Room] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._closing = False
        self._echo = EchoSessions(
            ice_servers=self._ice_servers, video_codec=video_codec, max_seconds=echo_max_seconds
        )

    async def join(self, room_id: str, participant_id: str, offer_sdp: str) -> str:
        """Answer a participant's offer; a second join replaces their peer connection."""
        room = self._rooms.setdefault(room_id, Room(room_id, self._max_participants))
        room.pending += 1
        try:
            async with room.lock:
                return await self._join_locked(room, participant_id, offer_sdp)
        finally:
            room.pending -= 1
            self._forget_if_empty(room)

    async def add_ice_candidate(
        self, room_id: str, participant_id: str, candidate: dict[str, Any]
    ) -> None:
        parsed = parse_candidate(candidate)
        room = self._room(room_id)
        async with room.lock:  # a candidate sent right after the offer waits for its answer
            member = room.members.get(participant_id)
            if member is None:
                raise UnknownParticipant("no such participant in this room")
            await member.peer.add_ice_candidate(parsed)

    async def leave(self, room_id: str, participant_id: str) -> None:
        room = self._room(room_id)
        async with room.lock:
            member = room.members.pop(participant_id, None)
            if member is None:
                raise UnknownParticipant("no such participant in this room")
            await member.peer.close()
        self._forget_if_empty(room)
        logger.info(
            "participant left",
            extra={"room_id": room_id, "participant_id": participant_id, "seat": member.seat},
        )

    async def roster(self, room_id: str) -> list[dict[str, Any]]:
        room = self._room(room_id)
        members = sorted(room.members.values(), key=lambda m: m.seat)
        return [{"participant_id": m.participant_id, "seat": m.seat} for m in members]

    async def start_echo(self, offer_sdp: str) -> tuple[str, str]:
        return await self._echo.start(offer_sdp)

    async def echo_stats(self, session_id: str) -> EchoStats:
        return await self._echo.stats(session_id)

    async def stop_echo(self, session_id: str) -> None:
        await self._echo.stop(session_id)

    def load(self) -> int:
        """Participants plus echo sessions."""
        return sum(len(room.members) for room in self._rooms.values()) + len(self._echo)

    async def close(self) -> None:
        """Close every peer connection (rooms and echo sessions)."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for room in list(self._rooms.values()):
            for member in list(room.members.values()):
                await member.peer.close()
            room.members.clear()
        self._rooms.clear()
        await self._echo.close()
        logger.info("room manager closed")

    def peers(self) -> list[WorkerPeer]:
        """Every live worker peer (for health checks and tests)."""
        rooms = [m.peer for room in self._rooms.values() for m in room.members.values()]
        return rooms + self._echo.peers()

    async def _join_locked(self, room: Room, participant_id: str, offer_sdp: str) -> str:
        previous = room.members.get(participant_id)
        if previous is None and len(room.members) >= self._max_participants:
            raise RoomFull(f"the room already has {self._max_participants} participants")
        peer, answer = await WorkerPeer.answer(
            offer_sdp,
            ice_servers=self._ice_servers,
            video_codec=self._video_codec,
            max_slots=self._max_participants - 1,
            on_ended=lambda ended: self._spawn(self._peer_ended(room, participant_id, ended)),
            connect_timeout=self._connect_timeout,
        )
        seat = room.free_seat() if previous is None else previous.seat
        member = Member(participant_id, seat, peer)
        room.members[participant_id] = member
        if previous is not None:
            await previous.peer.close()
        room.connect(member)
        logger.info(
            "participant joined",
            extra={
                "room_id": room.room_id,
                "participant_id": participant_id,
                "seat": seat,
                "reconnect": previous is not None,
            },
        )
        return answer

    async def _peer_ended(self, room: Room, participant_id: str, peer: WorkerPeer) -> None:
        async with room.lock:
            member = room.members.get(participant_id)
            if member is None or member.peer is not peer:
                return
            del room.members[participant_id]
            await peer.close()
        self._forget_if_empty(room)
        logger.info(
            "peer connection ended",
            extra={"room_id": room.room_id, "participant_id": participant_id},
        )

    def _room(self, room_id: str) -> Room:
        room = self._rooms.get(room_id)
        if room is None:
            raise UnknownRoom("no such room on this worker")
        return room

    def _forget_if_empty(self, room: Room) -> None:
        if not room.members and not room.pending and self._rooms.get(room.room_id) is room:
            del self._rooms[room.room_id]

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        if self._closing:
            coroutine.close()
            return
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
