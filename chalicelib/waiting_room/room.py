"""The participant's side of the waiting room: what the page shows, and the moves they make.

Every request resolves the participant's session (one GetItem of the session's hash), then
loads the consultation's partition with ONE Query (`queries.load_waiting_room`) and the
clinic with one GetItem; the clinicians' names come in one BatchGetItem. Entering the
waiting room also reads the clinician's day (one Query) for the wait estimate, stored in
the same write. Each move is one conditional write (`chalicelib.waiting_room.presence`)
followed by one push of the participant's state (`RoomBroadcast.participant_state`). A
cancelled consultation ends the session (401, as on every participant route); an ended one
(past its links' end, while a session still lasts) refuses moves with 410.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.auth.principals import Principal
from chalicelib.clock import Clock
from chalicelib.consultations import queries
from chalicelib.errors import NotFound, Unauthorized
from chalicelib.store.enums import PHONE_CHANNELS, ConsultationStatus, Presence
from chalicelib.store.models import (
    ChatMessage,
    Clinic,
    Clinician,
    Consultation,
    ConsultationItem,
    DeviceCheck,
    Participant,
)
from chalicelib.waiting_room import frames, joining, presence, refusals
from chalicelib.waiting_room.broadcast import RoomBroadcast
from chalicelib.waiting_room.estimate import Estimate, estimate_of
from chalicelib.waiting_room.progress import DayProgress


@dataclass(frozen=True)
class Room:
    """One participant's view of their consultation."""

    clinic: Clinic
    consultation: Consultation
    participant: Participant
    now: datetime
    #: The latest chat messages, oldest first, from the same Query (at most 50).
    recent_chat: tuple[ChatMessage, ...] = ()

    @property
    def status(self) -> joining.RoomStatus:
        return joining.room_status(self.consultation, self.clinic, self.now)


@dataclass(frozen=True)
class RoomView:
    room: Room
    clinician_names: list[str]
    estimate: Estimate | None
    step: joining.Step


@dataclass(frozen=True, kw_only=True)
class DeviceResult:
    camera: str
    microphone: str
    speaker: str
    connection: str
    rtt_ms: float | None
    jitter_ms: float | None
    loss_percent: float | None
    bitrate_kbps: float | None
    join_with: str


