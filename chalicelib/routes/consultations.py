"""A signed-in clinician's consultations: schedule, read, list a day, change, cancel, invite.

`chalicelib.consultations` and `chalicelib.invitations` do the work, scoped to the
clinician's clinic; these routes translate requests and answers. Every state-changing route
needs the session and the CSRF header (`chalicelib.clinician_auth`).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import MultiDict

from chalicelib import consultation_input
from chalicelib.clinician_auth import authenticated_clinician
from chalicelib.consultations import ConsultationRecord, DayEntry
from chalicelib.invitations import Sent
from chalicelib.models import Participant
from chalicelib.outbound.courier import Outcome
from chalicelib.outbound.ledger import deliveries
from chalicelib.principals import Principal
from chalicelib.request_body import json_object
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

NO_STORE: dict[str, str | list[str]] = {"Cache-Control": "no-store"}


@blueprint.route("/api/consultations", methods=["POST"])
def create() -> Response:
    principal = _clinician()
    new = consultation_input.new_consultation(_body(), caller_id=principal.id)
    record = services().consultations.create(principal, new)
    return _answer(_record_body(record), 201)


@blueprint.route("/api/consultations", methods=["GET"])
def list_day() -> Response:
    principal = _clinician()
    query = blueprint.current_request.query_params or MultiDict({})
    day = consultation_input.day_of(query.get("day"))
    mine = consultation_input.flag_of(query.get("mine"), "mine")
    entries = services().consultations.day(principal, day, mine=mine)
    return _answer({"consultations": [_entry_body(entry) for entry in entries]})


@blueprint.route("/api/consultations/{consultation_id}", methods=["GET"])
def read(consultation_id: str) -> Response:
    record = services().consultations.get(_clinician(), consultation_id)
    return _answer(_record_body(record))


@blueprint.route("/api/consultations/{consultation_id}", methods=["PATCH"])
def change(consultation_id: str) -> Response:
    principal = _clinician()
    schedule = consultation_input.schedule_change(_body())
    record = services().consultations.reschedule(principal, consultation_id, schedule)
    return _answer(_record_body(record))


@blueprint.route("/api/consultations/{consultation_id}/cancel", methods=["POST"])
def cancel(consultation_id: str) -> Response:
    record = services().consultations.cancel(_clinician(), consultation_id)
    return _answer(_record_body(record))


@blueprint.route(
    "/api/consultations/{consultation_id}/participants/{participant_id}/invitations",
    methods=["POST"],
)
def send_invitation(consultation_id: str, participant_id: str) -> Response:
    principal = _clinician()
    request = consultation_input.invitation_request(_body())
    outcome = services().invitations.send(principal, consultation_id, participant_id, request)
    return _answer(_sent_body(outcome))


def _clinician() -> Principal:
    return authenticated_clinician(blueprint.current_request, services().sessions)


def _body() -> dict[str, Any]:
    return json_object(blueprint.current_request)


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers=NO_STORE)


def _record_body(record: ConsultationRecord) -> dict[str, Any]:
    consultation = record.consultation
    return {
        "consultation_id": consultation.consultation_id,
        "clinic_id": consultation.clinic_id,
        "status": consultation.status,
        "starts_at": _iso(consultation.starts_at),
        "time_zone": consultation.time_zone,
        "duration_minutes": int(consultation.duration_minutes),
        "language": consultation.language,
        "access_code_required": bool(consultation.access_code_required),
        "clinician_ids": list(consultation.clinician_ids),
        "participants": [_participant_body(p) for p in record.participants],
    }


def _participant_body(participant: Participant) -> dict[str, Any]:
    return {
        "participant_id": participant.participant_id,
        "role": participant.role,
        "display_name": participant.display_name,
        "phone": participant.phone,
        "email": participant.email,
        "language": participant.language,
        "channels": list(participant.channels),
        "presence": participant.presence,
        "deliveries": [
            {
                "channel": record.channel,
                "purpose": record.purpose,
                "status": record.status,
                "attempt": record.attempt,
                "at": _iso(record.at),
                "reason": record.reason,
                "message_id": record.message_id,
            }
            for record in deliveries(participant)
        ],
    }


def _entry_body(entry: DayEntry) -> dict[str, Any]:
    return {
        "consultation_id": entry.consultation_id,
        "starts_at": _iso(entry.starts_at),
        "duration_minutes": entry.duration_minutes,
        "status": entry.status,
    }


def _sent_body(sent: Sent) -> dict[str, Any]:
    code = sent.access_code
    return {**_outcome_body(sent.invitation), "access_code": code and _outcome_body(code)}


def _outcome_body(outcome: Outcome) -> dict[str, Any]:
    return {
        "channel": outcome.channel,
        "purpose": outcome.purpose,
        "attempt": outcome.attempt,
        "status": outcome.status,
        "reason": outcome.reason,
        "message_id": outcome.message_id,
    }


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat()
