"""Chat messages stored in the consultation's partition, each written once, and their history.

A message is a `ChatMessage` item (`CHAT#<UTC time>#<message id>`) carrying the
consultation's `expires_at`, so it leaves with the consultation's other data. The sender
chooses a `client_id` for each message; the item's key holds the server's time, so the
same message resent after a reconnect would get another key. What catches it is a
`ChatSendReceipt` whose key is made of the author and the client id only: the message and
its receipt are one transaction, both under a does-not-exist condition. A resend (or two
racing sends of the same id) fails the receipt's condition and is answered with the message
the receipt names: stored once, delivered once. The same transaction counts the message on
the consultation item for the clinicians' unread counts (`chalicelib.chat.unread`), so a
resend counts nothing either.

History pages go back from a cursor (`before`: a message's `sent_at#message_id`), 50 at a
time, by one Query of the chat's key range.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.auth.rate_limits import Limit, RateLimiter
from chalicelib.chat import unread
from chalicelib.chat.frames import CURSOR, cursor_of
from chalicelib.chat.members import Member
from chalicelib.chat.refusals import ChatClosed, ChatRateLimited, MessageRefused
from chalicelib.clock import Clock
from chalicelib.errors import Conflict, InvalidField, RateLimited
from chalicelib.store.enums import ConsultationStatus
from chalicelib.store.models import (
    CHAT_SK_PREFIX,
    ChatAttachment,
    ChatMessage,
    ChatSendReceipt,
    ConsultationItem,
)

MAX_TEXT_CHARS = 2_000
HISTORY_PAGE = 50
#: Per connection: a person typing fast sends a few a second; a script sends more.
SEND_LIMIT = Limit(scope="chat-send", hits=10, window=timedelta(seconds=10))
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Tries when DynamoDB cancels a transaction for a concurrent one on the same items.
ATTEMPTS = 5
#: The send transaction's items, in the order DynamoDB reports their cancellation reasons
#: (pynamodb sends puts, then updates): the message, its receipt, the consultation.
RECEIPT = 1


@dataclass(frozen=True)
class Sent:
    message: ChatMessage
    #: False when this client id had been sent before: the stored message, not a new one.
    created: bool


@dataclass(frozen=True)
class HistoryPage:
    #: Oldest first.
    messages: list[ChatMessage]
    #: The cursor for the page before this one, or None when this is the oldest.
    before: str | None


class ChatBook:
    def __init__(self, *, clock: Clock, limiter: RateLimiter) -> None:
        self._clock = clock
        self._limiter = limiter

    def send(self, member: Member, *, client_id: object, text: object, sender: str) -> Sent:
        """Store a text message once per (author, client id); `sender` is the rate-limited
        subject (the connection)."""
        client_id = checked_client_id(client_id)
        require_open(member)
        text = self._checked_text(member, text)
        try:
            self._limiter.hit(SEND_LIMIT, sender)
        except RateLimited as limited:
            raise ChatRateLimited(member.language, retry_after=limited.retry_after) from None
        message = self.new_message(member, text=text, client_id=client_id)
        principal = member.principal
        receipt = ChatSendReceipt(
            pk=message.pk,
            sk=ChatSendReceipt.sort_key(principal.kind, principal.id, client_id),
            message_sk=message.sk,
            expires_at=message.expires_at,
        )
        for attempt in range(ATTEMPTS):
            try:
                with transaction() as writes:
                    writes.save(message, condition=ConsultationItem.sk.does_not_exist())
                    writes.save(receipt, condition=ConsultationItem.sk.does_not_exist())
                    unread.count_message(
                        writes, member.consultation_id, principal, message.expires_at
                    )
                return Sent(message, created=True)
            except TransactWriteError as error:
                if _reasons(error, RECEIPT) & {"ConditionalCheckFailed"}:
                    return Sent(self._sent_before(receipt), created=False)
                if unread.counting_refused(error):
                    # moved meanwhile (a new expiry) or stored before `chat_read` existed
                    message.expires_at = receipt.expires_at = unread.prepare(member.consultation_id)
                elif _reasons(error) & {"TransactionConflict"}:
                    back_off(attempt)
                else:
                    raise
        raise Conflict("the message could not be stored; send it again")

    def new_message(
        self,
        member: Member,
        *,
        text: str | None = None,
        attachment: ChatAttachment | None = None,
        client_id: str | None = None,
    ) -> ChatMessage:
        """A message by `member`, now, expiring with the consultation (not yet stored)."""
        now = self._clock.now()
        message_id = uuid.uuid4().hex
        consultation = member.consultation
        return ChatMessage(
            pk=consultation.pk,
            sk=ChatMessage.sort_key(now, message_id),
            consultation_id=consultation.consultation_id,
            message_id=message_id,
            author_kind=member.principal.kind,
            author_id=member.principal.id,
            author_name=member.display_name,
            author_role=member.role,
            text=text,
            attachment=attachment,
            client_id=client_id,
            sent_at=now,
            expires_at=consultation.expires_at,
        )

    def history(self, consultation_id: str, before: object = None) -> HistoryPage:
        """Up to 50 messages before the cursor (or the latest 50), oldest first."""
        partition = ConsultationItem.partition(consultation_id)
        cursor_sk = None
        if before is not None:
            if not isinstance(before, str) or not CURSOR.match(before):
                raise InvalidField("before", "'before' must be a cursor from an earlier page")
            cursor_sk = f"{CHAT_SK_PREFIX}{before}"
        # "~" sorts after every digit: without a cursor the range is all of the chat
        key = ConsultationItem.sk.between(CHAT_SK_PREFIX, cursor_sk or f"{CHAT_SK_PREFIX}~")
        found = [
            item
            for item in ConsultationItem.query(
                partition, key, scan_index_forward=False, limit=HISTORY_PAGE + 2
            )
            if isinstance(item, ChatMessage) and item.sk != cursor_sk
        ]
        page = found[:HISTORY_PAGE]
        more = len(found) > HISTORY_PAGE
        return HistoryPage(
            messages=list(reversed(page)),
            before=cursor_of(page[-1]) if more else None,
        )

    def _checked_text(self, member: Member, text: object) -> str:
        if not isinstance(text, str):
            raise InvalidField("text", "'text' must be a string")
        if not text.strip():
            raise MessageRefused(member.language, "empty")
        if len(text) > MAX_TEXT_CHARS:
            raise MessageRefused(member.language, "too_long", limit=MAX_TEXT_CHARS)
        return text

    def _sent_before(self, receipt: ChatSendReceipt) -> ChatMessage:
        stored = ChatSendReceipt.get(receipt.pk, receipt.sk, consistent_read=True)
        message = ChatMessage.get(receipt.pk, stored.message_sk, consistent_read=True)
        if not isinstance(message, ChatMessage):
            raise Conflict("the message could not be stored; send it again")
        return message


def require_open(member: Member) -> None:
    """After the end the chat stays readable (if the clinic allows it), never writable."""
    if member.consultation.status == ConsultationStatus.ENDED:
        raise ChatClosed(member.language)


def checked_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidField("client_id", "'client_id' must be 1 to 64 letters, digits, '-' or '_'")
    return client_id


def transaction() -> TransactWrite:
    """A transaction on the models' own connection (the stage's region and endpoint)."""
    return TransactWrite(connection=ConsultationItem._get_connection().connection)


def back_off(attempt: int) -> None:
    """A short random pause before retrying a transaction another one cancelled: every
    message of a consultation updates its one item, so busy chats meet each other there."""
    time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 (not a secret)


def _reasons(error: TransactWriteError, index: int | None = None) -> set[str]:
    """The cancellation codes of the transaction (or only of its item at `index`)."""
    if error.cause_response_code != "TransactionCanceledException":
        return set()
    reasons = error.cancellation_reasons or []
    if index is not None:
        reasons = reasons[index : index + 1]
    return {reason.code for reason in reasons if reason and reason.code}
