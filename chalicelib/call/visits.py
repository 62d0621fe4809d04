"""The visit record: when each member was actually in the call, and for how long.

One `CallVisit` item per member in the consultation's partition (`CALL#VISIT#<kind>#<id>`,
below the chat in the sort order; it expires with the consultation). A successful
`media.join` opens a stretch (`joined_at`, kept if one is already open: a rejoin after a
network change is the same stretch); a leave, a drop or the end closes it: `seconds` grows
by the stretch and `joined_at` goes, under the condition that `joined_at` still holds the
value read, so two closes racing (a leave and the end, or a double leave) count it once.
The stretch also names the connection it was joined through, so the `$disconnect` of an
older connection (a page that reconnected before API Gateway noticed the old one was gone)
is not taken for a drop. No media is recorded.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.store.models import VISIT_SK_PREFIX, CallVisit, Consultation, ConsultationItem


def open_stretch(
    consultation: Consultation, kind: str, member_id: str, now: datetime, connection_id: str
) -> None:
    """The member is in the call from `now` (or from the stretch already open), through
    `connection_id` (the latest join's connection)."""
    item = CallVisit(consultation.pk, CallVisit.sort_key(kind, member_id))
    item.update(
        actions=[
            CallVisit.kind.set(CallVisit),
            CallVisit.consultation_id.set(consultation.consultation_id),
            CallVisit.member_kind.set(kind),
            CallVisit.member_id.set(member_id),
            CallVisit.first_joined_at.set(CallVisit.first_joined_at | now),
            CallVisit.joined_at.set(CallVisit.joined_at | now),
            CallVisit.seconds.set(CallVisit.seconds | 0),
            CallVisit.connection_id.set(connection_id),
            *(
                [CallVisit.expires_at.set(consultation.expires_at)]
                if consultation.expires_at is not None
                else []
            ),
        ]
    )


def close_stretch(consultation_id: str, kind: str, member_id: str, now: datetime) -> bool:
    """Close the member's open stretch; False when none was open (or another close won)."""
    pk = ConsultationItem.partition(consultation_id)
    try:
        item = CallVisit.get(pk, CallVisit.sort_key(kind, member_id), consistent_read=True)
    except CallVisit.DoesNotExist:
        return False
    joined_at = item.joined_at
    if joined_at is None:
        return False
    seconds = max(0, round((now - joined_at).total_seconds()))
    try:
        item.update(
            actions=[
                CallVisit.seconds.add(seconds),
                CallVisit.last_left_at.set(now),
                CallVisit.joined_at.remove(),
            ],
            condition=CallVisit.joined_at == joined_at,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def holder(consultation_id: str, kind: str, member_id: str) -> str | None:
    """The connection through which the member is in the call now, or None."""
    pk = ConsultationItem.partition(consultation_id)
    try:
        item = CallVisit.get(pk, CallVisit.sort_key(kind, member_id), consistent_read=True)
    except CallVisit.DoesNotExist:
        return None
    return item.connection_id if item.joined_at is not None else None


def visits(consultation_id: str) -> list[CallVisit]:
    """Every member's visit (one Query of the partition's `CALL#VISIT#` range)."""
    return [
        item
        for item in ConsultationItem.query(
            ConsultationItem.partition(consultation_id),
            ConsultationItem.sk.startswith(VISIT_SK_PREFIX),
        )
        if isinstance(item, CallVisit)
    ]


def in_call_now(consultation_id: str) -> list[CallVisit]:
    """The members with an open stretch: who is in the call now."""
    return [visit for visit in visits(consultation_id) if visit.joined_at is not None]
