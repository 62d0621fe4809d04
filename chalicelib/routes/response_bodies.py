"""Every REST answer's body, written once as a msgspec Struct.

Routes build these (`answer(ConsultationAnswer(...))` in `chalicelib.routes.clinician_api`)
and the OpenAPI document's schemas are generated from them, so what the API returns and
what it documents cannot drift. Times are ISO 8601 strings with their UTC offset.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from chalicelib.errors import (
    AccessCodeRequired,
    CancelledLink,
    ExpiredLink,
    LinkLocked,
    UnknownLink,
    WrongAccessCode,
)
from chalicelib.i18n.languages import Language
from chalicelib.routes.clinic_settings_bodies import ClinicSettingsAnswer
from chalicelib.routes.waiting_room_bodies import (
    DelayAnswer,
    DeviceCheckAnswer,
    WaitingSummaryAnswer,
)
from chalicelib.store.enums import (
    Channel,
    ConsultationStatus,
    DeliveryStatus,
    JoinWith,
    MessagePurpose,
    ParticipantRole,
)

Timestamp = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]

# Made from the error classes, so a new refusal reason is documented with its class.
LinkRefusalReason = StrEnum(  # type: ignore[misc]
    "LinkRefusalReason",
    {
        refusal.reason.upper(): refusal.reason
        for refusal in (
            UnknownLink,
            ExpiredLink,
            CancelledLink,
            AccessCodeRequired,
            WrongAccessCode,
            LinkLocked,
        )
    },
)


class ErrorDetail(Struct, kw_only=True):
    code: str
    message: str
    field: str | UnsetType = UNSET
    retry_after: int | UnsetType = UNSET
    reason: str | UnsetType = UNSET


class ErrorAnswer(Struct, kw_only=True):
    """Every error: clients branch on `error.code`; `error.field` names a bad field."""

    error: ErrorDetail


class LinkRefusal(Struct, kw_only=True):
    code: Literal["link_refused"]
    reason: LinkRefusalReason
    message: str
    title: str | UnsetType = UNSET
    retry_after: int | UnsetType = UNSET


class LinkRefusedAnswer(Struct, kw_only=True):
    """A participant link cannot be used: a `reason` and a message in their language."""

    error: LinkRefusal


# --- health and sign-in -------------------------------------------------------------------


class HealthAnswer(Struct, kw_only=True):
    status: Literal["ok", "degraded"]
    stage: str
    checks: dict[str, Literal["ok", "unavailable"]]


class SignInLinkAnswer(Struct, kw_only=True):
    status: Literal["sent_if_known"]


class ClinicianAnswer(Struct, kw_only=True):
    clinician_id: str
    clinic_id: str
    display_name: str


class ClinicianSessionAnswer(Struct, kw_only=True):
    clinician: ClinicianAnswer
    csrf_token: str
    expires_in: int


class WhoAmIAnswer(Struct, kw_only=True):
    clinician: ClinicianAnswer
    csrf_token: str


class TicketAnswer(Struct, kw_only=True):
    ticket: str
    expires_in: int


# --- consultations and participants -----------------------------------------------------


class DeliveryAnswer(Struct, kw_only=True):
    """One message's latest attempt, as the clinic UI shows it."""

    channel: Channel
    purpose: MessagePurpose
    status: DeliveryStatus
    attempt: int
    at: Timestamp
    reason: str | None
    message_id: str | None


class ParticipantAnswer(Struct, kw_only=True):
    participant_id: str
    role: ParticipantRole
    display_name: str
    phone: str | None
    email: str | None
    language: Language
    channels: list[Channel]
    presence: str | None
    deliveries: list[DeliveryAnswer]
    # The waiting room (issue 9): where the participant is on their way in.
    waiting_since: Timestamp | None = None
    device_check: DeviceCheckAnswer | None = None
    join_with: JoinWith | None = None
    notify_when_called: bool = False


class ConsultationAnswer(Struct, kw_only=True):
    consultation_id: str
    clinic_id: str
    status: ConsultationStatus
    starts_at: Timestamp | None
    time_zone: str
    duration_minutes: int
    language: Language
    access_code_required: bool
    clinician_ids: list[str]
    participants: list[ParticipantAnswer]
    # The waiting room (issue 9): the latest "running late" and the Start count.
    delay: DelayAnswer | None = None
    call_number: int = 0
    #: Chat messages the signed-in clinician has not read (issue 10).
    unread_messages: int = 0


class DayEntryAnswer(Struct, kw_only=True):
    consultation_id: str
    starts_at: Timestamp
    duration_minutes: int
    status: ConsultationStatus
    patient_display_name: str | None
    #: Its participants' places on the way in (the dashboard's waiting summary).
    waiting: list[WaitingSummaryAnswer] = []
    delay: DelayAnswer | None = None
    #: Chat messages the signed-in clinician has not read (issue 10).
    unread_messages: int = 0
    #: The signed-in clinician is on it: its chat is theirs to read and answer.
    chat_member: bool = False


class DayAnswer(Struct, kw_only=True):
    consultations: list[DayEntryAnswer]


class SendOutcomeAnswer(Struct, kw_only=True):
    """A send's outcome; `duplicate`: this attempt was sent before, nothing was sent now."""

    channel: Channel
    purpose: MessagePurpose
    attempt: int
    status: DeliveryStatus
    reason: str | None
    message_id: str | None


class InvitationAnswer(SendOutcomeAnswer, kw_only=True):
    """The invitation's outcome, and the access code's on the other channel if one was sent."""

    access_code: SendOutcomeAnswer | None


class ShownLinkAnswer(Struct, kw_only=True):
    """A new personal link to show on screen, its QR code (SVG), and its access code."""

    url: str
    qr_svg: str
    access_code: str | None
    expires_at: Timestamp


class ColleagueAnswer(Struct, kw_only=True):
    clinician_id: str
    display_name: str


class ClinicAnswer(Struct, kw_only=True):
    clinic_id: str
    name: str
    time_zone: str
    default_language: Language
    languages: list[Language]
    channels: list[Channel]
    reminder_lead_minutes: int
    clinicians: list[ColleagueAnswer]
    #: The waiting-room settings (`PATCH /api/clinic/settings` changes them).
    settings: ClinicSettingsAnswer


# --- participants' own session ----------------------------------------------------------


class ParticipantSessionAnswer(Struct, kw_only=True):
    consultation_id: str
    participant_id: str
    language: Language
    expires_in: int


class ParticipantWhoAmIAnswer(Struct, kw_only=True):
    consultation_id: str
    participant_id: str
    role: ParticipantRole
    language: Language
    clinic_name: str
    starts_at: Timestamp | None


class ParticipantTextsAnswer(Struct, kw_only=True):
    language: Language
    texts: dict[str, str]


class OpenApiAnswer(Struct, kw_only=True):
    """The OpenAPI 3.1 document itself."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]
