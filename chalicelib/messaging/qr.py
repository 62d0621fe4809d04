"""A QR code of a link: a small PNG for emails, an SVG for showing a link on screen.

`segno` is imported on the first code drawn, not with the module (cold starts).
"""

from __future__ import annotations

import io

#: Pixels per module: about 250 px for a typical invitation link, sharp on any screen.
SCALE = 5
#: The quiet zone the QR specification asks for, in modules.
BORDER = 4


def qr_png(url: str) -> bytes:
    """The PNG image of a QR code (error correction M) that encodes `url`."""
    import segno

    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=SCALE, border=BORDER)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """The SVG document of a QR code of `url`, for showing a link on screen at any size.

    It has a `viewBox` and no fixed size, so the page sizes it; its background is white so
    a phone can read it on a page in dark mode too.
    """
    import segno

    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(
        buffer, kind="svg", border=BORDER, xmldecl=False, omitsize=True, light="#ffffff"
    )
    return buffer.getvalue().decode("utf-8")
