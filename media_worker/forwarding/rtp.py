"""RTP packets as the forwarder sees them: the header read once, the payload never copied.

The worker forwards each received RTP packet (RFC 3550) to every subscriber with that
subscriber's SSRC, payload type, sequence number and timestamp; the payload passes as is.
`parse` reads a decrypted packet's fixed header and skips its CSRCs, header extensions and
padding (the publisher's extensions use the IDs of the publisher's leg, so they are dropped
and each leg writes its own). `unwrap_rtx` turns a retransmission (RFC 4588: the original
sequence number, then the original payload) back into the packet it repairs.
Sequence numbers are 16-bit and wrap: `newer` compares them the RFC 3550 way.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

FIXED_HEADER = struct.Struct("!BBHII")
RTP_VERSION = 2


@dataclass(slots=True)
class RtpPacket:
    """One decrypted RTP packet; `keyframe` marks the first packet of a keyframe."""

    ssrc: int
    payload_type: int
    sequence_number: int
    timestamp: int
    marker: bool
    payload: bytes
    keyframe: bool = False


def parse(data: bytes) -> RtpPacket | None:
    """The packet in `data`, or None when it is not a well-formed RTP packet."""
    size = len(data)
    if size < FIXED_HEADER.size:
        return None
    first, second, sequence_number, timestamp, ssrc = FIXED_HEADER.unpack_from(data)
    if first >> 6 != RTP_VERSION:
        return None
    offset = FIXED_HEADER.size + 4 * (first & 0x0F)
    if first & 0x10:
        if size < offset + 4:
            return None
        offset += 4 + 4 * (data[offset + 2] << 8 | data[offset + 3])
    end = size - data[-1] if first & 0x20 else size
    if offset > end:
        return None
    return RtpPacket(
        ssrc, second & 0x7F, sequence_number, timestamp, second > 127, data[offset:end]
    )


def unwrap_rtx(packet: RtpPacket, *, payload_type: int, ssrc: int) -> RtpPacket | None:
    """The original packet a retransmission carries; None for an empty (padding) one."""
    if len(packet.payload) < 3:
        return None
    return RtpPacket(
        ssrc,
        payload_type,
        int.from_bytes(packet.payload[:2], "big"),
        packet.timestamp,
        packet.marker,
        packet.payload[2:],
    )


def serialize(
    *,
    ssrc: int,
    payload_type: int,
    sequence_number: int,
    timestamp: int,
    marker: bool,
    extension: bytes,
    payload: bytes,
) -> bytes:
    """A packet with the given header fields, `extension` (a whole RFC 8285 block or b"")."""
    header = FIXED_HEADER.pack(
        0x90 if extension else 0x80,
        payload_type | 0x80 if marker else payload_type,
        sequence_number,
        timestamp,
        ssrc,
    )
    return b"".join((header, extension, payload))  # one copy of the payload, not two


def newer(a: int, b: int) -> bool:
    """Whether 16-bit sequence number `a` comes after `b` (with wrap-around)."""
    return a != b and (a - b) & 0xFFFF < 0x8000
