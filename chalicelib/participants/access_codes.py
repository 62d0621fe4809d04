"""Optional 6-digit access codes for participant links, sent on the other channel.

A code is drawn with `secrets`; the link's `LinkToken` keeps only an HMAC-SHA256 of it keyed
by the link token itself. The table holds only the token's hash, so a leaked table cannot be
used to guess the million possible codes offline: that needs the link too.

The code travels on the channel the link did not: a link by email gets its code by SMS, a
link by SMS or WhatsApp gets its code by email. A participant without that other channel
cannot have a code: `other_channel` refuses with `InvalidField("access_code")` so the
clinician fixes the contact details (or drops the code) when creating the consultation,
rather than the participant being stuck in front of a code they never received.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from chalicelib.errors import InvalidField
from chalicelib.messaging.courier import Courier, Outcome
from chalicelib.store.enums import PHONE_CHANNELS, Channel
from chalicelib.store.models import Clinic, Consultation, Participant

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(link_token: str, code: str) -> str:
    """What the link's item stores: the code's HMAC under the (never stored) link token."""
    return hmac.new(link_token.encode("utf-8"), code.encode("utf-8"), hashlib.sha256).hexdigest()


def matches(link_token: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(link_token, code.strip()), stored_hash)


def other_channel(participant: Participant, link_channel: str) -> str:
    """The channel the code goes on; `InvalidField` when the participant lacks it."""
    if link_channel == Channel.EMAIL:
        if not participant.phone:
            raise InvalidField(
                "access_code", "an access code for a link by email needs a phone number for SMS"
            )
        return Channel.SMS
    if link_channel in PHONE_CHANNELS:
        if not participant.email:
            raise InvalidField(
                "access_code", "an access code for a link by SMS or WhatsApp needs an email"
            )
        return Channel.EMAIL
    raise InvalidField("channel", "channel must be one of sms, email, whatsapp")


def send_on_other_channel(
    courier: Courier,
    consultation: Consultation,
    participant: Participant,
    code: str,
    *,
    link_channel: str,
    clinic: Clinic,
    attempt: int,
) -> Outcome:
    """Send `code` on the channel the link did not use; the courier records the delivery."""
    channel = other_channel(participant, link_channel)
    return courier.send_access_code(
        consultation, participant, code, channel, clinic=clinic, attempt=attempt
    )
