"""The consultation routes' request bodies and query strings, each written once as a Struct.

A msgspec `Struct` both checks a body (types, lengths, ranges, channels, roles and
languages, naming the field of the first problem) and describes it: the OpenAPI document is
generated from these (`chalicelib.routes.openapi_document`). What a schema cannot say (a
real phone number, an IANA time zone, a start time within bounds, a guest's role not being
the patient's) is checked when `chalicelib.consultations.parsing` turns a body into the
domain's request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from chalicelib.i18n.languages import Language
from chalicelib.store.enums import Channel, ParticipantRole

MIN_DURATION_MINUTES, MAX_DURATION_MINUTES = 5, 240
MAX_CLINICIANS = 4

Moment = Annotated[
    datetime,
    Meta(tz=True, description="ISO 8601 with its UTC offset, at most a day ago, a year ahead"),
]
TimeZone = Annotated[str, Meta(min_length=1, max_length=64, description="An IANA time zone.")]
Duration = Annotated[int, Meta(ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES)]
DisplayName = Annotated[str, Meta(min_length=1, max_length=120)]
Phone = Annotated[str, Meta(max_length=254, description="International form (+...).")]
Email = Annotated[str, Meta(max_length=254, extra_json_schema={"format": "email"})]
Channels = Annotated[list[Channel], Meta(min_length=1)]
ClinicianIds = Annotated[
    list[Annotated[str, Meta(min_length=1, max_length=64)]],
    Meta(min_length=1, max_length=MAX_CLINICIANS),
]
Attempt = Annotated[int, Meta(ge=1, le=100)]


class ParticipantDetailsBody(Struct, kw_only=True):
    """A participant's name, contacts, channels and language. An empty contact is none."""

    display_name: DisplayName
    phone: Phone | None = None
    email: Email | None = None
    channels: Channels
    language: Language | None = None


class NewConsultationBody(Struct, kw_only=True):
    """`POST /api/consultations`; `clinician_ids` defaults to the caller."""

    starts_at: Moment
    time_zone: TimeZone
    duration_minutes: Duration
    language: Language
    patient: ParticipantDetailsBody
    clinician_ids: ClinicianIds | None = None
    access_code_required: bool = False


class ScheduleChangeBody(Struct, kw_only=True):
    """`PATCH /api/consultations/{id}`: at least one field; the others stay as they are."""

    starts_at: Moment | UnsetType = UNSET
    time_zone: TimeZone | UnsetType = UNSET
    duration_minutes: Duration | UnsetType = UNSET
    language: Language | UnsetType = UNSET


class InvitationBody(Struct, kw_only=True):
    """`POST .../invitations`: a retry with the same `attempt` sends nothing."""

    channel: Channel
    resend: bool = False
    attempt: Attempt | None = None


class NewGuestBody(ParticipantDetailsBody, kw_only=True):
    """`POST .../participants`: a guest's details (flat) and a role besides the patient's."""

    role: ParticipantRole


class ParticipantChangeBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`PATCH .../participants/{id}`: the fields given change; null removes a contact."""

    display_name: DisplayName | UnsetType = UNSET
    phone: Phone | UnsetType | None = UNSET
    email: Email | UnsetType | None = UNSET
    channels: Channels | UnsetType = UNSET
    language: Language | UnsetType | None = UNSET


class DayQuery(Struct, kw_only=True):
    """`GET /api/consultations?day=&mine=`: the clinic's local day (today by default)."""

    day: date | None = None
    mine: bool = False
