"""Sending through moto's SES and SNS: each message at most once, outcomes on the participant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from chalicelib.config import Settings
from chalicelib.errors import ConfigError, InvalidField
from chalicelib.messaging.courier import Courier
from chalicelib.messaging.email import EmailSender
from chalicelib.messaging.ledger import DeliveryLedger, deliveries, next_attempt
from chalicelib.messaging.sms import SmsSender
from chalicelib.messaging.whatsapp import WhatsAppSender
from chalicelib.store.models import Clinic, ClinicSettings, Participant
from chalicelib.wiring import build_courier
from tests.support import builders
from tests.support.fakes import FrozenClock
from tests.support.moto_messages import mail_sent, parsed, sms_sent, text_of

REGION = "eu-west-1"
SENDER = "no-reply@clinic.example"
LINK = "https://vestibule.example/j/token-123"
STARTS = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 10:30 in Paris


@pytest.fixture
def mail_settings(settings: Settings) -> Settings:
    return Settings.from_environ({**_environ(settings), "VESTIBULE_SENDER_EMAIL": SENDER})


def _environ(settings: Settings) -> dict[str, str]:
    return {"VESTIBULE_STAGE": settings.stage, "AWS_REGION": settings.region}


@pytest.fixture
def verified_sender(aws: None) -> None:
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)


@pytest.fixture
def courier(tables: None, mail_settings: Settings, clock: FrozenClock) -> Courier:
    return build_courier(mail_settings, clock)


@pytest.fixture
def clinic() -> Clinic:
    return Clinic(
        clinic_id="k1", name="Cabinet du Parc", time_zone="Europe/Paris", created_at=STARTS
    )


@pytest.fixture
def patient(tables: None) -> Participant:
    builders.consultation("c1", clinic_id="k1", starts_at=STARTS).save()
    person = builders.participant("c1", "p1")
    person.phone, person.email = "+33612345678", "patient@example.fr"
    person.save()
    return person


def consultation() -> Any:
    return builders.consultation("c1", clinic_id="k1", starts_at=STARTS)


def test_an_sms_invitation_is_sent_once_even_when_the_lambda_is_retried(
    courier: Courier, clinic: Clinic, patient: Participant
) -> None:
    first = courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic)
    retry = courier.send_invitation(
        consultation(), Participant.get(patient.pk, patient.sk), LINK, "sms", clinic=clinic
    )

    assert (first.status, retry.status) == ("sent", "duplicate")
    [(phone, text)] = sms_sent()
    assert phone == "+33612345678"
    assert "Cabinet du Parc" in text and "mardi 24 novembre à 10:30" in text and LINK in text


def test_resend_is_a_new_attempt_and_sends_again(
    courier: Courier, clinic: Clinic, patient: Participant
) -> None:
    courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic)
    attempt = next_attempt(patient, "sms", "invitation")
    again = courier.send_invitation(
        consultation(), patient, LINK, "sms", clinic=clinic, attempt=attempt
    )
    stale = courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic, attempt=1)

    assert (attempt, again.status, stale.status) == (2, "sent", "duplicate")
    assert len(sms_sent()) == 2
    [record] = deliveries(Participant.get(patient.pk, patient.sk))
    assert (record.status, record.attempt) == ("sent", 2)


def test_an_email_invitation_has_text_html_and_an_inline_qr_code(
    courier: Courier, clinic: Clinic, patient: Participant, verified_sender: None
) -> None:
    outcome = courier.send_invitation(consultation(), patient, LINK, "email", clinic=clinic)

    assert outcome.status == "sent"
    [sent] = mail_sent()
    message = parsed(sent)
    assert (sent.source, message["To"]) == (SENDER, "patient@example.fr")
    assert "mardi 24 novembre à 10:30" in text_of(sent) and LINK in text_of(sent)
    assert message["Subject"] == "Votre consultation vidéo avec Cabinet du Parc"
    types = [part.get_content_type() for part in message.walk()]
    assert types == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]


def test_a_rejected_email_is_recorded_as_failed_with_the_providers_code(
    courier: Courier, clinic: Clinic, patient: Participant
) -> None:
    outcome = courier.send_invitation(consultation(), patient, LINK, "email", clinic=clinic)

    assert (outcome.status, outcome.reason) == ("failed", "MessageRejected")
    [record] = deliveries(Participant.get(patient.pk, patient.sk))
    assert (record.channel, record.purpose, record.status) == ("email", "invitation", "failed")
    assert record.reason == "MessageRejected"
    assert mail_sent() == []


def test_outcomes_are_stored_per_participant_channel_and_purpose(
    courier: Courier,
    clinic: Clinic,
    patient: Participant,
    verified_sender: None,
    clock: FrozenClock,
) -> None:
    courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic)
    courier.send_invitation(consultation(), patient, LINK, "email", clinic=clinic)
    courier.send_access_code(consultation(), patient, "483920", "email", clinic=clinic)
    courier.send_reminder(consultation(), patient, LINK, "sms", clinic=clinic, minutes=10)

    stored = deliveries(Participant.get(patient.pk, patient.sk))
    assert [(r.channel, r.purpose, r.status, r.attempt) for r in stored] == [
        ("email", "access_code", "sent", 1),
        ("email", "invitation", "sent", 1),
        ("sms", "invitation", "sent", 1),
        ("sms", "reminder", "sent", 1),
    ]
    assert all(r.message_id and r.reason is None and r.at == clock.now() for r in stored)
    assert "accès pour la consultation vidéo avec Cabinet du Parc est 483920" in text_of(
        mail_sent()[1]
    )
    assert "dans 10 minutes" in sms_sent()[1][1]


def test_a_channel_the_participant_cannot_use_is_refused_before_anything_is_claimed(
    courier: Courier, clinic: Clinic, patient: Participant
) -> None:
    patient.phone = None
    with pytest.raises(InvalidField) as no_phone:
        courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic)
    with pytest.raises(InvalidField) as no_whatsapp:
        courier.send_invitation(consultation(), patient, LINK, "whatsapp", clinic=clinic)
    with pytest.raises(InvalidField) as unknown:
        courier.send_invitation(consultation(), patient, LINK, "pigeon", clinic=clinic)

    assert {no_phone.value.field, no_whatsapp.value.field, unknown.value.field} == {"channel"}
    assert deliveries(Participant.get(patient.pk, patient.sk)) == []


def test_email_without_a_sender_address_is_a_configuration_error(
    settings: Settings, clinic: Clinic, patient: Participant, clock: FrozenClock
) -> None:
    courier = build_courier(settings, clock)
    with pytest.raises(ConfigError, match="VESTIBULE_SENDER_EMAIL"):
        courier.send_invitation(consultation(), patient, LINK, "email", clinic=clinic)
    with pytest.raises(ConfigError, match="VESTIBULE_SENDER_EMAIL"):
        settings.require_sender_email()


def test_whatsapp_goes_from_the_clinics_number_once(
    tables: None, clinic: Clinic, patient: Participant, clock: FrozenClock
) -> None:
    clinic.settings = ClinicSettings(whatsapp_phone_number_id="phone-number-id-abc123")
    social = boto3.client("socialmessaging", region_name=REGION)
    courier = Courier(
        sms=SmsSender(boto3.client("sns", region_name=REGION)),
        email=EmailSender(boto3.client("ses", region_name=REGION), sender=SENDER),
        whatsapp=WhatsAppSender(social),
        ledger=DeliveryLedger(clock=clock),
    )
    with Stubber(social) as stubber:
        stubber.add_response("send_whatsapp_message", {"messageId": "wamid.1"})
        first = courier.send_invitation(consultation(), patient, LINK, "whatsapp", clinic=clinic)
        retry = courier.send_invitation(consultation(), patient, LINK, "whatsapp", clinic=clinic)
        stubber.assert_no_pending_responses()

    assert (first.status, first.message_id, retry.status) == ("sent", "wamid.1", "duplicate")
    assert sms_sent() == []


def test_a_whatsapp_refusal_is_recorded_as_failed(
    tables: None, clinic: Clinic, patient: Participant, clock: FrozenClock
) -> None:
    clinic.settings = ClinicSettings(whatsapp_phone_number_id="phone-number-id-abc123")
    social = boto3.client("socialmessaging", region_name=REGION)
    courier = Courier(
        sms=SmsSender(boto3.client("sns", region_name=REGION)),
        email=None,
        whatsapp=WhatsAppSender(social),
        ledger=DeliveryLedger(clock=clock),
    )
    with Stubber(social) as stubber:
        stubber.add_client_error("send_whatsapp_message", "ValidationException", "bad template")
        outcome = courier.send_invitation(consultation(), patient, LINK, "whatsapp", clinic=clinic)

    assert (outcome.status, outcome.reason) == ("failed", "ValidationException")
    [record] = deliveries(Participant.get(patient.pk, patient.sk))
    assert (record.channel, record.status, record.reason) == (
        "whatsapp",
        "failed",
        "ValidationException",
    )


class UnreachableSns:
    """An SNS client whose endpoint cannot be reached (same method as boto3's)."""

    def publish(self, **_: Any) -> dict[str, Any]:
        raise EndpointConnectionError(endpoint_url="https://sns.eu-west-1.amazonaws.com/")


def test_an_unreachable_provider_is_recorded_and_not_retried_blindly(
    tables: None, clinic: Clinic, patient: Participant, clock: FrozenClock
) -> None:
    courier = Courier(
        sms=SmsSender(UnreachableSns()),
        email=None,
        whatsapp=WhatsAppSender(None),
        ledger=DeliveryLedger(clock=clock),
    )
    outcome = courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic)
    retry = courier.send_invitation(consultation(), patient, LINK, "sms", clinic=clinic)

    assert (outcome.status, outcome.reason, retry.status) == (
        "failed",
        "provider_unreachable",
        "duplicate",
    )


def test_the_sender_address_comes_from_the_environment(mail_settings: Settings) -> None:
    assert mail_settings.require_sender_email() == SENDER
