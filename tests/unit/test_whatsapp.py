"""WhatsApp invitations are approved template messages sent through End User Messaging Social.

moto does not implement `socialmessaging`, so a botocore `Stubber` checks the request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.messaging.whatsapp import META_API_VERSION, WhatsAppSender, template_message

NUMBER_ID = "phone-number-id-0123456789abcdef"


@pytest.fixture
def client() -> Iterator[tuple[Any, Stubber]]:
    social = boto3.client(
        "socialmessaging",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(social) as stubber:
        yield social, stubber
        stubber.assert_no_pending_responses()


def test_an_invitation_is_the_invitation_template_with_its_values(
    client: tuple[Any, Stubber],
) -> None:
    social, stubber = client
    values = ["Terveysasema Kallio", "tiistaina 24. marraskuuta klo 10.30", "https://x.test/j/t"]
    expected_message = template_message("+358401234567", "vestibule_invitation", "fi", values)
    stubber.add_response(
        "send_whatsapp_message",
        {"messageId": "wamid.1"},
        {
            "originationPhoneNumberId": NUMBER_ID,
            "message": expected_message,
            "metaApiVersion": META_API_VERSION,
        },
    )

    message_id = WhatsAppSender(social).send(
        phone_number_id=NUMBER_ID,
        phone="+358401234567",
        purpose="invitation",
        language="fi",
        values=values,
    )

    assert message_id == "wamid.1"
    body = json.loads(expected_message)
    assert body["type"] == "template"
    assert body["template"]["language"] == {"code": "fi"}
    assert [p["text"] for p in body["template"]["components"][0]["parameters"]] == values
