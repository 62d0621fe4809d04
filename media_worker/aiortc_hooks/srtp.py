"""SRTP for the packet path: libsrtp called directly on a session aiortc keyed.

aiortc keys one `pylibsrtp.Session` per direction when DTLS completes (`_rx_srtp`,
`_tx_srtp` of its `RTCDtlsTransport`). Its `protect`/`unprotect` allocate a length cell
and raise an exception object per failure; on the worker's path, once per packet and per
copy, that wrapper cost as much as the cipher itself. `Srtp(session)` calls the same libsrtp
functions on the same session with its own buffer and length cell, allocated once, and
answers None for a packet libsrtp refuses (forged, replayed, damaged) instead of raising.
The session stays aiortc's: its RTCP keeps using it, one call at a time, as the event loop
runs one thing at a time.

Checked against pylibsrtp 1.0.0 (`problems()`, run by `pass_through.check_compatible()`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pylibsrtp
from pylibsrtp import _binding

#: The longest datagram the worker handles, plus libsrtp's largest trailer (tag and MKI).
BUFFER_SIZE = 1500 + pylibsrtp.SRTP_MAX_TRAILER_LEN
_MAX_INPUT = 1500

_ffi, _lib = _binding.ffi, _binding.lib
_SRTP_OK = 0


class Srtp:
    """Protect and unprotect RTP packets with one aiortc-keyed libsrtp session."""

    __slots__ = ("_buffer", "_cdata", "_context", "_length", "session")

    def __init__(self, session: pylibsrtp.Session) -> None:
        self.session = session
        self._context = session._srtp[0]
        self._cdata = _ffi.new("char[]", BUFFER_SIZE)
        self._buffer = _ffi.buffer(self._cdata)
        self._length = _ffi.new("int *")

    def protect(self, packet: bytes) -> bytes | None:
        """The SRTP packet for plain RTP `packet`, or None if libsrtp refuses it."""
        return self._process(packet, _lib.srtp_protect)

    def unprotect(self, packet: bytes) -> bytes | None:
        """The plain RTP packet in SRTP `packet`, or None if it fails authentication or
        replay checks (libsrtp drops it, as aiortc would)."""
        return self._process(packet, _lib.srtp_unprotect)

    def _process(self, packet: bytes, function: Callable[[Any, Any, Any], int]) -> bytes | None:
        size = len(packet)
        if size > _MAX_INPUT:
            return None
        buffer, length = self._buffer, self._length
        buffer[0:size] = packet
        length[0] = size
        if function(self._context, self._cdata, length) != _SRTP_OK:
            return None
        result: bytes = buffer[0 : length[0]]
        return result


class SrtpCache:
    """The `Srtp` of whichever session a transport holds now (it is replaced on a DTLS
    restart): `get(session)` builds a new one only when the session changed."""

    __slots__ = ("_srtp",)

    def __init__(self) -> None:
        self._srtp: Srtp | None = None

    def get(self, session: pylibsrtp.Session) -> Srtp:
        srtp = self._srtp
        if srtp is None or srtp.session is not session:
            srtp = self._srtp = Srtp(session)
        return srtp


def problems() -> list[str]:
    """What no longer holds of pylibsrtp's internals this module uses (empty when all do)."""
    found = []
    for name in ("srtp_protect", "srtp_unprotect"):
        if not hasattr(_lib, name):
            found.append(f"pylibsrtp's binding no longer exports {name}")
    if not hasattr(pylibsrtp, "SRTP_MAX_TRAILER_LEN"):
        found.append("pylibsrtp no longer defines SRTP_MAX_TRAILER_LEN")
    try:
        session = pylibsrtp.Session()
        context = getattr(session, "_srtp", None)
        if context is None or _ffi.typeof(context).cname != "struct srtp_ctx_t_ * *":
            found.append("pylibsrtp.Session no longer keeps its srtp_t in _srtp")
    except Exception as exc:  # noqa: BLE001  # any failure here is a compatibility problem
        found.append(f"pylibsrtp.Session() fails ({type(exc).__name__})")
    return found
