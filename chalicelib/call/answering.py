"""A rung participant answers the call: with camera and microphone, microphone only, or no.

    call.answer {call_number, answer: "video"|"audio"|"decline"}
        -> call.answered {call_number, answer}

The call must be the consultation's current one (`call_number`) and the consultation
scheduled, else `call_over`; the participant must have been rung by it (`call_rung`), else
`not_called`. Accepting moves presence `waiting -> in_call` with one conditional write
that also records the answer (`call_answer`, `call_answer_number`, `call_answered_at`), so
answering twice, or on two devices at once, moves once and tells the clinicians once; the
later answers get the answer that counted. Declining records the answer under the
condition that the participant is still waiting and has not answered this call yet, and
keeps them waiting. The consultation's clinicians get `call.answer`; an accepted call also
pushes the participant's new state (`waiting_room.participant`) as every move does.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.call import frames
from chalicelib.call.audience import CallAudience
from chalicelib.call.refusals import CallOver, NotCalled
from chalicelib.clock import Clock
from chalicelib.consultations import queries
from chalicelib.errors import Forbidden, InvalidField, NotFound
from chalicelib.store.enums import CallAnswer, ConsultationStatus, Presence
from chalicelib.store.models import ConsultationItem, Participant
from chalicelib.waiting_room import presence
from chalicelib.waiting_room.broadcast import RoomBroadcast

MAX_CALL_NUMBER = 1_000_000


class CallAnswers:
    def __init__(self, *, clock: Clock, broadcast: RoomBroadcast, audience: CallAudience) -> None:
        self._clock = clock
        self._broadcast = broadcast
        self._audience = audience

    def answer(
        self, consultation_id: str | None, participant_id: str, call_number: object, answer: object
    ) -> tuple[int, str]:
        """Record the answer; returns (call number, the answer that counts)."""
        number, given = _call_number(call_number), _answer(answer)
        if consultation_id is None:
            raise Forbidden("only a participant of a consultation answers its call")
        room = queries.load_waiting_room(consultation_id)
        consultation = room.consultation
        participant = next(
            (p for p in room.participants if p.participant_id == participant_id), None
        )
        if participant is None:
            raise NotFound("no such participant")
        language = participant.language
        if consultation.status != ConsultationStatus.SCHEDULED or number != int(
            consultation.call_number or 0
        ):
            raise CallOver(language)
        if participant_id not in consultation.call_rung:
            raise NotCalled(language)
        now = self._clock.now()
        record: list[Action] = [
            Participant.call_answer.set(given.value),
            Participant.call_answer_number.set(number),
            Participant.call_answered_at.set(now),
        ]
        if given == CallAnswer.DECLINE:
            recorded = _decline(participant, number, record)
        else:
            recorded = presence.move(participant, Presence.IN_CALL, now, extra=record)
        if not recorded:
            return number, _already_answered(participant, number)
        if given != CallAnswer.DECLINE:
            self._broadcast.participant_state(consultation, participant)
        self._audience.to_clinicians(
            consultation, frames.answer_frame(consultation_id, number, participant_id, given)
        )
        return number, given.value


def _decline(participant: Participant, number: int, record: list[Action]) -> bool:
    try:
        participant.update(
            actions=record,
            condition=ConsultationItem.sk.exists()
            & (Participant.presence == Presence.WAITING)
            & (
                Participant.call_answer_number.does_not_exist()
                | (Participant.call_answer_number != number)
            ),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _already_answered(participant: Participant, number: int) -> str:
    """The answer another request recorded for this call; `call_over` if there is none
    (the participant left, or the call moved on meanwhile)."""
    try:
        current = Participant.get(participant.pk, participant.sk, consistent_read=True)
    except Participant.DoesNotExist:
        raise NotFound("no such participant") from None
    if int(current.call_answer_number or 0) == number and current.call_answer:
        return str(current.call_answer)
    raise CallOver(current.language)


def _call_number(value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_CALL_NUMBER:
        raise InvalidField("call_number", "'call_number' must be the call's number (an integer)")
    return value


def _answer(value: object) -> CallAnswer:
    try:
        return CallAnswer(value) if isinstance(value, str) else CallAnswer("")
    except ValueError:
        raise InvalidField("answer", "'answer' must be 'video', 'audio' or 'decline'") from None
