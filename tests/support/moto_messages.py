"""The SMS and emails moto recorded in a test, and their parts, read the way people see them."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

REGION = "eu-west-1"


def sms_sent() -> list[tuple[str, str]]:
    """(phone, text) of every SMS moto recorded."""
    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def mail_sent() -> list[Any]:
    """Every raw email moto's SES recorded, oldest first."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def parsed(sent: Any) -> EmailMessage:
    """A recorded email as a message with its headers and parts."""
    message = email.message_from_string(sent.raw_data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(sent: Any) -> str:
    """The text/plain part of a recorded email."""
    body = parsed(sent).get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def plain_texts() -> list[str]:
    """The text/plain part of every recorded email, oldest first."""
    return [text_of(sent) for sent in mail_sent()]
