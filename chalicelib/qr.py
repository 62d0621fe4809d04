"""A QR code of a link as a small PNG, for emails and for handing a link over in person."""

from __future__ import annotations

import io

import segno

#: Pixels per module: about 250 px for a typical invitation link, sharp on any screen.
SCALE = 5
#: The quiet zone the QR specification asks for, in modules.
BORDER = 4


def qr_png(url: str) -> bytes:
    """The PNG image of a QR code (error correction M) that encodes `url`."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=SCALE, border=BORDER)
    return buffer.getvalue()
