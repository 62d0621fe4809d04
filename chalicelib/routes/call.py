"""A clinician ends a consultation for everyone, and reads its visit record.

`chalicelib.call.ending` and `chalicelib.call.record` do the work, scoped to the
clinician's clinic (another clinic's consultation is 404).
"""

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.routes.call_bodies import EndAnswer, VisitAnswer, VisitMemberAnswer
from chalicelib.routes.clinician_api import answer, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

CONSULTATION = "/api/consultations/{consultation_id}"


@operation(
    blueprint,
    "POST",
    CONSULTATION + "/end",
    summary="End the consultation for everyone: the call closes, participants see the end.",
    answers={
        200: answer_of("Ended.", EndAnswer),
        **errors(
            401,
            403,
            404,
            e409="`already_ended`: it was ended before; `conflict`: it is cancelled.",
        ),
    },
    security=Security.SESSION_AND_CSRF,
)
def end(consultation_id: str) -> Response:
    ended = services().call_ending.end(signed_in(blueprint), consultation_id)
    return answer(
        EndAnswer(
            consultation_id=ended.consultation_id,
            status="ended",
            ended_at=_iso(ended.ended_at) or "",
        )
    )


@operation(
    blueprint,
    "GET",
    CONSULTATION + "/visit",
    summary="The visit record: when it started and ended, who took part and for how long.",
    answers={200: answer_of("The record.", VisitAnswer), **errors(401, 403, 404)},
    security=Security.SESSION,
)
def visit(consultation_id: str) -> Response:
    record = services().visit_records.read(signed_in(blueprint), consultation_id)
    return answer(
        VisitAnswer(
            started_at=_iso(record.started_at),
            ended_at=_iso(record.ended_at),
            members=[
                VisitMemberAnswer(
                    kind="participant" if member.kind == "participant" else "clinician",
                    id=member.id,
                    display_name=member.display_name,
                    role=member.role,
                    first_joined_at=member.first_joined_at.isoformat(),
                    last_left_at=_iso(member.last_left_at),
                    seconds=member.seconds,
                    in_call=member.in_call,
                )
                for member in record.members
            ],
        )
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
