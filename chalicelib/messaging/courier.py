"""Sends a participant's invitation, reminder, access code or notice on one channel, once.

`Courier` checks that the channel can be used (the participant has a phone or an email,
the clinic has WhatsApp, the deployment has a sender address), claims the send in the
ledger, sends, and records the outcome. A provider's refusal (SES `MessageRejected`, an
invalid number, throttling, an unreachable endpoint) does not raise: it is recorded as
"failed" with the provider's error code, and returned, because the clinician acts on it
(resend, or send by the other channel) and a Lambda retry could not help: the claim is
taken. Problems the caller must fix raise instead, before anything is claimed:
`InvalidField("channel")` for an unusable channel, `ConfigError` without a sender address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.errors import ConfigError, InvalidField
from chalicelib.messaging import compose
from chalicelib.messaging.email import EmailSender
from chalicelib.messaging.ledger import DeliveryLedger
from chalicelib.messaging.provider_errors import SendRefused
from chalicelib.messaging.sms import SmsSender
from chalicelib.messaging.whatsapp import WhatsAppSender
from chalicelib.observability import logger
from chalicelib.store.enums import Channel, DeliveryStatus, MessagePurpose
from chalicelib.store.models import Clinic, Consultation, Participant


@dataclass(frozen=True)
class Outcome:
    channel: str
    purpose: str
    attempt: int
    status: str  # "sent" | "failed" | "duplicate"
    reason: str | None = None
    message_id: str | None = None


class Courier:
    def __init__(
        self,
        *,
        sms: SmsSender,
        email: EmailSender | None,
        whatsapp: WhatsAppSender,
        ledger: DeliveryLedger,
    ) -> None:
        self._sms = sms
        self._email = email
        self._whatsapp = whatsapp
        self._ledger = ledger

    @property
    def sms_sender(self) -> SmsSender:
        """The SMS sender, for messages to clinicians (no participant ledger): one client."""
        return self._sms

    def send_invitation(
        self,
        consultation: Consultation,
        participant: Participant,
        link: str,
        channel: str,
        *,
        clinic: Clinic,
        attempt: int = 1,
    ) -> Outcome:
        occasion = _occasion(clinic, consultation, participant, link)
        message = compose.invitation(occasion)
        return self._send(clinic, participant, channel, MessagePurpose.INVITATION, attempt, message)

    def send_reminder(
        self,
        consultation: Consultation,
        participant: Participant,
        link: str,
        channel: str,
        *,
        clinic: Clinic,
        minutes: int,
        attempt: int = 1,
    ) -> Outcome:
        occasion = _occasion(clinic, consultation, participant, link)
        message = compose.reminder(occasion, minutes)
        return self._send(clinic, participant, channel, MessagePurpose.REMINDER, attempt, message)

    def send_access_code(
        self,
        consultation: Consultation,
        participant: Participant,
        code: str,
        channel: str,
        *,
        clinic: Clinic,
        attempt: int = 1,
    ) -> Outcome:
        occasion = _occasion(clinic, consultation, participant, link="")
        message = compose.access_code(occasion, code)
        return self._send(
            clinic, participant, channel, MessagePurpose.ACCESS_CODE, attempt, message
        )

    def send_cancellation(
        self,
        consultation: Consultation,
        participant: Participant,
        channel: str,
        *,
        clinic: Clinic,
        attempt: int = 1,
    ) -> Outcome:
        occasion = _occasion(clinic, consultation, participant, link="")
        message = compose.cancellation(occasion)
        return self._send(
            clinic, participant, channel, MessagePurpose.CANCELLATION, attempt, message
        )

    def send_change(
        self,
        consultation: Consultation,
        participant: Participant,
        link: str,
        channel: str,
        *,
        clinic: Clinic,
        attempt: int,
    ) -> Outcome:
        """The notice of a new start time (the consultation's, already saved), with `link`."""
        occasion = _occasion(clinic, consultation, participant, link)
        message = compose.change(occasion)
        return self._send(clinic, participant, channel, MessagePurpose.CHANGE, attempt, message)

    def send_delay(
        self,
        consultation: Consultation,
        participant: Participant,
        channel: str,
        *,
        clinic: Clinic,
        minutes: int,
        note: str | None,
        attempt: int,
    ) -> Outcome:
        """ "Running late"; `attempt` is the delay's number, so each delay goes out once."""
        occasion = _occasion(clinic, consultation, participant, link="")
        message = compose.delay(occasion, minutes, note)
        return self._send(clinic, participant, channel, MessagePurpose.DELAY, attempt, message)

    def send_called(
        self,
        consultation: Consultation,
        participant: Participant,
        link: str,
        channel: str,
        *,
        clinic: Clinic,
        attempt: int,
    ) -> Outcome:
        """The clinician is ready; `attempt` is the call number: once per call."""
        occasion = _occasion(clinic, consultation, participant, link)
        message = compose.called(occasion)
        return self._send(clinic, participant, channel, MessagePurpose.CALLED, attempt, message)

    def _send(
        self,
        clinic: Clinic,
        participant: Participant,
        channel: str,
        purpose: str,
        attempt: int,
        message: compose.Composed,
    ) -> Outcome:
        transmit = self._transmitter(clinic, participant, channel, purpose, message)
        if not self._ledger.claim(participant, channel, purpose, attempt):
            return _logged(Outcome(channel, purpose, attempt, DeliveryStatus.DUPLICATE))
        try:
            message_id = transmit()
        except SendRefused as refused:
            reason = refused.reason
            self._ledger.record_failed(participant, channel, purpose, attempt, reason)
            return _logged(Outcome(channel, purpose, attempt, DeliveryStatus.FAILED, reason=reason))
        self._ledger.record_sent(participant, channel, purpose, attempt, message_id)
        return _logged(
            Outcome(channel, purpose, attempt, DeliveryStatus.SENT, message_id=message_id)
        )

    def _transmitter(
        self,
        clinic: Clinic,
        participant: Participant,
        channel: str,
        purpose: str,
        message: compose.Composed,
    ) -> Callable[[], str]:
        """How to send on `channel`; raises before any claim when the channel is unusable."""
        if channel == Channel.SMS:
            phone = _phone(participant)
            return lambda: self._sms.send(phone, message.sms)
        if channel == Channel.EMAIL:
            if participant.email is None:
                raise InvalidField("channel", "the participant has no email address")
            if self._email is None:
                raise ConfigError("VESTIBULE_SENDER_EMAIL is not set: email cannot be sent")
            email_sender, address = self._email, participant.email
            return lambda: email_sender.send(address, message.email)
        if channel == Channel.WHATSAPP:
            phone = _phone(participant)
            number_id = clinic.settings.whatsapp_phone_number_id
            if not number_id:
                raise InvalidField("channel", "the clinic has not configured WhatsApp")
            return lambda: self._whatsapp.send(
                phone_number_id=number_id,
                phone=phone,
                purpose=purpose,
                language=participant.language,
                values=message.whatsapp_values,
            )
        raise InvalidField("channel", f"channel must be one of {', '.join(Channel)}")


def _occasion(
    clinic: Clinic, consultation: Consultation, participant: Participant, link: str
) -> compose.Occasion:
    if consultation.starts_at is None:
        raise InvalidField("starts_at", "the consultation has no start time")
    return compose.Occasion(
        clinic_name=clinic.name,
        starts_at=consultation.starts_at,
        time_zone=consultation.time_zone,
        language=participant.language,
        link=link,
    )


def _logged(outcome: Outcome) -> Outcome:
    """Log the outcome: channel, purpose, attempt, status, reason; never who or what."""
    logger.info(
        "message %s",
        outcome.status,
        extra={
            "channel": outcome.channel,
            "purpose": outcome.purpose,
            "attempt": outcome.attempt,
            "reason": outcome.reason,
        },
    )
    return outcome


def _phone(participant: Participant) -> str:
    if participant.phone is None:
        raise InvalidField("channel", "the participant has no phone number")
    return participant.phone
