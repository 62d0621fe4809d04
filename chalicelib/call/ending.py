"""A clinician ends the consultation for everyone.

`POST /api/consultations/{id}/end`: status `scheduled -> ended` with `ended_at`, in one
transaction with the assignments' copies of the status (the clinicians' days), conditional
on the consultation still being scheduled: ending twice, or two clinicians at once, ends
it once and the others get 409 `already_ended`. Then every participant `waiting|in_call ->
left` (each a conditional write, pushed), every member still in the call leaves the
worker's room and their visit stretch closes, and the consultation's participants and the
clinic's dashboards get `waiting_room.consultation {status: "ended"}` and `call.ended`.
The late notice and the consultation's own due work go with the status (the sweeps skip
anything not scheduled). Participants' sessions keep reading the waiting room (step
`ended`), their consent receipt and the chat (if the clinic's `chat_after_end`) for as long
as their links last.
"""

from __future__ import annotations

from chalicelib.auth.principals import Principal
from chalicelib.call import frames, visits
from chalicelib.call.seats import member_id
from chalicelib.clock import Clock
from chalicelib.consultations import queries
from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import Conflict, MediaUnavailable, NotFound
from chalicelib.media.signaling import MediaSignaling
from chalicelib.observability import logger
from chalicelib.store.enums import ConsultationStatus, Presence
from chalicelib.store.models import ClinicianAssignment, Consultation, ConsultationItem
from chalicelib.waiting_room import frames as room_frames
from chalicelib.waiting_room import presence
from chalicelib.waiting_room.broadcast import RoomBroadcast

STILL_HERE = frozenset({Presence.WAITING, Presence.IN_CALL})


class AlreadyEnded(Conflict):
    code = "already_ended"

    def __init__(self) -> None:
        super().__init__("the consultation has already ended")


class CallEnding:
    def __init__(
        self, *, clock: Clock, signaling: MediaSignaling, broadcast: RoomBroadcast
    ) -> None:
        self._clock = clock
        self._signaling = signaling
        self._broadcast = broadcast

    def end(self, principal: Principal, consultation_id: str) -> Consultation:
        try:
            room = queries.load_waiting_room(consultation_id)
        except NotFound:
            raise NotFound("no such consultation") from None
        consultation = room.consultation
        if consultation.clinic_id != principal.clinic_id:
            raise NotFound("no such consultation")
        if consultation.status == ConsultationStatus.ENDED:
            raise AlreadyEnded()
        if consultation.status != ConsultationStatus.SCHEDULED:
            raise Conflict("the consultation is not scheduled")
        now = self._clock.now()
        with ConsultationTransaction(on_condition=_ended_meanwhile) as transaction:
            transaction.update(
                consultation,
                actions=[
                    Consultation.status.set(ConsultationStatus.ENDED),
                    Consultation.ended_at.set(now),
                    Consultation.updated_at.set(now),
                    ConsultationItem.due_at.remove(),
                    ConsultationItem.due_day.remove(),
                ],
                condition=Consultation.status == ConsultationStatus.SCHEDULED,
            )
            for clinician_id in consultation.clinician_ids:
                transaction.update(
                    ClinicianAssignment(
                        consultation.pk, ClinicianAssignment.sort_key(clinician_id)
                    ),
                    actions=[ClinicianAssignment.status.set(ConsultationStatus.ENDED)],
                    condition=ConsultationItem.pk.exists(),
                )
        consultation.status = ConsultationStatus.ENDED
        consultation.ended_at = now
        for visit in visits.in_call_now(consultation_id):
            self._take_out(consultation_id, member_id(visit.member_kind, visit.member_id))
            visits.close_stretch(consultation_id, visit.member_kind, visit.member_id, now)
        moved = [
            participant
            for participant in room.participants
            if presence.move(participant, Presence.LEFT, now, only_from=STILL_HERE)
        ]
        self._broadcast.to_room(
            consultation.clinic_id,
            consultation_id,
            room_frames.consultation_frame(consultation_id, ConsultationStatus.ENDED.value),
            frames.ended_frame(consultation_id),
            *(room_frames.participant_frame(consultation_id, p) for p in moved),
        )
        return consultation

    def _take_out(self, consultation_id: str, member: str) -> None:
        """Out of the worker's room; a worker that does not answer takes the room with it
        (the pages also hang up on `call.ended`), so the end stands."""
        try:
            self._signaling.leave_room(consultation_id, member)
        except MediaUnavailable:
            logger.warning("a media worker did not answer at the end of a call")


def _ended_meanwhile() -> Conflict:
    return AlreadyEnded()
