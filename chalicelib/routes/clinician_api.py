"""What every route of the clinic's REST API does: who is signed in, the body, the answer.

A clinician's answers carry patient data, so none of them may be cached by a browser or
proxy. The JSON shapes of the records the routes return live here too, one function each,
so a participant reads the same in a consultation, a new guest and a changed guest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Response

from chalicelib.auth.principals import Principal
from chalicelib.consultations.schedule import ConsultationRecord
from chalicelib.messaging.ledger import deliveries
from chalicelib.routes.clinician_auth import authenticated_clinician
from chalicelib.routes.http_headers import NO_STORE
from chalicelib.routes.request_body import json_object
from chalicelib.store.models import Participant
from chalicelib.wiring import services


def signed_in(blueprint: Blueprint) -> Principal:
    """The clinician of the current request; CSRF is checked on unsafe methods."""
    return authenticated_clinician(blueprint.current_request, services().sessions)


def body_of(blueprint: Blueprint) -> dict[str, Any]:
    return json_object(blueprint.current_request)


def answer(body: dict[str, Any] | None, status: int = 200) -> Response:
    """A JSON answer, or with `None` an empty one (Chalice would send `null`, which a 204
    must not carry: a proxy that trusts the status leaves the bytes on the connection)."""
    return Response(body="" if body is None else body, status_code=status, headers=NO_STORE)


def record_body(record: ConsultationRecord) -> dict[str, Any]:
    consultation = record.consultation
    return {
        "consultation_id": consultation.consultation_id,
        "clinic_id": consultation.clinic_id,
        "status": consultation.status,
        "starts_at": iso(consultation.starts_at),
        "time_zone": consultation.time_zone,
        "duration_minutes": int(consultation.duration_minutes),
        "language": consultation.language,
        "access_code_required": bool(consultation.access_code_required),
        "clinician_ids": list(consultation.clinician_ids),
        "participants": [participant_body(p) for p in record.participants],
    }


def participant_body(participant: Participant) -> dict[str, Any]:
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
                "at": iso(record.at),
                "reason": record.reason,
                "message_id": record.message_id,
            }
            for record in deliveries(participant)
        ],
    }


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
