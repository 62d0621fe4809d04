"""Turns the consultation routes' checked bodies (`request_bodies`) into typed requests.

The Structs have checked types, lengths and ranges; this adds what a schema cannot say.
Every check names the offending field (`InvalidField`), with dotted names inside the patient
(`patient.phone`), so the clinic UI can point at it; messages never repeat the value. Phone
numbers must be written in international form (`+33 6 12 ...`): a clinic has a time zone
but no country, so a national number could not be read reliably. A start time must lie
between a day ago and a year ahead: a consultation's items expire some time after it ends,
and DynamoDB's TTL never deletes an item whose expiry lies more than five years back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TypeVar
from zoneinfo import available_timezones

from msgspec import UNSET, UnsetType

from chalicelib.consultations.request_bodies import (
    InvitationBody,
    NewConsultationBody,
    NewGuestBody,
    ParticipantChangeBody,
    ParticipantDetailsBody,
    ScheduleChangeBody,
)
from chalicelib.errors import InvalidField
from chalicelib.i18n.languages import Language
from chalicelib.messaging.contact_points import normalise_email, normalise_phone
from chalicelib.store.enums import PHONE_CHANNELS, Channel, ParticipantRole

#: phonenumbers' "unknown region": only numbers with their `+<country code>` are read.
INTERNATIONAL_ONLY = "ZZ"
#: How far from now a consultation may start.
EARLIEST, LATEST = timedelta(days=1), timedelta(days=365)
#: Files in the zone database that are not zones people live in.
NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
#: What `PATCH .../participants/{id}` may change (`ParticipantChangeBody`'s fields).
CHANGEABLE = ParticipantChangeBody.__struct_fields__

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class ParticipantDetails:
    """Who a participant is and how to reach them; contacts normalised, channels checked."""

    display_name: str
    phone: str | None
    email: str | None
    channels: tuple[str, ...]
    language: str | None


@dataclass(frozen=True, kw_only=True)
class NewConsultation:
    starts_at: datetime  # UTC
    time_zone: str
    duration_minutes: int
    language: str
    clinician_ids: tuple[str, ...]
    patient: ParticipantDetails
    access_code_required: bool


@dataclass(frozen=True, kw_only=True)
class NewGuest:
    role: str
    details: ParticipantDetails


@dataclass(frozen=True, kw_only=True)
class ScheduleChange:
    """What a PATCH changes; `None` leaves a value as it is."""

    starts_at: datetime | None = None
    time_zone: str | None = None
    duration_minutes: int | None = None
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class InvitationRequest:
    channel: str
    resend: bool
    #: Set by a client that retries a request: the same attempt is sent at most once.
    attempt: int | None


def new_consultation(
    body: NewConsultationBody, *, caller_id: str, now: datetime
) -> NewConsultation:
    return NewConsultation(
        starts_at=_moment(body.starts_at, "starts_at", now),
        time_zone=_time_zone(body.time_zone, "time_zone"),
        duration_minutes=body.duration_minutes,
        language=body.language.value,
        clinician_ids=tuple(dict.fromkeys(body.clinician_ids or [caller_id])),
        patient=_details(body.patient, "patient"),
        access_code_required=body.access_code_required,
    )


def schedule_change(body: ScheduleChangeBody, *, now: datetime) -> ScheduleChange:
    change = ScheduleChange(
        starts_at=_given(body.starts_at, lambda value: _moment(value, "starts_at", now)),
        time_zone=_given(body.time_zone, lambda value: _time_zone(value, "time_zone")),
        duration_minutes=_given(body.duration_minutes, int),
        language=_given(body.language, lambda value: str(value.value)),
    )
    if change == ScheduleChange():
        raise InvalidField(
            "starts_at", "give at least one of starts_at, time_zone, duration_minutes, language"
        )
    return change


def invitation_request(body: InvitationBody) -> InvitationRequest:
    return InvitationRequest(channel=body.channel, resend=body.resend, attempt=body.attempt)


def new_guest(body: NewGuestBody) -> NewGuest:
    """A guest to add: a role besides the patient's, and their details (flat fields)."""
    if body.role == ParticipantRole.PATIENT:
        raise InvalidField("role", "`role` must be a guest's: family, interpreter, professional")
    details = _details(body)
    if details.phone is None and details.email is None:
        raise InvalidField("phone", "a guest needs a phone number or an email address")
    return NewGuest(role=body.role, details=details)


