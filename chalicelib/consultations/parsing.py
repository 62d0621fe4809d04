"""Reads the consultation routes' JSON bodies and query strings into typed requests.

Every check names the offending field (`InvalidField`), with dotted names inside the patient
(`patient.phone`, `patient.channels`), so the clinic UI can point at it; messages never
repeat the value. Phone numbers must be written in international form (`+33 6 12 ...`): a
clinic has a time zone but no country, so a national number could not be read reliably.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.errors import InvalidField
from chalicelib.i18n.catalogue import available_languages
from chalicelib.messaging.contact_points import normalise_email, normalise_phone
from chalicelib.store.enums import GUEST_ROLES, PHONE_CHANNELS, Channel

MIN_DURATION_MINUTES, MAX_DURATION_MINUTES = 5, 240
MAX_CLINICIANS = 4
#: phonenumbers' "unknown region": only numbers with their `+<country code>` are read.
INTERNATIONAL_ONLY = "ZZ"
#: What `PATCH .../participants/{id}` may change.
CHANGEABLE = ("display_name", "phone", "email", "channels", "language")


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


def new_consultation(body: dict[str, Any], *, caller_id: str) -> NewConsultation:
    clinician_ids = body.get("clinician_ids", [caller_id])
    if (
        not isinstance(clinician_ids, list)
        or not 1 <= len(clinician_ids) <= MAX_CLINICIANS
        or not all(isinstance(item, str) and item for item in clinician_ids)
    ):
        raise InvalidField(
            "clinician_ids", f"`clinician_ids` must list 1 to {MAX_CLINICIANS} clinician ids"
        )
    access_code_required = body.get("access_code_required", False)
    if not isinstance(access_code_required, bool):
        raise InvalidField("access_code_required", "`access_code_required` must be a boolean")
    return NewConsultation(
        starts_at=_moment(body.get("starts_at"), "starts_at"),
        time_zone=_time_zone(body.get("time_zone"), "time_zone"),
        duration_minutes=_duration(body.get("duration_minutes"), "duration_minutes"),
        language=_language(body.get("language"), "language"),
        clinician_ids=tuple(dict.fromkeys(clinician_ids)),
        patient=_details(body.get("patient"), "patient"),
        access_code_required=access_code_required,
    )


def schedule_change(body: dict[str, Any]) -> ScheduleChange:
    change = ScheduleChange(
        starts_at=_moment(body["starts_at"], "starts_at") if "starts_at" in body else None,
        time_zone=_time_zone(body["time_zone"], "time_zone") if "time_zone" in body else None,
        duration_minutes=(
            _duration(body["duration_minutes"], "duration_minutes")
            if "duration_minutes" in body
            else None
        ),
        language=_language(body["language"], "language") if "language" in body else None,
    )
    if change == ScheduleChange():
        raise InvalidField(
            "starts_at", "give at least one of starts_at, time_zone, duration_minutes, language"
        )
    return change


def invitation_request(body: dict[str, Any]) -> InvitationRequest:
    channel = body.get("channel")
    if channel not in tuple(Channel):
        raise InvalidField("channel", f"`channel` must be one of {', '.join(tuple(Channel))}")
    resend = body.get("resend", False)
    if not isinstance(resend, bool):
        raise InvalidField("resend", "`resend` must be a boolean")
    attempt = body.get("attempt")
    if attempt is not None and (
        not isinstance(attempt, int) or isinstance(attempt, bool) or not 1 <= attempt <= 100
    ):
        raise InvalidField("attempt", "`attempt` must be an integer from 1 to 100")
    return InvitationRequest(channel=str(channel), resend=resend, attempt=attempt)


def new_guest(body: dict[str, Any]) -> NewGuest:
    """A guest to add: a role besides the patient's, and their details (flat fields)."""
    role = body.get("role")
    if role not in GUEST_ROLES:
        raise InvalidField("role", f"`role` must be one of {', '.join(GUEST_ROLES)}")
    details = _details(body)
    if details.phone is None and details.email is None:
        raise InvalidField("phone", "a guest needs a phone number or an email address")
    return NewGuest(role=str(role), details=details)


