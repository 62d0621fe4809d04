"""A signed-in clinician's consultations: schedule, read, list a day, change, cancel, invite.

`chalicelib.consultations.schedule` and `chalicelib.consultations.invitations` do the work,
scoped to the clinician's clinic; these routes translate requests and answers. Every
state-changing route needs the session and the CSRF header (`chalicelib.routes.clinician_auth`).
"""

from __future__ import annotations

from chalice import Blueprint, Response
from msgspec import structs

from chalicelib.consultations import parsing
from chalicelib.consultations.invitations import Sent
from chalicelib.consultations.request_bodies import (
    DayQuery,
    InvitationBody,
    NewConsultationBody,
    ScheduleChangeBody,
)
from chalicelib.consultations.schedule import DayEntry
from chalicelib.messaging.courier import Outcome
from chalicelib.routes.clinician_api import (
    answer,
    body_of,
    delay_body,
    record_body,
    signed_in,
    waiting_summary,
)
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.request_body import query
from chalicelib.routes.response_bodies import (
    ConsultationAnswer,
    DayAnswer,
    DayEntryAnswer,
    InvitationAnswer,
    SendOutcomeAnswer,
)
from chalicelib.store.enums import Channel, ConsultationStatus, DeliveryStatus, MessagePurpose
from chalicelib.waiting_room import frames
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

CONSULTATIONS = "/api/consultations"
CONSULTATION = CONSULTATIONS + "/{consultation_id}"


@operation(
    blueprint,
    "POST",
    CONSULTATIONS,
    summary="Schedule a consultation with its patient (one transaction).",
    body=NewConsultationBody,
    answers={201: answer_of("Scheduled.", ConsultationAnswer), **errors(400, 401, 403)},
    security=Security.SESSION_AND_CSRF,
)
def create() -> Response:
    principal = signed_in(blueprint)
    new = parsing.new_consultation(
        body_of(blueprint, NewConsultationBody), caller_id=principal.id, now=services().clock.now()
    )
    record = services().consultations.create(principal, new)
    return answer(record_body(record, principal.id), 201)


@operation(
    blueprint,
    "GET",
    CONSULTATIONS,
    summary="The clinic's (or with `mine=true`, the caller's) consultations on a local day.",
    query=DayQuery,
    answers={200: answer_of("In start order.", DayAnswer), **errors(400, 401)},
    security=Security.SESSION,
)
def list_day() -> Response:
    principal = signed_in(blueprint)
    asked = query(blueprint.current_request, DayQuery)
    entries = services().consultations.day(principal, asked.day, mine=asked.mine)
    return answer(DayAnswer(consultations=[_entry_body(entry) for entry in entries]))


@operation(
    blueprint,
    "GET",
    CONSULTATION,
    summary="A consultation, its participants and their delivery outcomes.",
    answers={200: answer_of("The consultation.", ConsultationAnswer), **errors(401, 404)},
    security=Security.SESSION,
)
def read(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    record = services().consultations.get(principal, consultation_id)
    return answer(record_body(record, principal.id))


@operation(
    blueprint,
    "PATCH",
    CONSULTATION,
    summary="Change the time, time zone, duration or language (assignments follow).",
    body=ScheduleChangeBody,
    answers={200: answer_of("Changed.", ConsultationAnswer), **errors(400, 401, 403, 404, 409)},
    security=Security.SESSION_AND_CSRF,
)
def change(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    schedule = parsing.schedule_change(
        body_of(blueprint, ScheduleChangeBody), now=services().clock.now()
    )
    record = services().consultations.reschedule(principal, consultation_id, schedule)
    return answer(record_body(record, principal.id))


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/cancel",
    summary="Cancel the consultation (idempotent).",
    answers={
        200: answer_of("Cancelled.", ConsultationAnswer),
        **errors(401, 403, 404, e409="The consultation was changed meanwhile: try again."),
    },
    security=Security.SESSION_AND_CSRF,
)
def cancel(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    record = services().consultations.cancel(principal, consultation_id)
    consultation = record.consultation
    services().room_broadcast.to_room(
        consultation.clinic_id,
        consultation_id,
        frames.consultation_frame(consultation_id, consultation.status),
    )
    return answer(record_body(record, principal.id))


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/participants/{participant_id}/invitations",
    summary="Send the participant's invitation on a channel; a retry with the same `attempt` "
    "sends nothing, `resend` sends again.",
    body=InvitationBody,
    answers={
        200: answer_of(
            "The outcome (`duplicate`: this attempt was sent before).", InvitationAnswer
        ),
        **errors(400, 401, 403, 404, 409, 500),
    },
    security=Security.SESSION_AND_CSRF,
)
def send_invitation(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    request = parsing.invitation_request(body_of(blueprint, InvitationBody))
    outcome = services().invitations.send(principal, consultation_id, participant_id, request)
    return answer(_sent_body(outcome))


def _entry_body(entry: DayEntry) -> DayEntryAnswer:
    return DayEntryAnswer(
        consultation_id=entry.consultation_id,
        starts_at=entry.starts_at.isoformat(),
        duration_minutes=entry.duration_minutes,
        status=ConsultationStatus(entry.status),
        patient_display_name=entry.patient_display_name,
        waiting=[waiting_summary(participant) for participant in entry.participants],
        delay=delay_body(entry.delay),
        unread_messages=entry.unread_messages,
        chat_member=entry.chat_member,
    )


def _sent_body(sent: Sent) -> InvitationAnswer:
    code = sent.access_code
    return InvitationAnswer(
        **structs.asdict(_outcome_body(sent.invitation)),
        access_code=None if code is None else _outcome_body(code),
    )


def _outcome_body(outcome: Outcome) -> SendOutcomeAnswer:
    return SendOutcomeAnswer(
        channel=Channel(outcome.channel),
        purpose=MessagePurpose(outcome.purpose),
        attempt=outcome.attempt,
        status=DeliveryStatus(outcome.status),
        reason=outcome.reason,
        message_id=outcome.message_id,
    )
