"""Invitations say who, when and where in the participant's language; emails carry a QR code."""

from __future__ import annotations

import email
import email.policy
import struct
import zlib
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
import segno

from chalicelib.messaging import compose, qr
from chalicelib.messaging.email import build_mime
from chalicelib.messaging.qr import qr_png

LINK = "https://vestibule.example/j/tok_123&x=<1>"
MOMENT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
LOCAL_TIMES = {
    "en": "Tuesday 24 November at 10:30",
    "fr": "mardi 24 novembre à 10:30",
    "de": "Dienstag, 24. November um 10:30",
    "fi": "tiistaina 24. marraskuuta klo 10.30",
}


def occasion(language: str, clinic: str = "Praxis Dr. Müller & Partner") -> compose.Occasion:
    return compose.Occasion(
        clinic_name=clinic,
        starts_at=MOMENT,
        time_zone="Europe/Paris",
        language=language,
        link=LINK,
    )


@pytest.mark.parametrize("language", sorted(LOCAL_TIMES))
def test_invitation_sms_names_clinic_local_time_and_link(language: str) -> None:
    sms = compose.invitation(occasion(language)).sms
    assert "Praxis Dr. Müller & Partner" in sms
    assert LOCAL_TIMES[language] in sms
    assert sms.endswith(LINK)


@pytest.mark.parametrize("language", sorted(LOCAL_TIMES))
def test_invitation_email_has_the_same_facts_in_text_and_html(language: str) -> None:
    content = compose.invitation(occasion(language)).email
    assert "Praxis Dr. Müller & Partner" in content.subject
    assert LOCAL_TIMES[language] in content.text and LINK in content.text
    assert LOCAL_TIMES[language] in content.html
    assert "Praxis Dr. Müller &amp; Partner" in content.html  # escaped
    assert 'href="https://vestibule.example/j/tok_123&amp;x=&lt;1&gt;"' in content.html
    assert f'<html lang="{language}">' in content.html
    assert f'src="cid:{compose.QR_CONTENT_ID}"' in content.html


@pytest.mark.parametrize("language", sorted(LOCAL_TIMES))
def test_a_change_notice_gives_the_new_time_and_the_new_link_by_sms_and_email(
    language: str,
) -> None:
    changed = compose.change(occasion(language))
    assert LOCAL_TIMES[language] in changed.sms and changed.sms.endswith(LINK)
    content = changed.email
    assert "Praxis Dr. Müller & Partner" in content.subject
    assert content.subject != compose.invitation(occasion(language)).email.subject
    assert LOCAL_TIMES[language] in content.text and LINK in content.text
    assert LOCAL_TIMES[language] in content.html
    assert 'href="https://vestibule.example/j/tok_123&amp;x=&lt;1&gt;"' in content.html
    assert [image.content_id for image in content.images] == [compose.QR_CONTENT_ID]
    assert changed.whatsapp_values == ["Praxis Dr. Müller & Partner", LOCAL_TIMES[language], LINK]


def test_the_email_is_text_or_html_with_an_inline_png_qr_code() -> None:
    content = compose.invitation(occasion("fr")).email
    raw = build_mime("no-reply@clinic.example", "patient@example.fr", content).as_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)

    assert message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == "fr"
    text_part, related = message.get_payload()  # type: ignore[misc]
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == f"<{compose.QR_CONTENT_ID}>"
    assert image.get_content() == qr_png(LINK)
    assert "mardi 24 novembre à 10:30" in html_part.get_content()


def unfilter(kind: int, left: int, up: int, upper_left: int) -> int:
    """The PNG row filter's predictor (filters 0-4), one byte per pixel group."""
    if kind == 4:
        p = left + up - upper_left
        distances = (abs(p - left), abs(p - up), abs(p - upper_left))
        return (left, up, upper_left)[distances.index(min(distances))]
    return (0, left, up, (left + up) // 2)[kind]


def png_modules(png: bytes, scale: int, border: int) -> list[list[bool]]:
    """The dark modules of a 1-bit greyscale PNG as segno writes it (no decoder needed)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, position = {}, 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        chunks[kind] = chunks.get(kind, b"") + png[position + 8 : position + 8 + length]
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0)
    raw, stride = zlib.decompress(chunks[b"IDAT"]), 1 + (width + 7) // 8
    rows, previous = [], bytes(stride - 1)
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1 : (y + 1) * stride])
        for x in range(len(line)):
            left, up = line[x - 1] if x else 0, previous[x]
            upper_left = previous[x - 1] if x else 0
            line[x] = (line[x] + unfilter(kind, left, up, upper_left)) % 256
        rows.append(b"\0" + bytes(line))
        previous = bytes(line)

    def dark(x: int, y: int) -> bool:
        return not (rows[y][1 + x // 8] >> (7 - x % 8)) & 1

    size = width // scale - 2 * border
    centre = scale // 2
    return [
        [dark((border + i) * scale + centre, (border + j) * scale + centre) for i in range(size)]
        for j in range(size)
    ]


def test_the_qr_code_is_a_small_png_showing_the_links_qr_matrix() -> None:
    png = qr_png(LINK)
    assert len(png) < 2_000
    expected = [[bool(bit) for bit in row] for row in segno.make_qr(LINK, error="m").matrix]
    assert png_modules(png, qr.SCALE, qr.BORDER) == expected


def test_access_code_and_reminder_speak_the_participants_language() -> None:
    assert compose.access_code(occasion("de"), "483920").sms.endswith("lautet 483920")
    assert "10 minuutin kuluttua" in compose.reminder(occasion("fi"), 10).sms
    assert "483920" in compose.access_code(occasion("fr"), "483920").email.text
