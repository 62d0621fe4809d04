"""Validates and normalises where a participant is reached: a mobile phone, an email address.

Phone numbers become E.164 (`+33612345678`) with the `phonenumbers` library; a number
written without its country code is read in the clinic's region. Only numbers that can
receive SMS and WhatsApp are accepted (mobile, or "fixed line or mobile" where a country's
plan does not tell them apart, as in North America): a landline would accept the invitation
and silently never deliver it. Email addresses are checked for shape only (one `@`, a
local part, a domain with a dot); the domain is lower-cased, the local part kept.

Bad input raises `InvalidField` naming the field ("phone" or "email"); the message never
repeats the value, so no personal data reaches logs or error responses.

`phonenumbers` (its metadata for every country) is imported on the first phone number, not
with the module: most Lambda invocations never read one, and cold starts stay short.
"""

from __future__ import annotations

import re

from chalicelib.errors import InvalidField

#: Types that can receive SMS and WhatsApp messages (`phonenumbers.PhoneNumberType` names).
MESSAGING_TYPES = frozenset({"MOBILE", "FIXED_LINE_OR_MOBILE"})
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
MAX_LOCAL_PART_LENGTH = 64
_LOCAL_PART = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def normalise_phone(raw: str, default_region: str) -> str:
    """`raw` as E.164; national numbers are read in `default_region` (ISO code, e.g. "FR")."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

    text = raw.strip()
    if not text:
        raise InvalidField("phone", "phone is required")
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except NumberParseException:
        raise InvalidField("phone", "phone is not a phone number") from None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise InvalidField("phone", "phone is not a valid number for its country")
    messaging_types = {getattr(PhoneNumberType, name) for name in MESSAGING_TYPES}
    if phonenumbers.number_type(number) not in messaging_types:
        raise InvalidField("phone", "phone must be a mobile number that can receive SMS")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """`raw` trimmed, with its domain lower-cased; raises `InvalidField("email", ...)`."""
    text = raw.strip()
    if not text:
        raise InvalidField("email", "email is required")
    if len(text) > MAX_EMAIL_LENGTH:
        raise InvalidField("email", f"email must be at most {MAX_EMAIL_LENGTH} characters")
    local, at, domain = text.rpartition("@")
    if not at or not _valid_local_part(local) or not _valid_domain(domain):
        raise InvalidField("email", "email is not a valid email address")
    return f"{local}@{domain.lower()}"


def _valid_local_part(local: str) -> bool:
    return (
        0 < len(local) <= MAX_LOCAL_PART_LENGTH
        and _LOCAL_PART.match(local) is not None
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
    )


def _valid_domain(domain: str) -> bool:
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_domain.split(".")
    return (
        len(labels) >= 2
        and all(_DOMAIN_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )
