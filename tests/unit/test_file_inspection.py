"""The upload check from bytes alone: types, PDF active content, photos' location."""

from __future__ import annotations

import binascii
import zlib

import pytest

from chalicelib.files.inspection import MAX_BYTES, inspect
from tests.support import sample_files as files


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (files.jpeg(), "image/jpeg"),
        (files.png(), "image/png"),
        (files.pdf(), "application/pdf"),
        (files.jpeg_with_exif(files.tiff_without_gps()), "image/jpeg"),
        (files.png(extra_chunks=[(b"eXIf", files.tiff_without_gps())]), "image/png"),
        # /OpenAction that only opens a page, and a link: ordinary letters have them
        (files.pdf(catalog_extra=b"/OpenAction [3 0 R /Fit] "), "application/pdf"),
        (
            files.pdf(objects=[files.object_stream(b"<< /Type /Annot /Subtype /Link >>")]),
            "application/pdf",
        ),
    ],
)
def test_allowed_files_are_accepted_with_the_type_of_their_bytes(
    data: bytes, content_type: str
) -> None:
    verdict = inspect(data)
    assert verdict.accepted and verdict.content_type == content_type


JS_ACTION = b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (files.EXECUTABLE, "type_not_allowed"),
        (files.HTML_PAGE, "type_not_allowed"),
        (files.SVG_WITH_SCRIPT, "type_not_allowed"),
        (b"", "type_not_allowed"),
        (b"GIF89a" + b"\x00" * 20, "type_not_allowed"),
        (b"%PDF-" + b"\x00" * (MAX_BYTES - 4), "too_large"),
        (files.pdf(catalog_extra=JS_ACTION), "pdf_active_content"),
        (
            files.pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (x) >> "),
            "pdf_active_content",
        ),
        (
            files.pdf(catalog_extra=b"/AA << /O << /S /Launch /F (cmd.exe) >> >> "),
            "pdf_active_content",
        ),
        (files.pdf(catalog_extra=b"/Names << /EmbeddedFiles 5 0 R >> "), "pdf_active_content"),
        (
            files.pdf(objects=[b"<< /Type /EmbeddedFile /Length 0 >>\nstream\n\nendstream"]),
            "pdf_active_content",
        ),
        (
            files.pdf(objects=[files.object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")]),
            "pdf_active_content",
        ),
        (
            files.pdf(
                objects=[files.object_stream(b"<< /S /JS >>", filter_name=b"/ASCIIHexDecode")]
            ),
            "pdf_unreadable",
        ),
        (files.pdf(catalog_extra=b"/Encrypt 5 0 R "), "pdf_unreadable"),
        (files.jpeg_with_exif(files.tiff_with_gps()), "image_location"),
        (files.jpeg_with_exif(files.tiff_with_gps(big_endian=True)), "image_location"),
        (files.png(extra_chunks=[(b"eXIf", files.tiff_with_gps())]), "image_location"),
        (
            files.png(
                extra_chunks=[
                    (
                        b"iTXt",
                        b"XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>"
                        b"<rdf:Description exif:GPSLatitude='48,51N'/></x:xmpmeta>",
                    )
                ]
            ),
            "image_location",
        ),
        (
            files.png(
                extra_chunks=[
                    (
                        b"zTXt",
                        b"Raw profile type exif\x00\x00"
                        + zlib.compress(
                            b"\nexif\n%d\n" % (len(files.tiff_with_gps()) + 6)
                            + binascii.hexlify(b"Exif\x00\x00" + files.tiff_with_gps())
                        ),
                    )
                ]
            ),
            "image_location",
        ),
        (files.jpeg()[:40], "image_unreadable"),
        (files.png()[:-3], "image_unreadable"),
        (files.png()[:23] + b"\x09" + files.png()[24:], "image_unreadable"),  # bad CRC
    ],
)
def test_refused_files_name_why(data: bytes, refusal: str) -> None:
    verdict = inspect(data)
    assert not verdict.accepted
    assert verdict.refusal == refusal


def test_a_decompression_bomb_in_an_object_stream_is_unreadable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.files import pdf

    monkeypatch.setattr(pdf, "MAX_INFLATED_BYTES", 1000)
    stream = files.object_stream(b"<< /Type /Annot >>" + b" " * 5000)
    assert inspect(files.pdf(objects=[stream])).refusal == "pdf_unreadable"
