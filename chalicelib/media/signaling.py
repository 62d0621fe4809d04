"""Media signaling over the websocket: the browser's side of a call and of the echo test.

The connection test's handlers check that the connection belongs to a consultation, find
the consultation's media worker (`MediaWorkerRegistry.assign`), and relay to the worker's
signed control API. The call's own messages (`media.config`, `media.join`, `media.ice`,
`media.leave`) are handled by `chalicelib.call.media_gate`, which checks who may send media
and relays through this class's `join_room`, `add_candidate` and `leave_room`.
When the worker does not answer a join or an echo start, they ask for another one and try
once more: a browser that lost its worker simply sends `media.join` again and lands on the
new one. The other messages only reach the consultation's current worker and never move
the consultation: leaving, or a late ICE candidate, must not reassign a room.

    media.echo.start {sdp} → media.echo {session_id, sdp}
    media.echo.stats {session_id} → media.echo.stats {stats}
    media.echo.stop {session_id}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.errors import Forbidden, InvalidField, MediaUnavailable, NotFound
from chalicelib.media.client import MediaClient
from chalicelib.media.turn import IceServerIssuer
from chalicelib.media.workers import MediaWorkerRegistry, WorkerEndpoint
from chalicelib.realtime.dispatch import MessageContext, MessageRouter, Reply
from chalicelib.realtime.protocol import InboundMessage

MAX_SDP_CHARS = 30_000
#: A candidate line is about 100-200 characters; 512 leaves room for a long ufrag (<= 256).
MAX_CANDIDATE_CHARS = 512
MAX_MID_CHARS = 32
MAX_MLINE_INDEX = 63
MAX_UFRAG_CHARS = 256

T = TypeVar("T")


class MediaSignaling:
    def __init__(
        self,
        *,
        workers: MediaWorkerRegistry,
        client: MediaClient,
        ice_servers: IceServerIssuer,
    ) -> None:
        self._workers = workers
        self._client = client
        self._ice_servers = ice_servers

    def register(self, router: MessageRouter) -> None:
        """The connection test's messages; the call's (`media.config`, `media.join`,
        `media.ice`, `media.leave`) are `chalicelib.call.media_gate`'s, which relays them
        through `ice_servers_for`, `join_room`, `add_candidate` and `leave_room`."""
        router.handles("media.echo.start")(self.echo_start)
        router.handles("media.echo.stats")(self.echo_stats)
        router.handles("media.echo.stop")(self.echo_stop)

    def ice_servers_for(self, member_id: str) -> list[dict[str, Any]]:
        return self._ice_servers.ice_servers(member_id)

    def join_room(self, room_id: str, member_id: str, sdp: str) -> dict[str, Any]:
        """Relay a join offer to the room's worker (moving the room once if it does not
        answer); returns `{"sdp", "roster"}`."""
        return self._with_worker(
            room_id, lambda worker: self._client.offer(worker, room_id, member_id, sdp)
        )

    def add_candidate(self, room_id: str, member_id: str, candidate: dict[str, Any]) -> None:
        worker = self._current_worker(room_id)
        self._client.add_ice_candidate(worker, room_id, member_id, candidate)

    def leave_room(self, room_id: str, member_id: str) -> list[dict[str, Any]] | None:
        """Take the member out of the room; the roster left (empty once the last one left:
        the worker then closes the room), or None when the room has no live worker (no call
        left to leave) or the worker no longer knows the member."""
        worker = self._workers.current(room_id)
        if worker is None:
            return None
        try:
            self._client.leave(worker, room_id, member_id)
        except NotFound:
            return None
        try:
            return self._client.roster(worker, room_id)
        except NotFound:
            return []  # that was the last member: the worker has closed the room

    def echo_start(self, context: MessageContext, message: InboundMessage) -> Reply:
        room_id = _room_of(context)
        sdp = text_field(message.data, "sdp", MAX_SDP_CHARS)
        session = self._with_worker(room_id, lambda worker: self._client.start_echo(worker, sdp))
        return message.reply("media.echo", session_id=session["session_id"], sdp=session["sdp"])

    def echo_stats(self, context: MessageContext, message: InboundMessage) -> Reply:
        worker = self._current_worker(_room_of(context))
        session_id = text_field(message.data, "session_id", 100)
        return message.reply("media.echo.stats", stats=self._client.echo_stats(worker, session_id))

    def echo_stop(self, context: MessageContext, message: InboundMessage) -> Reply:
        worker = self._current_worker(_room_of(context))
        self._client.stop_echo(worker, text_field(message.data, "session_id", 100))
        return message.reply("media.echo.stopped")

    def _with_worker(self, room_id: str, call: Callable[[WorkerEndpoint], T]) -> T:
        """Call the room's worker; if it does not answer, move the room and try once more."""
        worker = self._workers.assign(room_id)
        try:
            return call(worker)
        except MediaUnavailable:
            return call(self._workers.assign(room_id, instead_of=worker.worker_id))

    def _current_worker(self, room_id: str) -> WorkerEndpoint:
        worker = self._workers.current(room_id)
        if worker is None:
            raise NotFound("this consultation has no call on a media worker; join it first")
        return worker


def _room_of(context: MessageContext) -> str:
    consultation_id = context.connection.consultation_id
    if consultation_id is None:
        raise Forbidden("open a consultation before joining its call")
    return consultation_id


def candidate_init(value: object) -> dict[str, Any]:
    """The RTCIceCandidateInit fields the worker uses, each bounded; anything else is left out.

    How many candidates a connection may send, and which addresses are used, is the
    worker's policy (`media_worker/candidate_policy.py`): it refuses past 32 per connection.
    """
    if not isinstance(value, dict) or not isinstance(value.get("candidate"), str):
        raise InvalidField("candidate", "'candidate' must be an RTCIceCandidateInit object")
    if len(value["candidate"]) > MAX_CANDIDATE_CHARS:
        raise InvalidField("candidate", "the ICE candidate is too long")
    mid, index, ufrag = (value.get(k) for k in ("sdpMid", "sdpMLineIndex", "usernameFragment"))
    if mid is not None and not (isinstance(mid, str) and len(mid) <= MAX_MID_CHARS):
        raise InvalidField("candidate", f"sdpMid must be a string of at most {MAX_MID_CHARS}")
    if index is not None and not (type(index) is int and 0 <= index <= MAX_MLINE_INDEX):
        raise InvalidField("candidate", f"sdpMLineIndex must be 0 to {MAX_MLINE_INDEX}")
    if ufrag is not None and not (isinstance(ufrag, str) and len(ufrag) <= MAX_UFRAG_CHARS):
        raise InvalidField("candidate", "usernameFragment must be a short string")
    fields = {"candidate": value["candidate"], "sdpMid": mid, "sdpMLineIndex": index}
    if ufrag is not None:
        fields["usernameFragment"] = ufrag
    return {key: field for key, field in fields.items() if field is not None}


def text_field(data: dict[str, Any], field: str, max_chars: int) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(field, f"'{field}' must be a non-empty string")
    if len(value) > max_chars:
        raise InvalidField(field, f"'{field}' is longer than {max_chars} characters")
    return value
