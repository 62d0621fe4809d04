"""Whether a JPEG or PNG still says where it was taken (EXIF GPS, or XMP GPS fields).

Phones write the location into EXIF: a TIFF structure whose first directory (IFD0) may
point to a GPS directory (tag 0x8825). JPEGs carry EXIF in an APP1 segment starting
`Exif\\0\\0` and XMP in an APP1 segment naming Adobe's namespace; PNGs carry EXIF in an
`eXIf` chunk, XMP in an `iTXt` chunk, and some tools write EXIF as hex text in a
`Raw profile type exif` text chunk. Each is read with the standard library only.

`ImageUnreadable` is raised for a file whose structure cannot be walked (a truncated
segment, a bad chunk checksum): it cannot be checked, so it is refused.
"""

from __future__ import annotations

import binascii
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXIF_HEADER = b"Exif\x00\x00"
GPS_IFD_TAG = 0x8825
XMP_GPS_MARKERS = (b"GPSLatitude", b"GPSLongitude")
#: Text chunks are small; a larger inflated one is not read further (and is refused).
MAX_TEXT_CHUNK = 4 * 1024 * 1024


class ImageUnreadable(ValueError):
    pass


def jpeg_has_location(data: bytes) -> bool:
    """Walk the JPEG's segments up to the image data; True if EXIF or XMP holds a GPS."""
    if not data.startswith(b"\xff\xd8"):
        raise ImageUnreadable("not a JPEG")
    position = 2
    while True:
        while position < len(data) and data[position] == 0xFF and _at(data, position + 1) == 0xFF:
            position += 1  # fill bytes
        if position + 4 > len(data) or data[position] != 0xFF:
            raise ImageUnreadable("truncated JPEG header")
        marker = data[position + 1]
        if marker == 0xDA or marker == 0xD9:  # start of scan / end of image: metadata is over
            return False
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2 or position + 2 + length > len(data):
            raise ImageUnreadable("a JPEG segment runs past the end")
        segment = data[position + 4 : position + 2 + length]
        if marker == 0xE1:
            if segment.startswith(EXIF_HEADER) and tiff_has_gps(segment[len(EXIF_HEADER) :]):
                return True
            if any(field in segment for field in XMP_GPS_MARKERS):
                return True
        position += 2 + length


def png_has_location(data: bytes) -> bool:
    """Walk the PNG's chunks (checking their CRCs); True if eXIf, XMP or raw EXIF has GPS."""
    if not data.startswith(PNG_SIGNATURE):
        raise ImageUnreadable("not a PNG")
    position = len(PNG_SIGNATURE)
    first = True
    while True:
        if position + 12 > len(data):
            raise ImageUnreadable("truncated PNG chunk")
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 8 + length
        if end + 4 > len(data):
            raise ImageUnreadable("a PNG chunk runs past the end")
        body = data[position + 8 : end]
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(kind + body) != crc:
            raise ImageUnreadable("a PNG chunk's checksum is wrong")
        if first and kind != b"IHDR":
            raise ImageUnreadable("a PNG starts with IHDR")
        first = False
        if kind == b"eXIf" and tiff_has_gps(body):
            return True
        if kind in (b"tEXt", b"zTXt", b"iTXt") and _text_chunk_has_gps(kind, body):
            return True
        if kind == b"IEND":
            return False
        position = end + 4


def tiff_has_gps(tiff: bytes) -> bool:
    """True if the TIFF structure's IFD0 has a GPS directory pointer."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        raise ImageUnreadable("EXIF without a TIFF header")
    order = "<" if tiff[:2] == b"II" else ">"
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    if offset + 2 > len(tiff):
        raise ImageUnreadable("EXIF directory past the end")
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    if offset + 2 + 12 * count > len(tiff):
        raise ImageUnreadable("EXIF directory past the end")
    for index in range(count):
        entry = offset + 2 + 12 * index
        (tag,) = struct.unpack(order + "H", tiff[entry : entry + 2])
        if tag == GPS_IFD_TAG:
            return True
    return False


def _text_chunk_has_gps(kind: bytes, body: bytes) -> bool:
    keyword, _, rest = body.partition(b"\x00")
    if kind == b"zTXt":
        rest = _inflate(rest[1:])  # compression method byte, then zlib data
    elif kind == b"iTXt":
        flag, rest = rest[:1], rest[2:]
        _language, _, rest = rest.partition(b"\x00")
        _translated, _, rest = rest.partition(b"\x00")
        if flag == b"\x01":
            rest = _inflate(rest)
    if any(field in rest for field in XMP_GPS_MARKERS):
        return True
    if keyword.lower() in (b"raw profile type exif", b"raw profile type app1"):
        # ImageMagick's layout: "\n<name>\n<length>\n<hex lines>"
        lines = rest.strip().split(b"\n", 2)
        hex_digits = b"".join(lines[2].split()) if len(lines) == 3 else b""
        try:
            raw = binascii.unhexlify(hex_digits)
        except (binascii.Error, ValueError):
            raise ImageUnreadable("unreadable raw EXIF profile") from None
        start = raw.find(EXIF_HEADER)
        tiff = raw[start + len(EXIF_HEADER) :] if start >= 0 else raw
        return tiff_has_gps(tiff)
    return False


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_TEXT_CHUNK)
    except zlib.error:
        raise ImageUnreadable("a compressed PNG text chunk is corrupt") from None
    if inflater.unconsumed_tail:
        raise ImageUnreadable("a PNG text chunk is too large")
    return out


def _at(data: bytes, index: int) -> int | None:
    return data[index] if index < len(data) else None
