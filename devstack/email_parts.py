"""Splits a sent email into what a person reads: its plain text and its HTML.

moto keeps a simple email's one body (the HTML part when there is one, else the text) and a
raw email's whole MIME message. For MIME, the text/plain and text/html parts are taken, and
inline images referenced as `cid:` in the HTML become data URIs, so the email renders as a
mail client would show it, QR code included.
"""

from __future__ import annotations

import base64
import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

_LOOKS_LIKE_HTML = re.compile(r"<\s*(html|body|p|div|table|a|br|img)\b", re.IGNORECASE)


@dataclass(frozen=True)
class EmailParts:
    text: str
    html: str


def from_simple_body(body: str) -> EmailParts:
    if _LOOKS_LIKE_HTML.search(body):
        return EmailParts(text="", html=body)
    return EmailParts(text=body, html="")


def from_mime(raw: str) -> EmailParts:
    message = email.message_from_string(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return EmailParts(text=raw, html="")
    text = _part_content(message, "plain")
    html = _part_content(message, "html")
    for part in message.walk():
        content_id = part.get("Content-ID")
        payload = part.get_payload(decode=True)
        if content_id and part.get_content_maintype() == "image" and isinstance(payload, bytes):
            data_uri = f"data:{part.get_content_type()};base64,{base64.b64encode(payload).decode()}"
            html = html.replace(f"cid:{content_id.strip('<>')}", data_uri)
    return EmailParts(text=text, html=html)


def _part_content(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""