def participant_change(body: dict[str, Any], current: ParticipantDetails) -> ParticipantDetails:
    """`current` with the fields `body` gives; the result is checked as a whole.

    An empty string or null removes a phone number or an email address; the channels must
    still have their contact, so removing one usually goes with new `channels`.
    """
    unknown = sorted(set(body) - set(CHANGEABLE))
    if unknown:
        raise InvalidField(unknown[0], f"`{unknown[0]}` cannot be changed here")
    if not body:
        raise InvalidField("display_name", f"give at least one of {', '.join(CHANGEABLE)}")
    merged = {
        "display_name": current.display_name,
        "phone": current.phone,
        "email": current.email,
        "channels": list(current.channels),
        "language": current.language,
        **body,
    }
    return _details(merged)


def day_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField("day", "`day` must be a date, YYYY-MM-DD") from None


def flag_of(text: str | None, field: str) -> bool:
    if text is None or text in ("false", "0"):
        return False
    if text in ("true", "1"):
        return True
    raise InvalidField(field, f"`{field}` must be true or false")


def _details(value: Any, prefix: str = "") -> ParticipantDetails:
    """A participant's name, contacts, channels and language; fields named `<prefix>.x`."""
    field = _naming(prefix)
    if not isinstance(value, dict):
        raise InvalidField(prefix, f"`{prefix}` is required and must be an object")
    name = value.get("display_name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        raise InvalidField(field("display_name"), f"`{field('display_name')}` is required")
    phone = _contact(value.get("phone"), field("phone"))
    email = _contact(value.get("email"), field("email"))
    try:
        phone = normalise_phone(phone, INTERNATIONAL_ONLY) if phone is not None else None
    except InvalidField as error:
        raise InvalidField(field("phone"), field(error.message)) from None
    try:
        email = normalise_email(email) if email is not None else None
    except InvalidField as error:
        raise InvalidField(field("email"), field(error.message)) from None
    channels = value.get("channels")
    if (
        not isinstance(channels, list)
        or not channels
        or any(c not in tuple(Channel) for c in channels)
    ):
        raise InvalidField(
            field("channels"),
            f"`{field('channels')}` must list some of {', '.join(tuple(Channel))}",
        )
    if phone is None and PHONE_CHANNELS.intersection(channels):
        raise InvalidField(field("phone"), f"sms and whatsapp need `{field('phone')}`")
    if email is None and Channel.EMAIL in channels:
        raise InvalidField(field("email"), f"email needs `{field('email')}`")
    language = value.get("language")
    return ParticipantDetails(
        display_name=name.strip(),
        phone=phone,
        email=email,
        channels=tuple(dict.fromkeys(channels)),
        language=None if language is None else _language(language, field("language")),
    )


def _naming(prefix: str) -> Callable[[str], str]:
    """Names a field inside `prefix` (`patient.phone`), or alone when there is none."""
    return lambda name: f"{prefix}.{name}" if prefix else name


def _contact(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 254:
        raise InvalidField(field, f"`{field}` must be a string")
    return value


def _moment(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidField(field, f"`{field}` must be an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, f"`{field}` must be an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise InvalidField(field, f"`{field}` must carry its UTC offset")
    return moment.astimezone(UTC)


def _time_zone(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InvalidField(field, f"`{field}` must be an IANA time zone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidField(field, f"`{field}` must be an IANA time zone") from None
    return value


def _duration(value: Any, field: str) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not MIN_DURATION_MINUTES <= value <= MAX_DURATION_MINUTES
    ):
        raise InvalidField(
            field,
            f"`{field}` must be {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes",
        )
    return value


def _language(value: Any, field: str) -> str:
    if value not in available_languages():
        raise InvalidField(field, f"`{field}` must be one of {', '.join(available_languages())}")
    return str(value)
