"""What a clinician does to a waiting room: Start (call them in), "running late", "seen".

Each action is scoped to the clinician's clinic (another clinic's consultation is 404) and
to a scheduled consultation (409 otherwise), loads the partition with one Query, makes
its change with one conditional write, then pushes and sends:

* Start: rings the waiting participants (all, or those named: `chalicelib.waiting_room.
  ringing`) in a mode (video or audio). `call_number` +1 under the condition that it still
  holds the value read (a second clinician's simultaneous Start gets 409, never a doubled
  call), the current call recorded (`call_mode`, `call_rung`, `call_started_at`),
  `started_at` set the first time (on the consultation and its assignments, for the
  estimates). The rung participants who asked to be texted (or all of them, when the
  clinician asks) each get one SMS/WhatsApp with a fresh link, claimed in the send ledger
  with the call number as the attempt: a retry sends nothing twice. Pushes
  `waiting_room.called` (mode, who is rung, the caller's name), stops the late notices,
  refreshes the day's estimates.
* Delay: the consultation's `delay` (number +1 under the number read), pushed as
  `waiting_room.delay`, one message per participant per delay (ledger attempt = number),
  estimates refreshed.
* Seen: the clinician opened the consultation: the late notices stop for this stretch.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.auth.principals import Principal
from chalicelib.clock import Clock
from chalicelib.consultations import queries
from chalicelib.consultations.reminder_timing import reminder_channel
from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import Conflict, NotFound
from chalicelib.messaging.courier import Courier, Outcome
from chalicelib.participants.link_delivery import LinkIssuer, send_with_link
from chalicelib.store.enums import ConsultationStatus, DeliveryStatus, Presence
from chalicelib.store.models import (
    Clinic,
    Clinician,
    ClinicianAssignment,
    Consultation,
    ConsultationItem,
    DelayNotice,
    Participant,
)
from chalicelib.waiting_room import frames, ringing
from chalicelib.waiting_room.broadcast import RoomBroadcast
from chalicelib.waiting_room.progress import DayProgress
from chalicelib.waiting_room.ringing import Ring


@dataclass(frozen=True)
class Called:
    call_number: int
    texted: list[str]
    rung: list[str]
    mode: str


class ClinicActions:
    def __init__(
        self,
        *,
        clock: Clock,
        courier: Courier,
        links: LinkIssuer,
        broadcast: RoomBroadcast,
        progress: DayProgress,
    ) -> None:
        self._clock = clock
        self._courier = courier
        self._links = links
        self._broadcast = broadcast
        self._progress = progress

    def start(self, principal: Principal, consultation_id: str, ring: Ring | None = None) -> Called:
        ring = ring or Ring()
        consultation, participants = self._scheduled(principal, consultation_id)
        called = ringing.rung(participants, ring)
        rung_ids = [p.participant_id for p in called]
        now, number = self._clock.now(), int(consultation.call_number or 0)
        started: list[Action] = [
            Consultation.call_mode.set(ring.mode.value),
            Consultation.call_rung.set(rung_ids),
            Consultation.call_started_at.set(now),
            ConsultationItem.due_at.remove(),  # Start ends the late notices
            ConsultationItem.due_day.remove(),
            Consultation.call_number.set(number + 1),
            Consultation.started_at.set(Consultation.started_at | now),
            Consultation.seen_at.set(now),
        ]
        with ConsultationTransaction(on_condition=_started_meanwhile) as transaction:
            transaction.update(
                consultation,
                actions=started,
                condition=(Consultation.status == ConsultationStatus.SCHEDULED)
                & (
                    (Consultation.call_number == number) | Consultation.call_number.does_not_exist()
                ),
            )
            for clinician_id in consultation.clinician_ids:
                transaction.update(
                    ClinicianAssignment(
                        consultation.pk, ClinicianAssignment.sort_key(clinician_id)
                    ),
                    actions=[
                        ClinicianAssignment.started_at.set(ClinicianAssignment.started_at | now)
                    ],
                    condition=ConsultationItem.pk.exists(),
                )
        consultation.call_number = number + 1
        consultation.started_at = consultation.started_at or now
        self._broadcast.to_room(
            consultation.clinic_id,
            consultation_id,
            frames.called_frame(
                consultation_id,
                number + 1,
                mode=ring.mode.value,
                participant_ids=rung_ids,
                caller=_display_name(principal.id),
            ),
        )
        texted = self._text_the_called(consultation, called, number + 1, everyone=ring.text)
        self._progress.refresh(consultation, now)
        return Called(call_number=number + 1, texted=texted, rung=rung_ids, mode=ring.mode.value)

    def announce_delay(
        self, principal: Principal, consultation_id: str, minutes: int, note: str | None
    ) -> DelayNotice:
        consultation, participants = self._scheduled(principal, consultation_id)
        now = self._clock.now()
        previous = int(consultation.delay.number) if consultation.delay is not None else 0
        delay = DelayNotice(  # type: ignore[no-untyped-call]
            minutes=minutes, text=note, announced_at=now, number=previous + 1
        )
        unchanged = (
            Consultation.delay.does_not_exist()
            if consultation.delay is None
            else Consultation.delay["number"] == previous
        )
        try:
            consultation.update(
                actions=[Consultation.delay.set(delay), Consultation.updated_at.set(now)],
                condition=(Consultation.status == ConsultationStatus.SCHEDULED) & unchanged,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("another delay was announced meanwhile; reload") from None
            raise
        self._broadcast.to_room(
            consultation.clinic_id, consultation_id, frames.delay_frame(consultation)
        )
        clinic = Clinic.get(consultation.clinic_id)
        for participant in participants:
            channel = reminder_channel(participant, clinic)
            if channel is None or participant.presence == Presence.IN_CALL:
                continue
            self._courier.send_delay(
                consultation,
                participant,
                channel,
                clinic=clinic,
                minutes=minutes,
                note=note,
                attempt=previous + 1,
            )
        self._progress.refresh(consultation, now)
        return consultation.delay or delay

    def seen(self, principal: Principal, consultation_id: str) -> None:
        """The clinician opened the consultation: no more late notices for this stretch."""
        consultation, _ = self._of_clinic(principal, consultation_id)
        consultation.update(
            actions=[
                ConsultationItem.due_at.remove(),
                ConsultationItem.due_day.remove(),
                Consultation.seen_at.set(self._clock.now()),
            ],
            condition=ConsultationItem.pk.exists(),
        )

    def _text_the_called(
        self,
        consultation: Consultation,
        participants: list[Participant],
        call_number: int,
        *,
        everyone: bool = False,
    ) -> list[str]:
        """One message with a fresh link to each waiting participant who asked for it (or,
        with `everyone`, to each of them: the clinician's "re-invite with an SMS")."""
        clinic = Clinic.get(consultation.clinic_id)
        texted: list[str] = []
        for participant in participants:
            wanted = everyone or participant.notify_when_called
            if not wanted or participant.presence != Presence.WAITING:
                continue
            channel = reminder_channel(participant, clinic)
            if channel is None:
                continue
            sent = send_with_link(
                self._courier,
                self._links,
                consultation,
                participant,
                channel,
                clinic=clinic,
                send=functools.partial(
                    self._send_called, consultation, participant, channel, clinic, call_number
                ),
            )
            if sent.message.status == DeliveryStatus.SENT:
                texted.append(participant.participant_id)
        return texted

    def _send_called(
        self,
        consultation: Consultation,
        participant: Participant,
        channel: str,
        clinic: Clinic,
        call_number: int,
        link: str,
    ) -> Outcome:
        return self._courier.send_called(
            consultation, participant, link, channel, clinic=clinic, attempt=call_number
        )

    def _of_clinic(
        self, principal: Principal, consultation_id: str
    ) -> tuple[Consultation, list[Participant]]:
        try:
            room = queries.load_waiting_room(consultation_id)
        except NotFound:
            raise NotFound("no such consultation") from None
        if room.consultation.clinic_id != principal.clinic_id:
            raise NotFound("no such consultation")
        return room.consultation, room.participants

    def _scheduled(
        self, principal: Principal, consultation_id: str
    ) -> tuple[Consultation, list[Participant]]:
        consultation, participants = self._of_clinic(principal, consultation_id)
        if consultation.status != ConsultationStatus.SCHEDULED:
            raise Conflict("the consultation is not scheduled")
        return consultation, participants


def _display_name(clinician_id: str) -> str:
    try:
        return str(Clinician.get(clinician_id).display_name)
    except Clinician.DoesNotExist:
        return ""


def _started_meanwhile() -> Conflict:
    return Conflict("the consultation was started or changed meanwhile; reload it")
