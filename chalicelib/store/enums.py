"""The shared names of the values the tables hold: channels, statuses, roles, purposes.

Code branches on these members, never on bare strings. Each is a `StrEnum`, so a member is
the very string stored in DynamoDB and sent in JSON (`Channel.SMS == "sms"`), and the
OpenAPI document lists the same values (`chalicelib.routes.schemas`). Languages are not
here: they are the catalogues' (`chalicelib.i18n.languages`).
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How a message reaches a participant."""

    SMS = "sms"
    EMAIL = "email"
    WHATSAPP = "whatsapp"


#: The channels that need a phone number.
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


class ConsultationStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ParticipantRole(StrEnum):
    PATIENT = "patient"
    FAMILY = "family"
    INTERPRETER = "interpreter"
    PROFESSIONAL = "professional"


#: The roles a guest (anyone but the patient) may have.
GUEST_ROLES = (ParticipantRole.FAMILY, ParticipantRole.INTERPRETER, ParticipantRole.PROFESSIONAL)


class MessagePurpose(StrEnum):
    """What a message to a participant is for (and the send ledger's key part)."""

    INVITATION = "invitation"
    REMINDER = "reminder"
    ACCESS_CODE = "access_code"
    CANCELLATION = "cancellation"
    CHANGE = "change"


class DeliveryStatus(StrEnum):
    """A send's state in the ledger; `DUPLICATE` is only returned, never stored."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DUPLICATE = "duplicate"
