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
    #: A clinician ended it for everyone (`chalicelib.call.ending`).
    ENDED = "ended"


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
    DELAY = "delay"
    CALLED = "called"


class DeliveryStatus(StrEnum):
    """A send's state in the ledger; `DUPLICATE` is only returned, never stored."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DUPLICATE = "duplicate"


class Presence(StrEnum):
    """Where a participant is on their way in (`Participant.presence`)."""

    INVITED = "invited"
    LINK_OPENED = "link_opened"
    TERMS_ACCEPTED = "terms_accepted"
    DEVICE_CHECKED = "device_checked"
    WAITING = "waiting"
    IN_CALL = "in_call"
    LEFT = "left"


class Light(StrEnum):
    """A device check's verdict on one thing (camera, microphone, speaker, connection)."""

    GREEN = "green"
    ORANGE = "orange"
    RED = "red"


class CallAnswer(StrEnum):
    """A rung participant's answer to a call (`call.answer`)."""

    VIDEO = "video"
    AUDIO = "audio"
    DECLINE = "decline"


class JoinWith(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
