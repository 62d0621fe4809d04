"""WhatsApp through AWS End User Messaging Social (boto3 `socialmessaging`).

A business may start a WhatsApp conversation only with a message template that Meta has
approved, so invitations are template messages: the template's body takes our texts'
values as positional parameters (`{{1}}` clinic, `{{2}}` date and time, `{{3}}` link, ...)
and Meta holds its wording in each language. The clinic configures its WhatsApp phone
number id (`ClinicSettings.whatsapp_phone_number_id`); without one, WhatsApp is not offered.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.messaging.provider_errors import refusals_as_send_refused
from chalicelib.store.enums import MessagePurpose

#: The Graph API version End User Messaging Social passes to Meta.
META_API_VERSION = "v20.0"
#: Template names per purpose, to be created and approved in the clinic's WhatsApp account.
TEMPLATES: dict[str, str] = {
    MessagePurpose.INVITATION: "vestibule_invitation",
    MessagePurpose.REMINDER: "vestibule_reminder",
    MessagePurpose.ACCESS_CODE: "vestibule_access_code",
    MessagePurpose.CANCELLATION: "vestibule_cancellation",
    MessagePurpose.CHANGE: "vestibule_change",
    MessagePurpose.DELAY: "vestibule_delay",
    MessagePurpose.CALLED: "vestibule_called",
}


def template_message(phone: str, template: str, language: str, values: list[str]) -> bytes:
    """The WhatsApp Cloud API body of one template message."""
    payload = {
        "messaging_product": "whatsapp",
        "to": phone,
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
            ],
        },
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


class WhatsAppSender:
    def __init__(self, social_client: Any) -> None:
        self._client = social_client

    def send(
        self, *, phone_number_id: str, phone: str, purpose: str, language: str, values: list[str]
    ) -> str:
        """Send the template of `purpose` from the clinic's number; returns the message id."""
        with refusals_as_send_refused():
            response = self._client.send_whatsapp_message(
                originationPhoneNumberId=phone_number_id,
                message=template_message(phone, TEMPLATES[purpose], language, values),
                metaApiVersion=META_API_VERSION,
            )
        message_id: str = response["messageId"]
        return message_id
