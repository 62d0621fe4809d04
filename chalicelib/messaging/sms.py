"""SMS through Amazon SNS, and the arithmetic of SMS segments.

An SMS holds 160 GSM-7 characters, or only 70 once a single character falls outside that
alphabet (UCS-2); longer texts split into segments of 153 or 67 characters, each billed.
`gsm7_friendly` replaces the few accented letters our catalogues can produce that GSM-7
lacks (French "août", "ç", ...) with their closest plain letter, so one such letter does
not halve what a message can hold.
"""

from __future__ import annotations

import math
from typing import Any

from chalicelib.messaging.provider_errors import refusals_as_send_refused

#: The GSM 03.38 basic alphabet; the extension table's characters count twice.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_PLAIN_LETTERS = str.maketrans(
    {
        "â": "a", "ç": "c", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "û": "u",
        "À": "A", "Â": "A", "È": "E", "Ê": "E", "Î": "I", "Ô": "O", "Û": "U",
        "œ": "oe", "Œ": "OE",
        "\u2019": "'", "\u2018": "'", "“": '"', "”": '"', "\u2013": "-", "\u00a0": " ",
    }
)  # fmt: skip


def gsm7_friendly(text: str) -> str:
    """`text` with the letters GSM-7 lacks replaced, unless other characters need UCS-2."""
    replaced = text.translate(_PLAIN_LETTERS)
    return replaced if is_gsm7(replaced) else text


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def segments(text: str) -> int:
    """How many SMS segments `text` is sent as."""
    if is_gsm7(text):
        length = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


class SmsSender:
    """Publishes transactional SMS (delivered even to numbers that opted out of marketing)."""

    def __init__(self, sns_client: Any) -> None:
        self._sns = sns_client

    def send(self, phone: str, message: str) -> str:
        """Send `message` to the E.164 `phone`; returns SNS's message id."""
        with refusals_as_send_refused():
            response = self._sns.publish(
                PhoneNumber=phone,
                Message=message,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        message_id: str = response["MessageId"]
        return message_id
