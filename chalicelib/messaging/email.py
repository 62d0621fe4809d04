"""Email through Amazon SES: a multipart message with text, HTML and inline images.

The MIME tree is the one mail clients render best:

    multipart/alternative
    ├── text/plain
    └── multipart/related
        ├── text/html          refers to images as `cid:<id>`
        └── image/png ...      each with its Content-ID

`send_raw_email` is used because SES's simple `send_email` cannot carry inline images;
the recipient is the message's `To` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from chalicelib.messaging.provider_errors import refusals_as_send_refused


@dataclass(frozen=True)
class InlineImage:
    """A PNG the HTML shows with `<img src="cid:{content_id}">`."""

    content_id: str
    png: bytes


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str
    language: str
    images: tuple[InlineImage, ...] = ()


def build_mime(sender: str, recipient: str, content: EmailContent) -> EmailMessage:
    """The complete message, ready for `send_raw_email`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = content.subject
    message["Message-ID"] = make_msgid(domain=Address(addr_spec=sender).domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    if html_part is None:  # pragma: no cover - add_alternative just added it
        raise AssertionError("the HTML part is missing")
    for image in content.images:
        html_part.add_related(image.png, "image", "png", cid=f"<{image.content_id}>")
    message["Content-Language"] = content.language  # after set_content, which clears it
    return message


class EmailSender:
    """Sends from the deployment's verified SES identity."""

    def __init__(self, ses_client: Any, *, sender: str) -> None:
        self._ses = ses_client
        self._sender = sender

    def send(self, recipient: str, content: EmailContent) -> str:
        """Send `content` to `recipient`; returns SES's message id."""
        mime = build_mime(self._sender, recipient, content)
        with refusals_as_send_refused():
            response = self._ses.send_raw_email(
                Source=self._sender,
                RawMessage={"Data": mime.as_bytes()},
            )
        message_id: str = response["MessageId"]
        return message_id
