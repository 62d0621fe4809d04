"""Small real files built in the tests: a JPEG (encoded by libav's MJPEG encoder, through
PyAV, a dev dependency), a PNG and PDFs written byte by byte, and the location data, scripts
and disguises the upload checks must refuse."""

from __future__ import annotations

import struct
import zlib


def jpeg(*, side: int = 16, shade: int = 120) -> bytes:
    import av

    codec = av.CodecContext.create("mjpeg", "w")
    codec.width = codec.height = side
    codec.pix_fmt = "yuvj420p"
    frame = av.VideoFrame(side, side, "yuvj420p")
    for plane in frame.planes:
        plane.update(bytes([shade]) * plane.buffer_size)
    packets = codec.encode(frame) + codec.encode(None)
    return bytes(packets[0])


def tiff_with_gps(*, big_endian: bool = False) -> bytes:
    """A TIFF (EXIF) structure: IFD0 with Make and a GPS pointer; a GPS IFD with a latitude."""
    o = ">" if big_endian else "<"
    header = (b"MM" if big_endian else b"II") + struct.pack(o + "HI", 42, 8)
    # IFD0 at 8: two entries (12 bytes each) + next-IFD offset
    ifd0_size = 2 + 2 * 12 + 4
    gps_offset = 8 + ifd0_size
    make = struct.pack(o + "HHI4s", 0x010F, 2, 4, b"Cam\x00")
    gps_pointer = struct.pack(o + "HHII", 0x8825, 4, 1, gps_offset)
    ifd0 = struct.pack(o + "H", 2) + make + gps_pointer + struct.pack(o + "I", 0)
    latitude_ref = struct.pack(o + "HHI4s", 0x0001, 2, 2, b"N\x00\x00\x00")
    gps = struct.pack(o + "H", 1) + latitude_ref + struct.pack(o + "I", 0)
    return header + ifd0 + gps


def tiff_without_gps() -> bytes:
    header = b"II" + struct.pack("<HI", 42, 8)
    make = struct.pack("<HHI4s", 0x010F, 2, 4, b"Cam\x00")
    return header + struct.pack("<H", 1) + make + struct.pack("<I", 0)


def jpeg_with_exif(tiff: bytes) -> bytes:
    data = jpeg()
    payload = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app1 + data[2:]


def png(*, extra_chunks: list[tuple[bytes, bytes]] | None = None, side: int = 8) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * side for _ in range(side))
    chunks = [chunk(b"IHDR", header)]
    chunks += [chunk(kind, body) for kind, body in extra_chunks or []]
    chunks += [chunk(b"IDAT", zlib.compress(rows)), chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def pdf(*, catalog_extra: bytes = b"", objects: list[bytes] | None = None) -> bytes:
    """A one-page PDF saying 'Hello' with a correct cross-reference table.

    `catalog_extra` goes into the catalog dictionary; `objects` are further objects,
    numbered from 5.
    """
    content = b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
        b"/BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *(objects or []),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def object_stream(objects: bytes, *, filter_name: bytes = b"/FlateDecode") -> bytes:
    """An object stream (`/Type /ObjStm`) holding `objects` (as object 6), compressed."""
    data = b"6 0 " + objects
    body = zlib.compress(data) if filter_name == b"/FlateDecode" else data.hex().encode() + b">"
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n"
        % (filter_name, len(body))
        + body
        + b"\nendstream"
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
#: The start of a Windows executable (MZ header, PE offset, the DOS stub's message).
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + struct.pack("<I", 64)
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 200
)
