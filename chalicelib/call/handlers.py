"""The call's websocket messages (the media ones are `chalicelib.call.media_gate`'s).

    call.answer {call_number, answer}     → call.answered {call_number, answer}   (a participant)
    call.leave {consultation_id?}         → call.left {consultation_id}
    call.media {audio, video, paused, consultation_id?} → call.media.saved {audio, video, paused}
    call.state {consultation_id?}         → call.state {consultation_id, call_number, mode, members}

A clinician's connection belongs to the clinic, so a clinician names `consultation_id`.
Refusals are error frames: `call_over`, `not_called`, `not_in_call`, `not_a_member`,
`not_found`, `invalid_field`, `forbidden`.
"""

from __future__ import annotations

from chalicelib.call.answering import CallAnswers
from chalicelib.call.exits import CallExits
from chalicelib.call.media_state import MediaStates
from chalicelib.call.seats import PARTICIPANT, seat_of
from chalicelib.errors import Forbidden
from chalicelib.realtime.dispatch import MessageContext, MessageRouter, Reply
from chalicelib.realtime.protocol import InboundMessage


class CallHandlers:
    def __init__(self, *, answers: CallAnswers, exits: CallExits, media: MediaStates) -> None:
        self._answers = answers
        self._exits = exits
        self._media = media

    def register(self, router: MessageRouter) -> None:
        router.handles("call.answer")(self.answer)
        router.handles("call.leave")(self.leave)
        router.handles("call.media")(self.media)
        router.handles("call.state")(self.state)

    def answer(self, context: MessageContext, message: InboundMessage) -> Reply:
        connection = context.connection
        if connection.principal_kind != PARTICIPANT:
            raise Forbidden("only a rung participant answers a call")
        number, answer = self._answers.answer(
            connection.consultation_id,
            connection.principal_id,
            message.data.get("call_number"),
            message.data.get("answer"),
        )
        return message.reply("call.answered", call_number=number, answer=answer)

    def leave(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        self._exits.leave_call(context.connection.connection_id, seat)
        return message.reply("call.left", consultation_id=seat.consultation_id)

    def media(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        media = self._media.set(seat, message.data, context.connection.connection_id)
        return message.reply("call.media.saved", consultation_id=seat.consultation_id, **media)

    def state(self, context: MessageContext, message: InboundMessage) -> Reply:
        seat = seat_of(context.connection, message.data)
        return message.reply("call.state", **self._media.state(seat))
