"""What every route of the clinic's REST API does: who is signed in, the body, the answer.

A clinician's answers carry patient data, so none of them may be cached by a browser or
proxy. The answers a record gives (`ConsultationAnswer`, `ParticipantAnswer`) are built
here, one function each, so a participant reads the same in a consultation, a new guest and
a changed guest; their shapes are the Structs of `chalicelib.routes.response_bodies`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import msgspec
from chalice import Blueprint, Response

from chalicelib.auth.principals import Principal
from chalicelib.consultations.schedule import ConsultationRecord
from chalicelib.i18n.languages import Language
from chalicelib.messaging.ledger import deliveries
from chalicelib.routes.clinician_auth import authenticated_clinician
from chalicelib.routes.http_headers import JSON_CONTENT, NO_STORE, Headers
from chalicelib.routes.request_body import decode
from chalicelib.routes.response_bodies import (
    ConsultationAnswer,
    DeliveryAnswer,
    ParticipantAnswer,
)
from chalicelib.routes.waiting_room_bodies import (
    DelayAnswer,
    DeviceCheckAnswer,
    WaitingSummaryAnswer,
)
from chalicelib.store.enums import (
    Channel,
    ConsultationStatus,
    DeliveryStatus,
    JoinWith,
    MessagePurpose,
    ParticipantRole,
)
from chalicelib.store.models import DelayNotice, Participant
from chalicelib.waiting_room import frames, presence
from chalicelib.wiring import services

Model = TypeVar("Model")


def signed_in(blueprint: Blueprint) -> Principal:
    """The clinician of the current request; CSRF is checked on unsafe methods."""
    return authenticated_clinician(blueprint.current_request, services().sessions)


def body_of(blueprint: Blueprint, model: type[Model]) -> Model:
    return decode(blueprint.current_request, model)


def answer(
    body: msgspec.Struct | None, status: int = 200, headers: Headers | None = None
) -> Response:
    """A JSON answer with its Content-Type, or with `None` an empty one (Chalice would send
    `null`, which a 204 must not carry: a proxy that trusts the status leaves the bytes on
    the connection). Not cached unless `headers` say otherwise."""
    if body is None:
        return Response(body="", status_code=status, headers={**NO_STORE, **(headers or {})})
    return Response(
        body=msgspec.to_builtins(body),
        status_code=status,
        headers={**NO_STORE, **JSON_CONTENT, **(headers or {})},
    )


def record_body(record: ConsultationRecord, reader_id: str) -> ConsultationAnswer:
    """The consultation as `reader_id` (the signed-in clinician) sees it."""
    consultation = record.consultation
    return ConsultationAnswer(
        consultation_id=consultation.consultation_id,
        clinic_id=consultation.clinic_id,
        status=ConsultationStatus(consultation.status),
        starts_at=iso(consultation.starts_at),
        time_zone=consultation.time_zone,
        duration_minutes=int(consultation.duration_minutes),
        language=Language(consultation.language),
        access_code_required=bool(consultation.access_code_required),
        clinician_ids=list(consultation.clinician_ids),
        participants=[participant_body(p) for p in record.participants],
        delay=delay_body(consultation.delay),
        call_number=int(consultation.call_number or 0),
        unread_messages=consultation.unread_for(reader_id),
    )


def participant_body(participant: Participant) -> ParticipantAnswer:
    return ParticipantAnswer(
        participant_id=participant.participant_id,
        role=ParticipantRole(participant.role),
        display_name=participant.display_name,
        phone=participant.phone,
        email=participant.email,
        language=Language(participant.language),
        channels=[Channel(channel) for channel in participant.channels],
        presence=participant.presence,
        deliveries=[
            DeliveryAnswer(
                channel=Channel(record.channel),
                purpose=MessagePurpose(record.purpose),
                status=DeliveryStatus(record.status),
                attempt=record.attempt,
                at=record.at.isoformat(),
                reason=record.reason,
                message_id=record.message_id,
            )
            for record in deliveries(participant)
        ],
        waiting_since=iso(participant.waiting_since),
        device_check=device_check_body(participant),
        join_with=JoinWith(participant.join_with) if participant.join_with else None,
        notify_when_called=bool(participant.notify_when_called),
    )


def device_check_body(participant: Participant) -> DeviceCheckAnswer | None:
    check = frames.device_check_json(participant.device_check)
    return msgspec.convert(check, DeviceCheckAnswer) if check else None


def waiting_summary(participant: Participant) -> WaitingSummaryAnswer:
    """A participant's place on the way in, for the clinic's day list."""
    return WaitingSummaryAnswer(
        participant_id=participant.participant_id,
        role=ParticipantRole(participant.role),
        presence=presence.reached(participant.presence),
        waiting_since=iso(participant.waiting_since),
        device_check=device_check_body(participant),
        join_with=JoinWith(participant.join_with) if participant.join_with else None,
        notify_when_called=bool(participant.notify_when_called),
    )


def delay_body(delay: DelayNotice | None) -> DelayAnswer | None:
    shown = frames.delay_json(delay)
    return None if shown is None else msgspec.convert(shown, DelayAnswer)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
