"""The texts of each message, in the participant's language: SMS, email and WhatsApp values.

Pure functions of an `Occasion` (who sends, when, in which language, which link); the
wording comes from `chalicelib.i18n.catalogue`. SMS texts go through `gsm7_friendly` so they stay in
the alphabet that fits 160 characters a segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from chalicelib.i18n import catalogue
from chalicelib.messaging.email import EmailContent, InlineImage
from chalicelib.messaging.qr import qr_png
from chalicelib.messaging.sms import gsm7_friendly

QR_CONTENT_ID = "qr@vestibule"


@dataclass(frozen=True, kw_only=True)
class Occasion:
    """What every message about one consultation says, for one participant."""

    clinic_name: str
    starts_at: datetime
    time_zone: str
    language: str
    link: str

    @property
    def when(self) -> str:
        return catalogue.format_when(self.starts_at, self.time_zone, self.language)

    def text(self, key: str, **values: object) -> str:
        return catalogue.text(self.language, key, clinic=self.clinic_name, **values)


@dataclass(frozen=True)
class Composed:
    """One message in each channel's form."""

    sms: str
    email: EmailContent
    whatsapp_values: list[str]


def invitation(occasion: Occasion) -> Composed:
    when, link = occasion.when, occasion.link
    return Composed(
        sms=gsm7_friendly(occasion.text("sms.invitation", when=when, link=link)),
        email=invitation_email(occasion),
        whatsapp_values=[occasion.clinic_name, when, link],
    )


def reminder(occasion: Occasion, minutes: int) -> Composed:
    body = occasion.text("sms.reminder", minutes=minutes, link=occasion.link)
    return Composed(
        sms=gsm7_friendly(body),
        email=_plain_email(occasion, occasion.text("email.invitation.subject"), body),
        whatsapp_values=[occasion.clinic_name, str(minutes), occasion.link],
    )


def access_code(occasion: Occasion, code: str) -> Composed:
    return Composed(
        sms=gsm7_friendly(occasion.text("sms.access_code", code=code)),
        email=_plain_email(
            occasion,
            occasion.text("email.access_code.subject"),
            occasion.text("email.access_code.text", code=code),
        ),
        whatsapp_values=[occasion.clinic_name, code],
    )


def cancellation(occasion: Occasion) -> Composed:
    body = occasion.text("sms.cancelled", when=occasion.when)
    return Composed(
        sms=gsm7_friendly(body),
        email=_plain_email(occasion, occasion.text("email.cancelled.subject"), body),
        whatsapp_values=[occasion.clinic_name, occasion.when],
    )


def change(occasion: Occasion) -> Composed:
    """The notice of a new date and time, with a new personal link."""
    when, link = occasion.when, occasion.link
    return Composed(
        sms=gsm7_friendly(occasion.text("sms.changed", when=when, link=link)),
        email=_link_email(
            occasion,
            occasion.text("email.changed.subject"),
            occasion.text("email.changed.intro", when=when),
        ),
        whatsapp_values=[occasion.clinic_name, when, link],
    )


def delay(occasion: Occasion, minutes: int, note: str | None) -> Composed:
    """ "Running late": about `minutes` minutes, with the clinician's short note if any."""
    body = (
        occasion.text("sms.delay_note", minutes=minutes, note=note)
        if note
        else occasion.text("sms.delay", minutes=minutes)
    )
    return Composed(
        sms=gsm7_friendly(body),
        email=_plain_email(occasion, occasion.text("email.delay.subject"), body),
        whatsapp_values=[occasion.clinic_name, str(minutes), note or ""],
    )


def called(occasion: Occasion) -> Composed:
    """The clinician is ready: come back to the consultation with this link."""
    body = occasion.text("sms.called", link=occasion.link)
    return Composed(
        sms=gsm7_friendly(body),
        email=_plain_email(occasion, occasion.text("email.called.subject"), body),
        whatsapp_values=[occasion.clinic_name, occasion.link],
    )


def late_notice(occasion: Occasion, waiting_minutes: int) -> Composed:
    """To a clinician: a patient is still waiting after the appointment time. Names no one."""
    body = occasion.text(
        "email.late_notice.text", when=occasion.when, minutes=waiting_minutes, link=occasion.link
    )
    return Composed(
        sms=gsm7_friendly(occasion.text("sms.late_notice", when=occasion.when, link=occasion.link)),
        email=_plain_email(
            occasion, occasion.text("email.late_notice.subject", when=occasion.when), body
        ),
        whatsapp_values=[],
    )


def invitation_email(occasion: Occasion) -> EmailContent:
    """Text and HTML with the same content, and the link's QR code as an inline image."""
    return _link_email(
        occasion,
        occasion.text("email.invitation.subject"),
        occasion.text("email.invitation.intro", when=occasion.when),
    )


def _link_email(occasion: Occasion, subject: str, intro: str) -> EmailContent:
    """An email that brings the participant's link: button, address and QR code."""
    t = occasion.text
    how, early = t("email.invitation.how"), t("email.invitation.early")
    button, qr, footer = t("email.invitation.button"), t("email.invitation.qr"), t("email.footer")
    text = f"{intro}\n\n{how}\n\n{button}: {occasion.link}\n\n{early}\n\n--\n{footer}\n"
    link = escape(occasion.link, quote=True)
    content = (
        f"<p>{escape(intro)}</p>\n<p>{escape(how)}</p>\n"
        f'<p><a href="{link}" style="display:inline-block;padding:12px 20px;'
        f'background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:6px">'
        f"{escape(button)}</a></p>\n"
        f'<p style="font-size:14px">{link}</p>\n<p>{escape(early)}</p>\n'
        f'<p>{escape(qr)}</p>\n<p><img src="cid:{QR_CONTENT_ID}" alt="" width="200" '
        f'height="200"></p>\n'
    )
    return EmailContent(
        subject=subject,
        text=text,
        html=_html_page(occasion.language, content, footer),
        language=occasion.language,
        images=(InlineImage(QR_CONTENT_ID, qr_png(occasion.link)),),
    )


def _plain_email(occasion: Occasion, subject: str, body: str) -> EmailContent:
    footer = occasion.text("email.footer")
    return EmailContent(
        subject=subject,
        text=f"{body}\n\n--\n{footer}\n",
        html=_html_page(occasion.language, f"<p>{escape(body)}</p>\n", footer),
        language=occasion.language,
    )


def _html_page(language: str, content: str, footer: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{escape(language)}">\n<head><meta charset="utf-8">'
        '</head>\n<body style="font-family:sans-serif;font-size:16px;line-height:1.5;'
        'color:#1a1a1a">\n'
        f'{content}<p style="font-size:13px;color:#555555">{escape(footer)}</p>\n'
        "</body>\n</html>\n"
    )
