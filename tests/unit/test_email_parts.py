"""The outbox shows an email's text and its HTML as a mail client would, images included."""

from __future__ import annotations

from email.message import EmailMessage

from devstack.email_parts import from_mime, from_simple_body

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def test_a_simple_html_body_is_html() -> None:
    parts = from_simple_body("<p>Join <a href='https://x.test/j'>here</a></p>")
    assert parts.html.startswith("<p>Join") and parts.text == ""


def test_a_simple_text_body_is_text_even_with_angle_brackets() -> None:
    parts = from_simple_body("Dose < 5 mg; join at https://x.test/j")
    assert parts.text.startswith("Dose") and parts.html == ""


def test_mime_gives_text_html_and_inline_images_as_data_uris() -> None:
    message = EmailMessage()
    message["Subject"] = "Your consultation"
    message.set_content("Join at https://x.test/j")
    message.add_alternative('<p>Scan <img src="cid:qr@vestibule"></p>', subtype="html")
    message.get_payload()[1].add_related(PNG, "image", "png", cid="<qr@vestibule>")

    parts = from_mime(message.as_string())

    assert parts.text.strip() == "Join at https://x.test/j"
    assert "cid:" not in parts.html
    assert '<img src="data:image/png;base64,' in parts.html


def test_mime_without_html_has_only_text() -> None:
    message = EmailMessage()
    message.set_content("Plain only")
    parts = from_mime(message.as_string())
    assert (parts.text.strip(), parts.html) == ("Plain only", "")
