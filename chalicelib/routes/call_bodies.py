"""The call's REST answers (issue 11): ending a consultation, and its visit record."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

Timestamp = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]
MemberKind = Literal["participant", "clinician"]


class EndAnswer(Struct, kw_only=True):
    """`POST /api/consultations/{id}/end`: the consultation is over for everyone."""

    consultation_id: str
    status: Literal["ended"]
    ended_at: Timestamp


class VisitMemberAnswer(Struct, kw_only=True):
    """One member's time in the call: closed stretches summed, plus an open one so far."""

    kind: MemberKind
    id: str
    display_name: str
    #: A participant's role, or "clinician".
    role: str
    first_joined_at: Timestamp
    last_left_at: Timestamp | None
    seconds: int
    in_call: bool


class VisitAnswer(Struct, kw_only=True):
    """`GET /api/consultations/{id}/visit`: when it started and ended, who took part and
    for how long. No media is recorded."""

    started_at: Timestamp | None
    ended_at: Timestamp | None
    members: list[VisitMemberAnswer]
