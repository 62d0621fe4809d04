"""A STUN Binding Request over UDP (RFC 5389), with the standard library: is coturn there?

`binding(host, port)` sends one request and returns the address the server saw us at
(its XOR-MAPPED-ADDRESS); `StunError` says what went wrong.
"""

from __future__ import annotations

import secrets
import socket
import struct

MAGIC_COOKIE = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
XOR_MAPPED_ADDRESS = 0x0020
_HEADER = struct.Struct("!HHI12s")


class StunError(Exception):
    """No answer, or not a STUN Binding success answering our request."""


def binding(host: str, port: int, *, timeout: float = 2.0) -> tuple[str, int]:
    transaction = secrets.token_bytes(12)
    request = _HEADER.pack(BINDING_REQUEST, 0, MAGIC_COOKIE, transaction)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(request, (host, port))
            answer = sock.recv(2048)
        except TimeoutError:
            raise StunError(f"no STUN answer from {host}:{port} within {timeout:g} s") from None
        except OSError as error:
            raise StunError(f"STUN to {host}:{port} failed: {error.strerror}") from None
    return parse_binding_success(answer, transaction)


def parse_binding_success(answer: bytes, transaction: bytes) -> tuple[str, int]:
    if len(answer) < _HEADER.size:
        raise StunError("the answer is too short for STUN")
    kind, length, cookie, answered = _HEADER.unpack_from(answer)
    if cookie != MAGIC_COOKIE or answered != transaction:
        raise StunError("the answer is not STUN, or answers another request")
    if kind != BINDING_SUCCESS:
        raise StunError(f"the answer is STUN message type {kind:#06x}, not a Binding success")
    offset, end = _HEADER.size, _HEADER.size + length
    while offset + 4 <= end:
        attribute, size = struct.unpack_from("!HH", answer, offset)
        value = answer[offset + 4 : offset + 4 + size]
        if attribute == XOR_MAPPED_ADDRESS and len(value) == 8 and value[1] == 0x01:
            port = struct.unpack_from("!H", value, 2)[0] ^ (MAGIC_COOKIE >> 16)
            address = struct.unpack_from("!I", value, 4)[0] ^ MAGIC_COOKIE
            return socket.inet_ntoa(struct.pack("!I", address)), port
        offset += 4 + (size + 3) // 4 * 4  # attributes are padded to 4 bytes
    raise StunError("the Binding success has no IPv4 XOR-MAPPED-ADDRESS")
