"""Leaving the call: on purpose (`media.leave`, `call.leave`), by a drop, or at the end.

Taking a member out is the same bookkeeping each time: the member leaves the worker's room
(`MediaSignaling.leave_room`), their visit's open stretch closes
(`chalicelib.call.visits.close_stretch`), the connection is no longer marked as in the call,
and the others get the new `media.roster`. Then, for a participant:

* `call.leave`: presence `in_call -> left` (they may come back: `left -> waiting`, and be
  rung again by a new Start);
* a `$disconnect` of a connection in the call (a drop): `in_call -> waiting`, so the
  clinician sees them waiting and can ring again, and `call_dropped` = the call's number:
  the participant may rejoin that call (a reloaded page) without a new ring
  (`rejoin_after_drop`). The `$disconnect` of an older connection, after the member
  rejoined through a newer one, changes nothing;
* `media.leave`: presence stays `in_call` (the page may join again, e.g. after a network
  change).
"""

from __future__ import annotations

from pynamodb.expressions.update import Action

from chalicelib.call import frames, visits
from chalicelib.call.audience import CallAudience
from chalicelib.call.refusals import NotInCall
from chalicelib.call.seats import PARTICIPANT, Seat, seat_of
from chalicelib.clock import Clock
from chalicelib.errors import ClientError
from chalicelib.media.signaling import MediaSignaling
from chalicelib.observability import logger
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.store.enums import Presence
from chalicelib.store.models import Connection, Participant
from chalicelib.waiting_room import presence
from chalicelib.waiting_room.broadcast import RoomBroadcast

IN_CALL = frozenset({Presence.IN_CALL})


class CallExits:
    def __init__(
        self,
        *,
        clock: Clock,
        signaling: MediaSignaling,
        audience: CallAudience,
        broadcast: RoomBroadcast,
        registry: ConnectionRegistry,
    ) -> None:
        self._clock = clock
        self._signaling = signaling
        self._audience = audience
        self._broadcast = broadcast
        self._registry = registry

    def leave_media(self, connection_id: str | None, seat: Seat) -> None:
        """Out of the worker's room and the visit's open stretch; the others told."""
        roster = self._signaling.leave_room(seat.consultation_id, seat.member_id)
        visits.close_stretch(seat.consultation_id, seat.kind, seat.id, self._clock.now())
        if connection_id is not None:
            self._registry.mark_in_call(connection_id, None)
        if roster is not None:
            self._audience.to_members(
                seat.consultation,
                frames.roster_frame(seat.consultation_id, roster),
                excluding=connection_id,
            )

    def leave_call(self, connection_id: str, seat: Seat) -> None:
        """`call.leave`: out of the room, and a participant `in_call -> left`."""
        self.leave_media(connection_id, seat)
        self._move_participant(seat, Presence.LEFT)

    def dropped(self, connection: Connection) -> None:
        """A connection in the call closed: the same, but a participant goes back to
        `waiting` (the allowed "call dropped" move). Never raises: a refusal only means
        there is nothing left to undo (the consultation ended or is gone)."""
        if connection.call_id is None:
            return
        try:
            seat = seat_of(connection, {"consultation_id": connection.call_id})
            through = visits.holder(seat.consultation_id, seat.kind, seat.id)
            if through is not None and through != connection.connection_id:
                return  # the member is back in through a newer connection
            self.leave_media(None, seat)
            number = int(seat.consultation.call_number or 0)
            self._move_participant(seat, Presence.WAITING, [Participant.call_dropped.set(number)])
        except ClientError as error:
            logger.info("dropped call had nothing to undo", extra={"error_code": error.code})

    def rejoin_after_drop(self, seat: Seat) -> None:
        """A participant dropped from the current call joins it again: `waiting -> in_call`
        (one conditional write), no new ring needed; `not_in_call` if meanwhile they were
        rung again or moved on."""
        participant = seat.participant
        if participant is None:
            raise NotInCall(seat.language)
        number = int(seat.consultation.call_number or 0)
        moved = presence.move(
            participant,
            Presence.IN_CALL,
            self._clock.now(),
            extra=[Participant.call_dropped.remove()],
            condition=Participant.call_dropped == number,
        )
        if moved:
            self._broadcast.participant_state(seat.consultation, participant)
            return
        current = Participant.get(participant.pk, participant.sk, consistent_read=True)
        if current.presence != Presence.IN_CALL:  # another request may have moved them in
            raise NotInCall(seat.language)

    def _move_participant(
        self, seat: Seat, to: Presence, extra: list[Action] | None = None
    ) -> None:
        participant = seat.participant
        if seat.kind != PARTICIPANT or participant is None:
            return
        if presence.move(participant, to, self._clock.now(), extra=extra, only_from=IN_CALL):
            self._broadcast.participant_state(seat.consultation, participant)
