"""What a subscriber was sent lately, to answer its NACKs (RFC 4585) with retransmissions.

Each subscriber leg keeps the last `size` packets it sent, by the sequence number it sent
them with (after rewriting), so a NACK from that subscriber's browser is answered from the
worker, at once, without asking the publisher. A slot keeps a packet until a packet
`size` later overwrites it: at 1 Mbps video (about 120 packets a second) 512 packets are
about four seconds, far longer than a NACK is useful. The size divides 65536, so slots
stay in step when sequence numbers wrap.
"""

from __future__ import annotations

from dataclasses import dataclass

HISTORY_SIZE = 512


@dataclass(slots=True)  # not frozen: a frozen dataclass costs twice as much to create
class SentPacket:
    sequence_number: int
    timestamp: int
    marker: bool
    payload: bytes


class RetransmissionHistory:
    def __init__(self, size: int = HISTORY_SIZE) -> None:
        self._size = size
        self._slots: list[SentPacket | None] = [None] * size

    def add(self, packet: SentPacket) -> None:
        self._slots[packet.sequence_number % self._size] = packet

    def get(self, sequence_number: int) -> SentPacket | None:
        """The packet sent with `sequence_number`, if it is still kept."""
        packet = self._slots[sequence_number % self._size]
        if packet is None or packet.sequence_number != sequence_number:
            return None
        return packet
