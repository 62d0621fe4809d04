"""A consultation call for functional tests: participants brought to the waiting room,
a guest added through the API, the websocket messages of a call sent through the app's
router, and a fake media worker that answers like the real one (up to 4 a room).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib import wiring
from chalicelib.auth.principals import Principal
from chalicelib.errors import Conflict, MediaUnavailable, NotFound, VestibuleError
from chalicelib.media.client import MediaClient
from chalicelib.media.workers import WorkerEndpoint
from chalicelib.realtime.dispatch import MessageContext
from chalicelib.realtime.protocol import InboundMessage
from chalicelib.store.models import Connection, Participant
from tests.support.waiting_room import JSON, Patient, World, consultation

OFFER = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"


class FakeMediaClient(MediaClient):
    """Answers like a worker: rooms of up to 4 (409 `room_full` as a `Conflict` past that);
    workers in `unreachable` raise as a silent worker would."""

    def __init__(self) -> None:
        super().__init__(secret="x" * 32)
        self.unreachable: set[str] = set()
        self.rooms: dict[tuple[str, str], list[str]] = {}
        self.candidates: list[tuple[str, str, dict[str, Any]]] = []
        self.left: list[tuple[str, str]] = []

    def _room(self, worker: WorkerEndpoint, room_id: str) -> list[str]:
        if worker.worker_id in self.unreachable:
            raise MediaUnavailable("the media worker did not answer")
        return self.rooms.setdefault((worker.worker_id, room_id), [])

    def offer(
        self, worker: WorkerEndpoint, room_id: str, participant_id: str, sdp: str
    ) -> dict[str, Any]:
        members = self._room(worker, room_id)
        if participant_id not in members:
            if len(members) >= 4:
                raise Conflict("the room is full")
            members.append(participant_id)
        return {"sdp": f"answer from {worker.worker_id}", "roster": self.roster(worker, room_id)}

    def roster(self, worker: WorkerEndpoint, room_id: str) -> list[dict[str, Any]]:
        if worker.worker_id in self.unreachable:
            raise MediaUnavailable("the media worker did not answer")
        if (worker.worker_id, room_id) not in self.rooms:
            raise NotFound("unknown_room")  # as the worker: its last member left, it is gone
        members = self.rooms[(worker.worker_id, room_id)]
        return [{"participant_id": p, "seat": seat} for seat, p in enumerate(members)]

    def leave(self, worker: WorkerEndpoint, room_id: str, participant_id: str) -> None:
        members = self._room(worker, room_id)
        if participant_id not in members:
            raise NotFound("no such participant in this room")
        members.remove(participant_id)
        if not members:
            del self.rooms[(worker.worker_id, room_id)]  # the worker closes an empty room
        self.left.append((room_id, participant_id))

    def add_ice_candidate(
        self, worker: WorkerEndpoint, room_id: str, participant_id: str, candidate: dict[str, Any]
    ) -> None:
        self._room(worker, room_id)
        self.candidates.append((room_id, participant_id, candidate))

    def start_echo(self, worker: WorkerEndpoint, sdp: str) -> dict[str, Any]:
        return {"session_id": f"echo-on-{worker.worker_id}", "sdp": "echo answer"}

    def members(self, room_id: str) -> list[str]:
        return [m for (_, room), members in self.rooms.items() if room == room_id for m in members]


def say(connection_id: str, type_: str, **data: Any) -> dict[str, Any]:
    """Send one websocket message as the connection's holder; the reply frame, or the error
    frame the app would send (never an exception)."""
    from chalicelib.routes.error_responses import error_frame

    connection = Connection.get(connection_id)
    message = InboundMessage(type=type_, id="1", data=data)
    try:
        reply = wiring.services().router.dispatch(MessageContext(connection=connection), message)
    except VestibuleError as error:  # what the app's middleware sends back
        return error_frame(error, "1")
    assert reply is not None
    return reply


@dataclass
class Member:
    """Someone in a consultation with a live connection: a participant or a clinician."""

    connection_id: str
    kind: str
    id: str


def guest_of(world: World, consultation_id: str, connection_id: str) -> Patient:
    """A guest added by the clinician, with a session from a real link and a connection."""
    added = world.clinician("c1").send(
        "POST",
        f"/api/consultations/{consultation_id}/participants",
        {
            "display_name": "Guest",
            "email": "guest@example.org",
            "channels": ["email"],
            "role": "family",
        },
    )
    assert added.status_code == 201, added.body
    participant_id = json.loads(added.body)["participant_id"]
    item = consultation(consultation_id)
    guest = Participant.get(item.pk, Participant.sort_key(participant_id))
    link = wiring.services().participant_links.issue_link(item, guest)
    response = world.client.http.post(
        "/api/participant-sessions",
        headers=JSON,
        body=json.dumps({"token": link.rpartition("#")[2]}),
    )
    assert response.status_code == 201, response.body
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    world.connect_participant(connection_id, item.clinic_id, consultation_id, guest)
    return Patient(world.client, consultation_id, participant_id, cookie, connection_id)


def clinician_connection(
    world: World, connection_id: str, clinician_id: str, clinic_id: str
) -> str:
    wiring.services().connections.record(
        connection_id, Principal.of_clinician(clinician_id, clinic_id)
    )
    return connection_id
