"""Which packets of a publisher's stream are missing, to NACK them (RFC 4585).

The worker NACKs a gap as soon as a later packet reveals it, and forgets a missing packet
when it arrives (a retransmission) or when it falls `horizon` packets behind the newest;
a jump further than `horizon` (a publisher restarting its numbering) is not a gap.
"""

from __future__ import annotations

#: How far behind the newest packet a missing one is still worth asking for.
NACK_HORIZON = 256


class MissingPackets:
    def __init__(self, horizon: int = NACK_HORIZON) -> None:
        self._horizon = horizon
        self._newest: int | None = None
        self.missing: set[int] = set()

    def add(self, sequence_number: int) -> bool:
        """Note a received packet; True when it revealed new missing packets."""
        newest = self._newest
        if newest is None:
            self._newest = sequence_number
            return False
        ahead = (sequence_number - newest) & 0xFFFF
        if ahead >= 0x8000 or ahead == 0:  # older (a retransmission, or reordered) or a copy
            if self.missing:
                self.missing.discard(sequence_number)
            return False
        self._newest = sequence_number
        if ahead == 1:
            return False
        if self.missing:
            self.missing = {
                seq for seq in self.missing if (sequence_number - seq) & 0xFFFF < self._horizon
            }
        if ahead > self._horizon:
            return False
        self.missing.update((newest + offset) & 0xFFFF for offset in range(1, ahead))
        return True
