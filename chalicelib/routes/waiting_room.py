"""The participant's waiting room over REST: what the page shows, and the moves they make.

`chalicelib.waiting_room.room` does the work; these routes read the participant's session
cookie, decode the bodies (`chalicelib.routes.waiting_room_bodies`) and build the answers.
"""

from __future__ import annotations

import msgspec
from chalice import Blueprint, Response

from chalicelib.auth.principals import Principal
from chalicelib.chat.frames import cursor_of, message_body
from chalicelib.chat.members import chat_readable_after_end
from chalicelib.consent.terms import shown_terms
from chalicelib.i18n.languages import Language
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.routes.clinician_api import answer
from chalicelib.routes.clinician_auth import session_token_of
from chalicelib.routes.operations import Answer, Security, answer_of, errors, operation
from chalicelib.routes.request_body import decode
from chalicelib.routes.waiting_room_bodies import (
    ChatMessageAnswer,
    DelayAnswer,
    DeviceCheckBody,
    EstimateAnswer,
    LanguageBody,
    MeAnswer,
    MeOnlyAnswer,
    NotifyWhenCalledBody,
    RefusalAnswer,
    RoomChatAnswer,
    RoomClinicAnswer,
    RoomClinicianAnswer,
    RoomConsultationAnswer,
    ShownTermsAnswer,
    WaitingRoomAnswer,
)
from chalicelib.store.enums import ConsultationStatus, JoinWith
from chalicelib.store.models import RECENT_CHAT_MESSAGES, Participant
from chalicelib.waiting_room import frames, joining
from chalicelib.waiting_room.room import DeviceResult, Room
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

ROOT = "/api/participant"
OVER = Answer("The consultation was cancelled or has ended (`error.status`).", RefusalAnswer)


def _participant() -> Principal:
    token = session_token_of(blueprint.current_request, COOKIE_NAME)
    return services().participant_links.session_principal(token)


def _room() -> Room:
    """The participant's consultation, loaded once: 401 if the session no longer stands."""
    return services().waiting_room.load(_participant())


def me_body(participant: Participant) -> MeAnswer:
    state = frames.participant_state(participant)
    return msgspec.convert(
        {**state, "display_name": participant.display_name, "language": participant.language},
        MeAnswer,
    )


@operation(
    blueprint,
    "GET",
    ROOT + "/waiting-room",
    summary="Everything the patient page shows: clinic, consultation, clinicians, the "
    "participant, the terms, any delay, the wait estimate and the step reached.",
    answers={200: answer_of("The waiting room.", WaitingRoomAnswer), **errors(401)},
    security=Security.PARTICIPANT,
)
def waiting_room() -> Response:
    view = services().waiting_room.view(_participant())
    room = view.room
    clinic, consultation, participant = room.clinic, room.consultation, room.participant
    terms = shown_terms(clinic, participant.language)
    delay, estimate = frames.delay_json(consultation.delay), frames.estimate_json(view.estimate)
    body = WaitingRoomAnswer(
        clinic=RoomClinicAnswer(name=clinic.name, time_zone=clinic.time_zone),
        consultation=RoomConsultationAnswer(
            consultation_id=consultation.consultation_id,
            starts_at=frames.iso(consultation.starts_at) or "",
            duration_minutes=int(consultation.duration_minutes),
            time_zone=consultation.time_zone,
            status=room.status,
            join_opens_at=joining.join_opens_at(consultation, clinic).isoformat(),
            joining_open=joining.joining_open(consultation, clinic, room.now),
            call_number=int(consultation.call_number or 0),
            call_mode=JoinWith(consultation.call_mode) if consultation.call_mode else None,
            rung=participant.participant_id in consultation.call_rung,
            ended_at=frames.iso(consultation.ended_at),
        ),
        clinicians=[RoomClinicianAnswer(display_name=name) for name in view.clinician_names],
        me=me_body(participant),
        terms=ShownTermsAnswer(
            version=terms.version,
            language=Language(terms.language),
            text=terms.text,
            sha256=terms.sha256,
            accepted=joining.terms_accepted(participant, clinic),
        ),
        delay=msgspec.convert(delay, DelayAnswer) if delay else None,
        estimate=msgspec.convert(estimate, EstimateAnswer) if estimate else None,
        step=view.step,
        chat=chat_body(room),
        chat_after_end=chat_readable_after_end(clinic),
    )
    return answer(body)


