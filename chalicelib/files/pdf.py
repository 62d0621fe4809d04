"""Whether a PDF carries active content: scripts, launch actions, embedded files, forms that
submit or import data, rich media.

The check reads PDF syntax, not text: it collects every name (`/JavaScript`, with `#xx`
escapes decoded, so `/J#61vaScript` is caught) in the file's objects, outside stream data,
and inside object streams (`/Type /ObjStm`, where PDF 1.5 and later keep most objects,
compressed with FlateDecode, which `zlib` inflates). Stream data that is not an object
stream (page contents, images, fonts) holds no actions and is not read: random bytes of a
photo would otherwise look like names.

A PDF whose objects cannot be read this way is refused as unreadable: an encrypted one
(`/Encrypt`: its object streams are ciphertext), an object stream with another filter, or
one that does not inflate or inflates past `MAX_INFLATED_BYTES` (a decompression bomb).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

#: Names whose presence refuses a PDF. /OpenAction and /AA are refused through what they
#: would run (/JavaScript, /JS, /Launch, ...): alone they open a page or set a view.
ACTIVE_NAMES = frozenset(
    {
        "JS",
        "JavaScript",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
    }
)
#: All object streams of a 10 MB PDF together, inflated; past this the PDF is a bomb.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
OTHER_FILTERS = frozenset(
    {
        "ASCIIHexDecode",
        "ASCII85Decode",
        "LZWDecode",
        "RunLengthDecode",
        "CCITTFaxDecode",
        "JBIG2Decode",
        "DCTDecode",
        "JPXDecode",
        "Crypt",
    }
)
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class PdfVerdict:
    #: The active names found (empty when none), or None when the PDF could not be read.
    active: frozenset[str] | None

    @property
    def readable(self) -> bool:
        return self.active is not None


def inspect_pdf(data: bytes) -> PdfVerdict:
    skeleton, streams = _split(data)
    names = names_in(skeleton)
    if "Encrypt" in names:
        return PdfVerdict(None)
    budget = MAX_INFLATED_BYTES
    for header, body in streams:
        header_names = names_in(header)
        if "ObjStm" not in header_names:
            continue
        if header_names & OTHER_FILTERS:
            return PdfVerdict(None)
        if "FlateDecode" in header_names:
            inflater = zlib.decompressobj()
            try:
                body = inflater.decompress(body, budget)
            except zlib.error:
                return PdfVerdict(None)
            if inflater.unconsumed_tail:
                return PdfVerdict(None)
            budget -= len(body)
        names |= names_in(body)
    return PdfVerdict(frozenset(names & ACTIVE_NAMES))


def names_in(chunk: bytes) -> set[str]:
    """Every PDF name in `chunk`, `#xx` escapes decoded (undecodable bytes replaced)."""
    return {
        _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
        for raw in _NAME.findall(chunk)
    }


def _split(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The file without its stream data, and each stream as (its object's header, data)."""
    skeleton: list[bytes] = []
    streams: list[tuple[bytes, bytes]] = []
    position = 0
    search = 0
    while True:
        keyword = data.find(b"stream", search)
        if keyword < 0:
            break
        search = keyword + 6
        if data[max(0, keyword - 3) : keyword] == b"end":
            continue
        if data[search : search + 2] == b"\r\n":
            start = search + 2
        elif data[search : search + 1] in (b"\n", b"\r"):
            start = search + 1
        else:
            continue  # the word inside a name or string, not the keyword
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        object_start = data.rfind(b"obj", position, keyword)
        header = data[object_start if object_start >= 0 else position : keyword]
        skeleton.append(data[position:start])
        streams.append((header, data[start:end]))
        position = search = end
    skeleton.append(data[position:])
    return b"".join(skeleton), streams
