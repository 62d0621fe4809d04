"""A member's files: ask to upload, complete after the upload, download.

1. `request_upload`: a `FileUpload` item (pending) and a presigned POST for the key
   `consultations/<consultation>/<file_id>`: at most 10 MB, the declared type (JPEG, PNG or
   PDF), valid 5 minutes. The browser posts the file straight to S3.
2. `complete`: the app reads the object (its size first, then its bytes, that exact
   version) and checks it (`chalicelib.files.inspection`). Refused: every version of the
   object is deleted, the upload marked refused, and `FileRefused` says why in the
   uploader's language. Accepted: in one transaction the upload is marked accepted (under
   the condition that it is still pending: racing completes accept it once), a chat
   message showing the file is written and the consultation's chat count goes up
   (`chalicelib.chat.unread`); the message is delivered like any chat message.
3. `download`: a presigned GET of the checked version, valid one minute, that saves the
   file under its name; each one is an audit event (ids only).

Every step is scoped to a member of the consultation (`chalicelib.chat.members`); files of
another consultation are `NotFound`. Uploads and objects expire with the consultation's
data (the upload item carries its `expires_at`; the bucket's lifecycle rule the objects).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import audit
from chalicelib.auth.rate_limits import Limit, RateLimiter
from chalicelib.chat import unread
from chalicelib.chat.members import Member
from chalicelib.chat.messages import ATTEMPTS, ChatBook, back_off, transaction
from chalicelib.clock import Clock
from chalicelib.errors import ConfigError, Conflict, InvalidField, NotFound
from chalicelib.files.inspection import ALLOWED_TYPES, MAX_BYTES, inspect
from chalicelib.files.refusals import FileRefused
from chalicelib.files.storage import AttachmentStore, PresignedPost, StoredObject
from chalicelib.store.enums import ConsultationStatus
from chalicelib.store.models import ChatAttachment, ChatMessage, ConsultationItem, FileUpload

UPLOAD_EXPIRY_SECONDS = 300
DOWNLOAD_EXPIRY_SECONDS = 60
MAX_FILE_NAME = 200
#: Files are taken until this long after the planned end: an object (deleted by the bucket's
#: lifecycle `retention_days` after it is written) then outlives the consultation's data by
#: at most this, plus S3's rounding to midnight UTC.
UPLOAD_GRACE = timedelta(hours=2)
UPLOAD_LIMIT = Limit(scope="file-upload", hits=30, window=timedelta(minutes=10))
PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"


@dataclass(frozen=True)
class UploadGrant:
    upload: FileUpload
    post: PresignedPost
    expires_in: int


@dataclass(frozen=True)
class Completed:
    message: ChatMessage
    created: bool


class Attachments:
    def __init__(
        self,
        *,
        store: AttachmentStore | None,
        chat: ChatBook,
        clock: Clock,
        limiter: RateLimiter,
        deliver: Callable[[Member, dict[str, Any]], int],
        frame_of: Callable[[ChatMessage], dict[str, Any]],
    ) -> None:
        self._store = store
        self._chat = chat
        self._clock = clock
        self._limiter = limiter
        self._deliver = deliver
        self._frame_of = frame_of

    def request_upload(self, member: Member, *, file_name: str, content_type: str) -> UploadGrant:
        store = self._require_store()
        name = clean_file_name(file_name)
        if content_type not in ALLOWED_TYPES:
            raise FileRefused(member.language, "type_not_allowed")
        consultation = member.consultation
        if consultation.status == ConsultationStatus.ENDED:
            raise FileRefused(member.language, "consultation_over")
        if consultation.starts_at is not None:
            ends_at = consultation.starts_at + timedelta(minutes=int(consultation.duration_minutes))
            if self._clock.now() > ends_at + UPLOAD_GRACE:
                raise FileRefused(member.language, "consultation_over")
        self._limiter.hit(UPLOAD_LIMIT, f"{member.principal.kind}:{member.principal.id}")
        file_id = uuid.uuid4().hex
        key = f"consultations/{consultation.consultation_id}/{file_id}"
        upload = FileUpload(
            pk=consultation.pk,
            sk=FileUpload.sort_key(file_id),
            consultation_id=consultation.consultation_id,
            file_id=file_id,
            uploader_kind=member.principal.kind,
            uploader_id=member.principal.id,
            file_name=name,
            declared_type=content_type,
            object_key=key,
            status=PENDING,
            created_at=self._clock.now(),
            expires_at=consultation.expires_at,
        )
        upload.save(condition=ConsultationItem.sk.does_not_exist())
        post = store.presigned_post(
            key,
            content_type=content_type,
            max_bytes=MAX_BYTES,
            expires_seconds=UPLOAD_EXPIRY_SECONDS,
        )
        return UploadGrant(upload, post, UPLOAD_EXPIRY_SECONDS)

    def complete(self, member: Member, file_id: str) -> Completed:
        store = self._require_store()
        upload = self._upload(member, file_id)
        if (
            upload.uploader_kind != member.principal.kind
            or upload.uploader_id != member.principal.id
        ):
            raise NotFound("no such file")
        if upload.status == ACCEPTED:
            return Completed(self._message_of(upload), created=False)
        if upload.status == REFUSED:
            raise FileRefused(member.language, upload.refusal or "type_not_allowed")
        stored = store.find(upload.object_key)
        if stored is None:
            raise FileRefused(member.language, "not_uploaded")
        if stored.size > MAX_BYTES:
            return self._refuse(member, upload, "too_large")
        verdict = inspect(store.read(upload.object_key, stored, max_bytes=MAX_BYTES + 1))
        if not verdict.accepted or verdict.content_type is None:
            return self._refuse(member, upload, verdict.refusal or "type_not_allowed")
        message = self._chat.new_message(
            member,
            attachment=ChatAttachment(  # type: ignore[no-untyped-call]
                object_key=upload.object_key,
                content_type=verdict.content_type,
                size_bytes=stored.size,
                status=ACCEPTED,
                file_id=upload.file_id,
                file_name=upload.file_name,
            ),
        )
        for attempt in range(ATTEMPTS):
            try:
                self._accept(member, upload, stored, verdict.content_type, message)
                break
            except TransactWriteError as error:
                if unread.counting_refused(error):  # moved meanwhile, or an older item
                    message.expires_at = unread.prepare(member.consultation_id)
                    continue
                again = self._upload(member, file_id)
                if again.status == ACCEPTED:  # a racing complete accepted it first
                    return Completed(self._message_of(again), created=False)
                if not _conflicted(error):
                    raise Conflict("the file changed meanwhile; complete it again") from None
                back_off(attempt)
        else:
            raise Conflict("the file could not be accepted; complete it again")
        self._deliver(member, self._frame_of(message))
        return Completed(message, created=True)

    def _accept(
        self,
        member: Member,
        upload: FileUpload,
        stored: StoredObject,
        content_type: str,
        message: ChatMessage,
    ) -> None:
        """One transaction: the upload accepted (if still pending, with the message's
        expiry), the message stored, the consultation's chat count (`chat.unread`)."""
        with transaction() as writes:
            writes.update(
                upload,
                actions=[
                    FileUpload.status.set(ACCEPTED),
                    FileUpload.content_type.set(content_type),
                    FileUpload.size_bytes.set(stored.size),
                    FileUpload.object_etag.set(stored.etag),
                    FileUpload.message_sk.set(message.sk),
                    *(
                        [ConsultationItem.expires_at.set(message.expires_at)]
                        if message.expires_at
                        else []
                    ),
                    *(
                        [FileUpload.object_version.set(stored.version_id)]
                        if stored.version_id
                        else []
                    ),
                ],
                condition=FileUpload.status == PENDING,
            )
            writes.save(message, condition=ConsultationItem.sk.does_not_exist())
            unread.count_message(
                writes, member.consultation_id, member.principal, message.expires_at
            )

    def download_url(self, member: Member, file_id: str) -> str:
        store = self._require_store()
        upload = self._upload(member, file_id)
        if upload.status != ACCEPTED or upload.content_type is None:
            raise NotFound("no such file")
        url = store.presigned_get(
            upload.object_key,
            version_id=upload.object_version,
            file_name=upload.file_name,
            content_type=upload.content_type,
            expires_seconds=DOWNLOAD_EXPIRY_SECONDS,
        )
        audit.record(
            "file.downloaded",
            member.principal,
            now=self._clock.now(),
            consultation_id=member.consultation_id,
            details={"file_id": upload.file_id},
        )
        return url

    def _refuse(self, member: Member, upload: FileUpload, reason: str) -> Completed:
        self._require_store().delete(upload.object_key)
        with contextlib.suppress(UpdateError):  # a racing complete decided first: same answer
            upload.update(
                actions=[FileUpload.status.set(REFUSED), FileUpload.refusal.set(reason)],
                condition=FileUpload.status == PENDING,
            )
        raise FileRefused(member.language, reason)

    def _upload(self, member: Member, file_id: str) -> FileUpload:
        if not isinstance(file_id, str) or not 0 < len(file_id) <= 64:
            raise NotFound("no such file")
        try:
            item = ConsultationItem.get(
                member.consultation.pk, FileUpload.sort_key(file_id), consistent_read=True
            )
        except ConsultationItem.DoesNotExist:
            raise NotFound("no such file") from None
        if not isinstance(item, FileUpload):
            raise NotFound("no such file")
        return item

    def _message_of(self, upload: FileUpload) -> ChatMessage:
        try:
            item = ConsultationItem.get(upload.pk, upload.message_sk or "", consistent_read=True)
        except ConsultationItem.DoesNotExist:
            raise NotFound("no such file") from None
        if not isinstance(item, ChatMessage):
            raise NotFound("no such file")
        return item

    def _require_store(self) -> AttachmentStore:
        if self._store is None:
            raise ConfigError("VESTIBULE_ATTACHMENTS_BUCKET is not set: files are unavailable")
        return self._store


def _conflicted(error: TransactWriteError) -> bool:
    reasons = error.cancellation_reasons or []
    return any(reason is not None and reason.code == "TransactionConflict" for reason in reasons)


def clean_file_name(file_name: object) -> str:
    """The name as given, without a path, control characters or surrounding spaces."""
    if not isinstance(file_name, str):
        raise InvalidField("file_name", "'file_name' must be a string")
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    if not name or len(name) > MAX_FILE_NAME:
        raise InvalidField("file_name", f"'file_name' must be 1 to {MAX_FILE_NAME} characters")
    return name