def participant_change(
    body: ParticipantChangeBody, current: ParticipantDetails
) -> ParticipantDetails:
    """`current` with the fields `body` gives; the result is checked as a whole.

    An empty string or null removes a phone number or an email address; the channels must
    still have their contact, so removing one usually goes with new `channels`.
    """
    given = {name: getattr(body, name) for name in CHANGEABLE}
    if all(value is UNSET for value in given.values()):
        raise InvalidField("display_name", f"give at least one of {', '.join(CHANGEABLE)}")
    merged = ParticipantDetailsBody(
        display_name=_or(body.display_name, current.display_name),
        phone=_or(body.phone, current.phone),
        email=_or(body.email, current.email),
        channels=_or(body.channels, [Channel(channel) for channel in current.channels]),
        language=_or(body.language, _language(current.language)),
    )
    return _details(merged)


def _details(body: ParticipantDetailsBody, prefix: str = "") -> ParticipantDetails:
    """A participant's name, contacts, channels and language; fields named `<prefix>.x`."""
    field = _naming(prefix)
    name = body.display_name.strip()
    if not name:
        raise InvalidField(field("display_name"), f"`{field('display_name')}` is required")
    try:
        phone = normalise_phone(body.phone, INTERNATIONAL_ONLY) if body.phone else None
    except InvalidField as error:
        raise InvalidField(field("phone"), field(error.message)) from None
    try:
        email = normalise_email(body.email) if body.email else None
    except InvalidField as error:
        raise InvalidField(field("email"), field(error.message)) from None
    if phone is None and PHONE_CHANNELS.intersection(body.channels):
        raise InvalidField(field("phone"), f"sms and whatsapp need `{field('phone')}`")
    if email is None and Channel.EMAIL in body.channels:
        raise InvalidField(field("email"), f"email needs `{field('email')}`")
    return ParticipantDetails(
        display_name=name,
        phone=phone,
        email=email,
        channels=tuple(dict.fromkeys(str(channel) for channel in body.channels)),
        language=None if body.language is None else str(body.language),
    )


def _language(code: str | None) -> Language | None:
    return None if code is None else Language(code)


def _naming(prefix: str) -> Callable[[str], str]:
    """Names a field inside `prefix` (`patient.phone`), or alone when there is none."""
    return lambda name: f"{prefix}.{name}" if prefix else name


def _given(value: T | UnsetType, convert: Callable[[T], R]) -> R | None:
    return None if isinstance(value, UnsetType) else convert(value)


def _or(value: T | UnsetType, current: T) -> T:
    return current if isinstance(value, UnsetType) else value


def _moment(moment: datetime, field: str, now: datetime) -> datetime:
    """`moment` in UTC, when it lies between a day ago and a year ahead."""
    # Aware datetimes compare without conversion, so year 1 or 9999 cannot overflow here.
    if not now - EARLIEST <= moment <= now + LATEST:
        raise InvalidField(field, f"`{field}` must be at most a day ago and a year ahead")
    return moment.astimezone(UTC)


def _time_zone(value: str, field: str) -> str:
    if value not in time_zones():
        raise InvalidField(field, f"`{field}` must be an IANA time zone")
    return value


@cache
def time_zones() -> frozenset[str]:
    """The IANA zones the system knows, without the database's helper files."""
    return frozenset(available_timezones()) - NOT_ZONES
