"""What an uploaded file is, from its bytes alone, and whether it may be shown to others.

The type comes from the first bytes (JPEG `FF D8 FF`, PNG's 8-byte signature, `%PDF-`),
never from the name or the browser's Content-Type: a renamed executable, an HTML page or
an SVG (whatever it claims) is `type_not_allowed`. Then each type's own check: a PDF must
have no active content (`chalicelib.files.pdf`), a photo no location (`images`).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.files.images import (
    PNG_SIGNATURE,
    ImageUnreadable,
    jpeg_has_location,
    png_has_location,
)
from chalicelib.files.pdf import inspect_pdf

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
ALLOWED_TYPES = (JPEG, PNG, PDF)
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Verdict:
    #: The type the bytes are, when accepted.
    content_type: str | None
    #: Why it is refused (a `files.refused.*` key), when refused.
    refusal: str | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(PNG_SIGNATURE):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def inspect(data: bytes) -> Verdict:
    if len(data) > MAX_BYTES:
        return Verdict(None, "too_large")
    content_type = sniff(data)
    if content_type is None:
        return Verdict(None, "type_not_allowed")
    if content_type == PDF:
        pdf = inspect_pdf(data)
        if pdf.active is None:
            return Verdict(None, "pdf_unreadable")
        if pdf.active:
            return Verdict(None, "pdf_active_content")
        return Verdict(PDF)
    try:
        located = jpeg_has_location(data) if content_type == JPEG else png_has_location(data)
    except ImageUnreadable:
        return Verdict(None, "image_unreadable")
    if located:
        return Verdict(None, "image_location")
    return Verdict(content_type)
