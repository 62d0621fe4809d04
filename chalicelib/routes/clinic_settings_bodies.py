"""Request and answer bodies of the clinic's waiting-room settings and a clinician's phone.

The bounds live here, in the body: decoding refuses a value out of range with a 400 that
names its field (`join_opens_minutes_before`), before anything is written.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

#: The bounds of each setting, in minutes (the settings page shows the same).
JOIN_WINDOW = Meta(ge=0, le=120, description="Minutes before the appointment the room opens.")
REMINDER_LEAD = Meta(ge=0, le=120, description="Minutes before the appointment reminders go.")
LATE_INTERVAL = Meta(ge=1, le=30, description="Minutes between two late notices.")

LateNoticeChannel = Literal["email", "sms"]


class ClinicSettingsBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`PATCH /api/clinic/settings`: only the settings to change (absent or null: unchanged)."""

    join_opens_minutes_before: Annotated[int, JOIN_WINDOW] | None = None
    reminder_lead_minutes: Annotated[int, REMINDER_LEAD] | None = None
    late_notice_interval_minutes: Annotated[int, LATE_INTERVAL] | None = None
    late_notice_channel: LateNoticeChannel | None = None
    #: Whether participants still see the chat after the consultation ended.
    chat_after_end: bool | None = None


class ClinicSettingsAnswer(Struct, kw_only=True):
    """The clinic's waiting-room settings."""

    join_opens_minutes_before: int
    reminder_lead_minutes: int
    late_notice_interval_minutes: int
    late_notice_channel: LateNoticeChannel
    chat_after_end: bool


class PhoneBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`PUT /api/clinician/phone`: a mobile number with its country code; null or "" removes it."""

    phone: Annotated[str, Meta(max_length=40)] | None


class PhoneAnswer(Struct, kw_only=True):
    """The signed-in clinician's own mobile number (E.164), or null."""

    phone: str | None
