"""Files in a consultation's chat over HTTP: ask to upload, complete, download.

The same three steps for a clinician of the consultation (`/api/consultations/{id}/files...`,
session cookie and CSRF header) and for a participant (`/api/participant/files...`, their
session cookie names the consultation). `chalicelib.files.attachments` does the work;
refusals carry a message in the uploader's language.
"""

from __future__ import annotations

import msgspec
from chalice import Blueprint, Response

from chalicelib.chat.frames import message_body
from chalicelib.chat.members import Member, member_of
from chalicelib.files.attachments import DOWNLOAD_EXPIRY_SECONDS, Completed, UploadGrant
from chalicelib.files.inspection import MAX_BYTES
from chalicelib.participants.links import COOKIE_NAME
from chalicelib.routes.clinician_api import answer, body_of, signed_in
from chalicelib.routes.clinician_auth import session_token_of
from chalicelib.routes.files_bodies import (
    CompletedAnswer,
    DownloadAnswer,
    PresignedPostAnswer,
    UploadAnswer,
    UploadBody,
)
from chalicelib.routes.operations import Security, answer_of, errors, operation
from chalicelib.routes.waiting_room_bodies import ChatMessageAnswer
from chalicelib.wiring import services

blueprint = Blueprint(__name__)

CLINICIAN_FILES = "/api/consultations/{consultation_id}/files"
PARTICIPANT_FILES = "/api/participant/files"
_REFUSED = "`file_refused`: the file is not allowed (`reason`; `message` in the sender's language)."
_NOT_A_MEMBER = (
    "`not_a_member`: a clinician of the clinic not on this consultation; or the CSRF header "
    "is missing or wrong."
)
_UPLOAD_SUMMARY = (
    "Ask to upload a JPEG, PNG or PDF (at most 10 MB): a presigned POST straight to storage."
)
_COMPLETE_SUMMARY = (
    "After the upload: the file's bytes are checked; accepted, it is a chat message for every "
    "member (201; 200 when it was already); refused, it is deleted (422)."
)
_DOWNLOAD_SUMMARY = "A short-lived link that saves the file; each download is audited."


@operation(
    blueprint,
    "POST",
    CLINICIAN_FILES,
    summary=_UPLOAD_SUMMARY,
    body=UploadBody,
    answers={
        201: answer_of("Post the file to `upload`.", UploadAnswer),
        **errors(400, 401, 404, 429, e403=_NOT_A_MEMBER, e422=_REFUSED),
    },
    security=Security.SESSION_AND_CSRF,
)
def clinician_upload(consultation_id: str) -> Response:
    member = member_of(signed_in(blueprint), consultation_id)
    return _upload(member)


@operation(
    blueprint,
    "POST",
    CLINICIAN_FILES + "/{file_id}/complete",
    summary=_COMPLETE_SUMMARY,
    answers={
        201: answer_of("Accepted and shown in the chat.", CompletedAnswer),
        200: answer_of("Accepted earlier.", CompletedAnswer),
        **errors(401, 404, 409, e403=_NOT_A_MEMBER, e422=_REFUSED),
    },
    security=Security.SESSION_AND_CSRF,
)
def clinician_complete(consultation_id: str, file_id: str) -> Response:
    member = member_of(signed_in(blueprint), consultation_id)
    return _completed(services().attachments.complete(member, file_id))


@operation(
    blueprint,
    "GET",
    CLINICIAN_FILES + "/{file_id}",
    summary=_DOWNLOAD_SUMMARY,
    answers={
        200: answer_of("The link.", DownloadAnswer),
        **errors(401, 404, e403="`not_a_member`: a clinician not on this consultation."),
    },
    security=Security.SESSION,
)
def clinician_download(consultation_id: str, file_id: str) -> Response:
    member = member_of(signed_in(blueprint), consultation_id)
    return _download(member, file_id)


@operation(
    blueprint,
    "POST",
    PARTICIPANT_FILES,
    summary=_UPLOAD_SUMMARY,
    body=UploadBody,
    answers={
        201: answer_of("Post the file to `upload`.", UploadAnswer),
        **errors(400, 401, 404, 429, e422=_REFUSED),
    },
    security=Security.PARTICIPANT,
)
def participant_upload() -> Response:
    return _upload(_participant())


@operation(
    blueprint,
    "POST",
    PARTICIPANT_FILES + "/{file_id}/complete",
    summary=_COMPLETE_SUMMARY,
    answers={
        201: answer_of("Accepted and shown in the chat.", CompletedAnswer),
        200: answer_of("Accepted earlier.", CompletedAnswer),
        **errors(401, 404, 409, e422=_REFUSED),
    },
    security=Security.PARTICIPANT,
)
def participant_complete(file_id: str) -> Response:
    return _completed(services().attachments.complete(_participant(), file_id))


@operation(
    blueprint,
    "GET",
    PARTICIPANT_FILES + "/{file_id}",
    summary=_DOWNLOAD_SUMMARY,
    answers={200: answer_of("The link.", DownloadAnswer), **errors(401, 404)},
    security=Security.PARTICIPANT,
)
def participant_download(file_id: str) -> Response:
    return _download(_participant(), file_id)


def _participant() -> Member:
    token = session_token_of(blueprint.current_request, COOKIE_NAME)
    standing = services().participant_links.resume_standing(token)
    return member_of(standing.principal, None)


def _upload(member: Member) -> Response:
    body = body_of(blueprint, UploadBody)
    grant: UploadGrant = services().attachments.request_upload(
        member, file_name=body.file_name, content_type=body.content_type
    )
    return answer(
        UploadAnswer(
            file_id=grant.upload.file_id,
            upload=PresignedPostAnswer(url=grant.post.url, fields=grant.post.fields),
            expires_in=grant.expires_in,
            max_bytes=MAX_BYTES,
        ),
        201,
    )


def _completed(completed: Completed) -> Response:
    message = msgspec.convert(message_body(completed.message), ChatMessageAnswer)
    return answer(CompletedAnswer(message=message), 201 if completed.created else 200)


def _download(member: Member, file_id: str) -> Response:
    url = services().attachments.download_url(member, file_id)
    return answer(DownloadAnswer(url=url, expires_in=DOWNLOAD_EXPIRY_SECONDS))
