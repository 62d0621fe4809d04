"""The chat over HTTP: a clinician marks a consultation's chat read up to a message.

`chalicelib.chat.unread` does the work; the consultation's membership is checked first
(`chalicelib.chat.members`: another clinic's consultation is 404, a colleague not on it 403).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.chat.members import member_of
from chalicelib.routes.chat_bodies import ReadAnswer, ReadBody
from chalicelib.routes.clinician_api import answer, body_of, signed_in
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

_NOT_A_MEMBER = (
    "`not_a_member`: a clinician of the clinic not on this consultation; or the CSRF header "
    "is missing or wrong."
)


@operation(
    blueprint,
    "POST",
    "/api/consultations/{consultation_id}/chat/read",
    summary="The clinician has seen the chat up to `through`: their unread count, also "
    "pushed (`chat.read`) to their live dashboards.",
    body=ReadBody,
    answers={
        200: answer_of("Marked read (never moves back).", ReadAnswer),
        **errors(400, 401, 404, e403=_NOT_A_MEMBER),
    },
    security=Security.SESSION_AND_CSRF,
)
def mark_read(consultation_id: str) -> Response:
    member = member_of(signed_in(blueprint), consultation_id)
    body = body_of(blueprint, ReadBody)
    unread = services().read_marks.mark_read(member, body.through)
    return answer(ReadAnswer(consultation_id=member.consultation_id, unread_messages=unread))
