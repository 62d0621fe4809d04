"""The call's media messages, behind the media gate: no media before the patient accepts.

    media.config {consultation_id?} → media.config {room_id, participant_id, member_id, ice_servers}
    media.join {sdp, consultation_id?} → media.answer {sdp, roster}; the others get media.roster
    media.ice {candidate, consultation_id?} → media.ice.added
    media.leave {consultation_id?} → media.left; the others get media.roster

Participants and the consultation's clinicians (who name `consultation_id`) are members
(`chalicelib.call.seats`). `media.join` and `media.ice` pass the gate only for a member who
may send media now (`seats.require_in_call`: `not_in_call`, `call_over`). A call holds at
most 4 members: a join that would be the 5th is `call_full`, counted from the visit record's
open stretches (one Query) before asking the worker, and the worker's own `room_full` (two
joins racing for the last seat) is `call_full` too. A successful join opens the member's
visit stretch and marks the connection as in the call (its `$disconnect` is then a drop).
A participant whose connection dropped in the current call rejoins it (a reloaded page)
with `media.join`, which moves them back `waiting -> in_call` without a new ring.
`media.config` needs membership only: the device check's connection test uses it too.
"""

from __future__ import annotations

from chalicelib.call import frames, visits
from chalicelib.call.audience import CallAudience
from chalicelib.call.exits import CallExits
from chalicelib.call.refusals import MAX_CALL_MEMBERS, CallFull
from chalicelib.call.seats import require_in_call, seat_of
from chalicelib.clock import Clock
from chalicelib.errors import Conflict
from chalicelib.media.signaling import MAX_SDP_CHARS, MediaSignaling, candidate_init, text_field
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.dispatch import MessageContext, MessageRouter, Reply
from chalicelib.realtime.protocol import InboundMessage


class MediaGate:
    def __init__(
        self,
        *,
        clock: Clock,
        signaling: MediaSignaling,
        audience: CallAudience,
        registry: ConnectionRegistry,
        exits: CallExits,
    ) -> None:
        self._clock = clock
        self._signaling = signaling
        self._audience = audience
        self._registry = registry
        self._exits = exits

    def register(self, router: MessageRouter) -> None:
        router.handles("media.config")(self.config)
        router.handles("media.join")(self.join)
        router.handles("media.ice")(self.ice)
        router.handles("media.leave")(self.leave)

    def config(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        return message.reply(
            "media.config",
            room_id=seat.consultation_id,
            participant_id=seat.member_id,
            member_id=seat.member_id,
            ice_servers=self._signaling.ice_servers_for(seat.member_id),
        )

    def join(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        back_after_a_drop = require_in_call(seat)
        sdp = text_field(message.data, "sdp", MAX_SDP_CHARS)
        present = visits.in_call_now(seat.consultation_id)
        rejoining = any(v.member_kind == seat.kind and v.member_id == seat.id for v in present)
        if not rejoining and len(present) >= MAX_CALL_MEMBERS:
            raise CallFull(seat.language)
        if back_after_a_drop:
            self._exits.rejoin_after_drop(seat)
        try:
            answer = self._signaling.join_room(seat.consultation_id, seat.member_id, sdp)
        except Conflict:  # the worker's room_full: another join took the last seat
            raise CallFull(seat.language) from None
        connection_id = context.connection.connection_id
        visits.open_stretch(seat.consultation, seat.kind, seat.id, self._clock.now(), connection_id)
        self._registry.mark_in_call(connection_id, seat.consultation_id)
        self._audience.to_members(
            seat.consultation,
            frames.roster_frame(seat.consultation_id, answer["roster"]),
            excluding=connection_id,
        )
        return message.reply("media.answer", sdp=answer["sdp"], roster=answer["roster"])

    def ice(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        require_in_call(seat)
        candidate = candidate_init(message.data.get("candidate"))
        self._signaling.add_candidate(seat.consultation_id, seat.member_id, candidate)
        return message.reply("media.ice.added")

    def leave(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        self._exits.leave_media(context.connection.connection_id, seat)
        return message.reply("media.left")
