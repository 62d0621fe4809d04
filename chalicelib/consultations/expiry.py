"""A rescheduled consultation's chat keeps leaving with it: the chat's items follow its
new `expires_at`.

Chat messages (`CHAT#`), their send receipts (`AUTHORED#`) and uploads (`ATTACHMENT#`)
carry the consultation's `expires_at` (DynamoDB's TTL). After a reschedule changes it,
`follow_expiry` reads the consultation's expiry (consistently, after the change), finds the
chat's items with ONE Query of the partition's key range `ATTACHMENT#` .. `CHAT#~`, and
moves each that differs with a conditional UpdateItem (never recreating an item that left
meanwhile). A message racing the reschedule cannot keep the old expiry: its transaction
checks the consultation's `expires_at` (`chalicelib.chat.unread.count_message`), so it is
either stored before the change (and found here) or written with the new one. Running it
again is harmless: it moves only what still differs.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.store.models import (
    CHAT_SK_PREFIX,
    CONSULTATION_SK,
    FILE_UPLOAD_SK_PREFIX,
    ConsultationItem,
)

#: Every chat item sorts in this range (see the sort-key order in `store.models`).
FIRST_CHAT_ITEM, LAST_CHAT_ITEM = FILE_UPLOAD_SK_PREFIX, f"{CHAT_SK_PREFIX}~"


def follow_expiry(consultation_id: str) -> int:
    """Give the chat's items the consultation's current `expires_at`; how many moved."""
    partition = ConsultationItem.partition(consultation_id)
    try:
        consultation = ConsultationItem.get(partition, CONSULTATION_SK, consistent_read=True)
    except ConsultationItem.DoesNotExist:
        return 0
    expires_at = consultation.expires_at
    if expires_at is None:
        return 0
    moved = 0
    for item in ConsultationItem.query(
        partition,
        ConsultationItem.sk.between(FIRST_CHAT_ITEM, LAST_CHAT_ITEM),
        consistent_read=True,
    ):
        if item.expires_at == expires_at:
            continue
        try:
            item.update(
                actions=[ConsultationItem.expires_at.set(expires_at)],
                condition=ConsultationItem.sk.exists(),
            )
            moved += 1
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    return moved