class WaitingRoom:
    def __init__(self, *, clock: Clock, broadcast: RoomBroadcast, progress: DayProgress) -> None:
        self._clock = clock
        self._broadcast = broadcast
        self._progress = progress

    def load(self, principal: Principal) -> Room:
        """The participant's consultation (one Query) and clinic (one GetItem)."""
        if principal.kind != "participant" or principal.consultation_id is None:
            raise Unauthorized("the session does not belong to a participant")
        try:
            snapshot = queries.load_waiting_room(principal.consultation_id)
        except NotFound:
            raise Unauthorized("the session's consultation no longer exists") from None
        consultation = snapshot.consultation
        participant = next(
            (p for p in snapshot.participants if p.participant_id == principal.id), None
        )
        if participant is None or consultation.clinic_id != principal.clinic_id:
            raise Unauthorized("the session's consultation or participant no longer exists")
        if consultation.status == ConsultationStatus.CANCELLED:
            # As everywhere (`participants.standing`): the session ends with the
            # consultation; the page hears it live (`waiting_room.consultation`) and,
            # opening the link again, gets the localized "cancelled" refusal.
            raise Unauthorized("the consultation has been cancelled")
        try:
            clinic = Clinic.get(consultation.clinic_id)
        except Clinic.DoesNotExist:
            raise Unauthorized("the session's clinic no longer exists") from None
        return Room(
            clinic, consultation, participant, self._clock.now(), tuple(snapshot.recent_chat)
        )

    def view(self, principal: Principal) -> RoomView:
        room = self.load(principal)
        consultation = room.consultation
        names = clinician_names(list(consultation.clinician_ids))
        scheduled = room.status == "scheduled"
        return RoomView(
            room=room,
            clinician_names=names,
            estimate=estimate_of(consultation, room.now) if scheduled else None,
            step=joining.step(consultation, room.participant, room.clinic, room.now),
        )

    def link_opened(self, principal: Principal) -> None:
        """The link was exchanged for a session: `invited -> link_opened`, pushed; any other
        state stays (one conditional UpdateItem, no read)."""
        if principal.consultation_id is None:
            return
        participant = Participant(
            ConsultationItem.partition(principal.consultation_id),
            Participant.sort_key(principal.id),
        )
        now = self._clock.now()
        if presence.move(participant, Presence.LINK_OPENED, now):
            self._broadcast.to_room(
                principal.clinic_id,
                principal.consultation_id,
                frames.participant_frame(principal.consultation_id, participant),
            )

    def record_device_check(self, room: Room, result: DeviceResult) -> Participant:
        """Store the check's result; `terms_accepted -> device_checked`, never backwards.

        Allowed before the joining window (the check runs any time), refused (410) once the
        consultation is over.
        """
        _require_open(room)
        now = room.now
        check = DeviceCheck(  # type: ignore[no-untyped-call]
            camera=result.camera,
            microphone=result.microphone,
            speaker=result.speaker,
            connection=result.connection,
            rtt_ms=result.rtt_ms,
            jitter_ms=result.jitter_ms,
            loss_percent=result.loss_percent,
            bitrate_kbps=result.bitrate_kbps,
            checked_at=now,
        )
        fields: list[Action] = [
            Participant.device_check.set(check),
            Participant.join_with.set(result.join_with),
        ]
        participant = room.participant
        if not presence.move(
            participant, Presence.DEVICE_CHECKED, now, room.consultation, extra=fields
        ):
            _update(participant, fields)
        self._broadcast.participant_state(room.consultation, participant)
        return participant

    def enter(self, principal: Principal) -> Participant:
        """Into the waiting room: terms accepted, window open; idempotent when waiting."""
        room = self.load(principal)
        _require_open(room)
        participant, clinic, consultation = room.participant, room.clinic, room.consultation
        language = participant.language
        if not joining.terms_accepted(participant, clinic):
            raise refusals.terms_required(language)
        if not joining.joining_open(consultation, clinic, room.now):
            raise refusals.not_open_yet(
                language, joining.join_opens_at(consultation, clinic), consultation.time_zone
            )
        if participant.presence == Presence.WAITING:
            return participant
        expected = self._progress.expected_for(consultation, room.now)
        estimate: list[Action] = [
            Consultation.expected_start_at.set(expected),
            Consultation.estimate_revision.set(int(consultation.revision or 0)),
        ]
        if not presence.move_into_waiting(participant, consultation, room.now, estimate):
            current = self.load(principal)
            if current.participant.presence != Presence.WAITING:
                if current.status != "scheduled":
                    raise refusals.over(language, current.status)
                raise refusals.terms_required(language)
            return current.participant
        self._broadcast.participant_state(consultation, participant)
        return participant

    def notify_when_called(self, room: Room, enabled: bool) -> Participant:
        """ "Close the page, we'll text you": needs an SMS or WhatsApp channel."""
        _require_open(room)
        participant = room.participant
        if enabled and not _has_phone_channel(participant):
            raise refusals.no_phone(participant.language)
        _update(participant, [Participant.notify_when_called.set(enabled)])
        self._broadcast.participant_state(room.consultation, participant)
        return participant

    def change_language(self, room: Room, language: str) -> Participant:
        participant = room.participant
        _update(participant, [Participant.language.set(language)])
        return participant


def _require_open(room: Room) -> None:
    if room.status != "scheduled":
        raise refusals.over(room.participant.language, room.status)


def clinician_names(clinician_ids: list[str]) -> list[str]:
    """The clinicians' display names, in the consultation's order (one BatchGetItem)."""
    if not clinician_ids:
        return []
    found = {c.clinician_id: c.display_name for c in Clinician.batch_get(clinician_ids)}
    return [found[i] for i in clinician_ids if i in found]


def _has_phone_channel(participant: Participant) -> bool:
    return participant.phone is not None and any(
        channel in PHONE_CHANNELS for channel in participant.channels
    )


def _update(participant: Participant, actions: list[Action]) -> None:
    try:
        participant.update(actions=actions, condition=ConsultationItem.sk.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Unauthorized("the participant no longer exists") from None
        raise