def chat_body(room: Room) -> RoomChatAnswer:
    """The room's latest messages; `before` pages back when there were as many as it shows.
    None once the consultation has ended, if the clinic does not keep the chat readable."""
    ended = room.consultation.status == ConsultationStatus.ENDED
    if ended and not chat_readable_after_end(room.clinic):
        return RoomChatAnswer(messages=[], before=None)
    messages = room.recent_chat
    return RoomChatAnswer(
        messages=[msgspec.convert(message_body(m), ChatMessageAnswer) for m in messages],
        before=cursor_of(messages[0]) if len(messages) >= RECENT_CHAT_MESSAGES else None,
    )


@operation(
    blueprint,
    "POST",
    ROOT + "/device-check",
    summary="Record the device and connection check (any time, also before the window opens).",
    body=DeviceCheckBody,
    answers={200: answer_of("Recorded.", MeOnlyAnswer), **errors(400, 401), 410: OVER},
    security=Security.PARTICIPANT,
)
def device_check() -> Response:
    room = _room()  # who asks, and whether they still may, comes before what they send
    body = decode(blueprint.current_request, DeviceCheckBody)
    result = DeviceResult(
        camera=body.camera,
        microphone=body.microphone,
        speaker=body.speaker,
        connection=body.connection,
        rtt_ms=body.rtt_ms,
        jitter_ms=body.jitter_ms,
        loss_percent=body.loss_percent,
        bitrate_kbps=body.bitrate_kbps,
        join_with=body.join_with,
    )
    participant = services().waiting_room.record_device_check(room, result)
    return answer(MeOnlyAnswer(me=me_body(participant)))


@operation(
    blueprint,
    "POST",
    ROOT + "/waiting",
    summary="Enter the waiting room (idempotent).",
    answers={
        200: answer_of("Waiting.", MeOnlyAnswer),
        **errors(401),
        403: Answer("The joining window is not open yet (`error.join_opens_at`).", RefusalAnswer),
        409: Answer("The current terms are not accepted (`terms_required`).", RefusalAnswer),
        410: OVER,
    },
    security=Security.PARTICIPANT,
)
def enter_waiting() -> Response:
    participant = services().waiting_room.enter(_participant())
    return answer(MeOnlyAnswer(me=me_body(participant)))


@operation(
    blueprint,
    "PUT",
    ROOT + "/notify-when-called",
    summary='"Close the page, we\'ll text you": on or off (needs an SMS or WhatsApp channel).',
    body=NotifyWhenCalledBody,
    answers={
        200: answer_of("Changed.", MeOnlyAnswer),
        **errors(400, 401),
        409: Answer("No phone channel to text (`no_phone`).", RefusalAnswer),
        410: OVER,
    },
    security=Security.PARTICIPANT,
)
def notify_when_called() -> Response:
    room = _room()
    body = decode(blueprint.current_request, NotifyWhenCalledBody)
    participant = services().waiting_room.notify_when_called(room, body.enabled)
    return answer(MeOnlyAnswer(me=me_body(participant)))


@operation(
    blueprint,
    "PUT",
    ROOT + "/language",
    summary="The participant's language (the page's switcher; later messages use it too).",
    body=LanguageBody,
    answers={200: answer_of("Changed.", MeOnlyAnswer), **errors(400, 401)},
    security=Security.PARTICIPANT,
)
def change_language() -> Response:
    room = _room()
    body = decode(blueprint.current_request, LanguageBody)
    participant = services().waiting_room.change_language(room, body.language.value)
    return answer(MeOnlyAnswer(me=me_body(participant)))
