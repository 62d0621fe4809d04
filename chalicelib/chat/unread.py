"""Unread chat for clinicians: counted on the consultation item, read up to a cursor.

The consultation item holds `chat_count` (messages stored so far) and `chat_read`
(clinician id -> the `chat_count` that clinician has read). Every stored message, text or
file, adds to them IN THE SAME TRANSACTION as the message (`count_message`):
`chat_count + 1`, and when a clinician wrote it, their own `chat_read` entry moves to the
same number (both computed from the item's old values). A clinician's unread count is
`chat_count - chat_read[them]` (`Consultation.unread_for`), read from the item itself: the
day list and the consultation need no other read.

The message's transaction also checks that the consultation still has the `expires_at`
the message carries (so a message racing a reschedule either is found by the reschedule's
Query or is written with the new expiry), and, for a clinician's message, that `chat_read`
exists (DynamoDB refuses to SET an entry of a map that does not exist). When that check
fails, `prepare` makes the map exist on a consultation created before it had one and
re-reads the expiry; the caller retries.

`ReadMarks.mark_read` is `POST /api/consultations/{id}/chat/read {through}`: the count read
consistently first, then one Query counting the messages after `through`; the difference
is the clinician's new `chat_read`, written only if greater (monotonic, conditional). Then
that clinician's live staff connections hear `chat.read`.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.auth.principals import Principal
from chalicelib.chat.frames import CURSOR
from chalicelib.chat.members import Member
from chalicelib.errors import InvalidField, NotFound
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import (
    CHAT_SK_PREFIX,
    CONSULTATION_SK,
    ChatMessage,
    Consultation,
    ConsultationItem,
)

READ_FRAME = "chat.read"
#: Past the last chat key ("~" sorts after every digit).
CHAT_END = f"{CHAT_SK_PREFIX}~"


def count_message(
    writes: TransactWrite, consultation_id: str, author: Principal, expires_at: datetime | None
) -> None:
    """Add the consultation's update to a message's transaction; it must come LAST in the
    transaction (`counting_refused` reads its cancellation reason from the end)."""
    after = (Consultation.chat_count | 0) + 1
    actions: list[Action] = [Consultation.chat_count.set(after)]
    condition: Condition = ConsultationItem.sk.exists() & _expiry_is(expires_at)
    if author.kind == "clinician":
        # SET reads the item's old values: this is the count including their message.
        actions.append(Consultation.chat_read[author.id].set(after))
        condition &= Consultation.chat_read.exists()
    writes.update(_key(consultation_id), actions=actions, condition=condition)


def counting_refused(error: TransactWriteError) -> bool:
    """The message's transaction failed on the consultation's condition (the last item)."""
    reasons = error.cancellation_reasons or []
    return (
        bool(reasons) and reasons[-1] is not None and reasons[-1].code == "ConditionalCheckFailed"
    )


def prepare(consultation_id: str) -> datetime | None:
    """After `counting_refused`: make `chat_read` exist (consultations stored before it
    did) and return the consultation's current `expires_at`; `NotFound` if it is gone."""
    consultation = _consultation(consultation_id)
    _ensure_read_marks(consultation_id)
    return consultation.expires_at


class ReadMarks:
    def __init__(self, *, pusher: Pusher, registry: ConnectionRegistry) -> None:
        self._pusher = pusher
        self._registry = registry

    def mark_read(self, member: Member, through: object) -> int:
        """The clinician has seen every message up to `through`; their unread count after."""
        if not isinstance(through, str) or not CURSOR.match(through):
            raise InvalidField("through", "'through' must be a message's cursor")
        consultation_id = member.consultation_id
        clinician_id = member.principal.id
        chat_count = int(_consultation(consultation_id).chat_count or 0)  # FIRST: see below
        after = _messages_after(consultation_id, f"{CHAT_SK_PREFIX}{through}")
        # Messages stored after the count was read are also counted in `after`: the mark
        # can only fall short (they stay unread), never cover a message not yet counted.
        target = max(0, chat_count - after)
        current = self._raise_mark(consultation_id, clinician_id, target)
        unread = current.unread_for(clinician_id)
        self._tell_other_tabs(member, unread)
        return unread

    def _raise_mark(self, consultation_id: str, clinician_id: str, target: int) -> Consultation:
        item = _key(consultation_id)
        mark = Consultation.chat_read[clinician_id]
        higher = (
            ConsultationItem.sk.exists()
            & Consultation.chat_read.exists()
            & (mark.does_not_exist() | (mark < target))
        )
        for attempt in range(2):
            try:
                item.update(actions=[mark.set(target)], condition=higher)
                return item
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
                if attempt == 0:  # the map may be missing (an older consultation)
                    _ensure_read_marks(consultation_id)
        return _consultation(consultation_id)  # already read that far: unchanged

    def _tell_other_tabs(self, member: Member, unread: int) -> None:
        principal = member.principal
        mine = [
            connection.connection_id
            for connection in self._registry.audience(principal.clinic_id, ())
            if connection.principal_kind == "clinician" and connection.principal_id == principal.id
        ]
        frame = {
            "type": READ_FRAME,
            "consultation_id": member.consultation_id,
            "unread_messages": unread,
        }
        self._pusher.push_to_all(mine, frame)


def _messages_after(consultation_id: str, cursor_sk: str) -> int:
    """Messages after the cursor, by one Query counting the chat's key range from it; the
    cursor's own message must exist (else `through` names no message)."""
    partition = ConsultationItem.partition(consultation_id)
    try:
        shown = ConsultationItem.get(partition, cursor_sk, consistent_read=True)
    except ConsultationItem.DoesNotExist:
        shown = None
    if not isinstance(shown, ChatMessage):
        raise InvalidField("through", "'through' names no message of this consultation")
    from_cursor = ConsultationItem.count(
        partition, ConsultationItem.sk.between(cursor_sk, CHAT_END), consistent_read=True
    )
    return max(0, from_cursor - 1)  # the range includes the cursor's own message


def _ensure_read_marks(consultation_id: str) -> None:
    try:
        _key(consultation_id).update(
            actions=[Consultation.chat_read.set({})],
            condition=ConsultationItem.sk.exists() & Consultation.chat_read.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def _consultation(consultation_id: str) -> Consultation:
    try:
        item = ConsultationItem.get(
            ConsultationItem.partition(consultation_id), CONSULTATION_SK, consistent_read=True
        )
    except ConsultationItem.DoesNotExist:
        raise NotFound("no such consultation") from None
    if not isinstance(item, Consultation):
        raise NotFound("no such consultation")
    return item


def _expiry_is(expires_at: datetime | None) -> Condition:
    if expires_at is None:
        return ConsultationItem.expires_at.does_not_exist()
    return ConsultationItem.expires_at == expires_at


def _key(consultation_id: str) -> Consultation:
    return Consultation(ConsultationItem.partition(consultation_id), CONSULTATION_SK)
