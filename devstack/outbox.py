"""The developer outbox: every SMS (SNS) and email (SES) sent through moto, newest first.

moto's `GET /moto-api/data.json` lists the instances of its models; sent messages are
`sns.SMS` (`phone_number`, `message`) and `ses.Message` / `RawMessage` / `TemplateMessage`
/ `BulkTemplateMessage` (SESv2 sends land there too). moto keeps them in sending order and
without timestamps, so each list is simply reversed. `/dev/outbox` shows the text with its
links made clickable, everything HTML-escaped, and an email's HTML rendered in a sandboxed
frame (no scripts; links open in a new tab); `/dev/outbox.json` gives the same data.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from devstack.email_parts import EmailParts, from_mime, from_simple_body
from devstack.http_client import HTTP_CLIENT
from devstack.pages import page

_URL = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING_PUNCTUATION = ".,;:!?)]}"
_EMAIL_MODELS = ("Message", "RawMessage", "TemplateMessage", "BulkTemplateMessage")


@dataclass(frozen=True)
class SentMessage:
    channel: str  # "sms" | "email"
    message_id: str
    to: str
    body: str
    sender: str = ""
    subject: str = ""
    html: str = ""


@dataclass(frozen=True)
class Outbox:
    sms: list[SentMessage]
    emails: list[SentMessage]


async def read_outbox(session: ClientSession, moto_url: str) -> Outbox:
    async with session.get(
        f"{moto_url}/moto-api/data.json", timeout=ClientTimeout(total=10)
    ) as response:
        response.raise_for_status()
        data = await response.json(content_type=None)
    return parse(data)


def parse(data: dict[str, Any]) -> Outbox:
    sms = [_sms(item) for item in data.get("sns", {}).get("SMS", [])]
    ses = data.get("ses", {})
    emails = [_email(model, item) for model in _EMAIL_MODELS for item in ses.get(model, [])]
    return Outbox(sms=sms[::-1], emails=emails[::-1])


def routes(moto_url: str) -> list[web.RouteDef]:
    async def outbox_page(request: web.Request) -> web.Response:
        outbox = await _read_or_502(request, moto_url)
        return web.Response(text=render(outbox), content_type="text/html")

    async def outbox_json(request: web.Request) -> web.Response:
        outbox = await _read_or_502(request, moto_url)
        return web.json_response(asdict(outbox), headers={"Cache-Control": "no-store"})

    return [web.get("/dev/outbox", outbox_page), web.get("/dev/outbox.json", outbox_json)]


async def _read_or_502(request: web.Request, moto_url: str) -> Outbox:
    try:
        return await read_outbox(request.app[HTTP_CLIENT], moto_url)
    except ClientError as error:
        raise web.HTTPBadGateway(text=f"moto is not readable: {type(error).__name__}") from None


def render(outbox: Outbox) -> str:
    sections = [
        _section("Text messages (SMS)", outbox.sms, "No SMS sent yet."),
        _section("Emails", outbox.emails, "No email sent yet."),
    ]
    return page(
        "Outbox",
        "<p>Everything the app sent through moto, newest first. "
        '<a href="/dev/outbox">Refresh</a> · <a href="/dev/">Status</a></p>' + "".join(sections),
    )


def linkify(text: str) -> str:
    """Escape `text` for HTML and turn its http(s) URLs into links."""
    parts, position = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_TRAILING_PUNCTUATION)
        end = match.start() + len(url)
        parts.append(html.escape(text[position : match.start()]))
        parts.append(f'<a href="{html.escape(url)}" rel="noreferrer">{html.escape(url)}</a>')
        position = end
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def _section(title: str, messages: list[SentMessage], empty: str) -> str:
    if not messages:
        return f"<h2>{html.escape(title)}</h2><p>{html.escape(empty)}</p>"
    items = "".join(_article(message) for message in messages)
    return f'<h2>{html.escape(title)} ({len(messages)})</h2><ol class="messages">{items}</ol>'


def _article(message: SentMessage) -> str:
    fields = [("To", message.to), ("From", message.sender), ("Subject", message.subject)]
    facts = "".join(
        f"<dt>{name}</dt><dd>{html.escape(value)}</dd>" for name, value in fields if value
    )
    text = f'<pre class="body">{linkify(message.body)}</pre>' if message.body else ""
    rendered = _sandboxed(message.html, message.subject) if message.html else ""
    return (
        f"<li><article><dl>{facts}</dl>{text}{rendered}"
        f'<p class="id">id {html.escape(message.message_id)}</p></article></li>'
    )


def _sandboxed(email_html: str, title: str) -> str:
    """The email's HTML in a frame that runs no script; its links open in a new tab."""
    document = '<base target="_blank">' + email_html
    return (
        f'<iframe class="email-html" title="{html.escape(title or "email")} (HTML)" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox" '
        f'srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )


def _sms(item: dict[str, Any]) -> SentMessage:
    return SentMessage(
        channel="sms",
        message_id=str(item.get("message_id", "")),
        to=str(item.get("phone_number", "")),
        body=str(item.get("message", "")),
    )


def _email(model: str, item: dict[str, Any]) -> SentMessage:
    if model == "RawMessage":
        parts = from_mime(str(item.get("raw_data", "")))
    elif model == "Message":
        parts = from_simple_body(str(item.get("body", "")))
    else:
        template = f"template {item.get('template', '')} with data {item.get('template_data', '')}"
        parts = EmailParts(text=template, html="")
    message_id = item.get("id") or ", ".join(item.get("ids", []))
    return SentMessage(
        channel="email",
        message_id=str(message_id),
        to=", ".join(_addresses(item.get("destinations"))),
        body=parts.text,
        sender=str(item.get("source", "")),
        subject=str(item.get("subject", "")),
        html=parts.html,
    )


def _addresses(destinations: object) -> list[str]:
    """moto stores destinations as a list, or a dict of lists (To/Cc/Bcc), or nested."""
    if isinstance(destinations, str):
        return [destinations]
    if isinstance(destinations, dict):
        return [a for value in destinations.values() for a in _addresses(value)]
    if isinstance(destinations, list):
        return [a for value in destinations for a in _addresses(value)]
    return []
