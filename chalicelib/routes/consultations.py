"""A signed-in clinician's consultations: schedule, read, list a day, change, cancel, invite.

`chalicelib.consultations.schedule` and `chalicelib.consultations.invitations` do the work,
scoped to the clinician's clinic; these routes translate requests and answers. Every
state-changing route needs the session and the CSRF header (`chalicelib.routes.clinician_auth`).
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import MultiDict

from chalicelib.consultations import parsing
from chalicelib.consultations.invitations import Sent
from chalicelib.consultations.schedule import DayEntry
from chalicelib.messaging.courier import Outcome
from chalicelib.routes.clinician_api import answer, body_of, iso, record_body, signed_in
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.route("/api/consultations", methods=["POST"])
def create() -> Response:
    principal = signed_in(blueprint)
    new = parsing.new_consultation(body_of(blueprint), caller_id=principal.id)
    record = services().consultations.create(principal, new)
    return answer(record_body(record), 201)


@blueprint.route("/api/consultations", methods=["GET"])
def list_day() -> Response:
    principal = signed_in(blueprint)
    query = blueprint.current_request.query_params or MultiDict({})
    day = parsing.day_of(query.get("day"))
    mine = parsing.flag_of(query.get("mine"), "mine")
    entries = services().consultations.day(principal, day, mine=mine)
    return answer({"consultations": [_entry_body(entry) for entry in entries]})


@blueprint.route("/api/consultations/{consultation_id}", methods=["GET"])
def read(consultation_id: str) -> Response:
    record = services().consultations.get(signed_in(blueprint), consultation_id)
    return answer(record_body(record))


@blueprint.route("/api/consultations/{consultation_id}", methods=["PATCH"])
def change(consultation_id: str) -> Response:
    principal = signed_in(blueprint)
    schedule = parsing.schedule_change(body_of(blueprint))
    record = services().consultations.reschedule(principal, consultation_id, schedule)
    return answer(record_body(record))


@blueprint.route("/api/consultations/{consultation_id}/cancel", methods=["POST"])
def cancel(consultation_id: str) -> Response:
    record = services().consultations.cancel(signed_in(blueprint), consultation_id)
    return answer(record_body(record))


@blueprint.route(
    "/api/consultations/{consultation_id}/participants/{participant_id}/invitations",
    methods=["POST"],
)
def send_invitation(consultation_id: str, participant_id: str) -> Response:
    principal = signed_in(blueprint)
    request = parsing.invitation_request(body_of(blueprint))
    outcome = services().invitations.send(principal, consultation_id, participant_id, request)
    return answer(_sent_body(outcome))


def _entry_body(entry: DayEntry) -> dict[str, Any]:
    return {
        "consultation_id": entry.consultation_id,
        "starts_at": iso(entry.starts_at),
        "duration_minutes": entry.duration_minutes,
        "status": entry.status,
        "patient_display_name": entry.patient_display_name,
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
