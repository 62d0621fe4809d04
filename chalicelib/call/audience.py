"""Who hears about a call: the consultation's clinicians, and its members.

One Query of the clinic's live connections (`ConnectionRegistry.audience`, as the waiting
room's pushes), kept to the staff connections of the clinicians the consultation names
and, for `to_members`, the participant connections of this consultation. A clinician of
another clinic, a colleague not on the consultation, or a participant of another
consultation is never a recipient.
"""

from __future__ import annotations

from typing import Any

from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import Connection, Consultation

STAFF = "clinician"


class CallAudience:
    def __init__(self, *, registry: ConnectionRegistry, pusher: Pusher) -> None:
        self._registry = registry
        self._pusher = pusher

    def to_clinicians(self, consultation: Consultation, frame: dict[str, Any]) -> int:
        """Push to the connections of the clinicians on the consultation only."""
        return self._push(consultation, frame, participants=False, excluding=None)

    def to_members(
        self, consultation: Consultation, frame: dict[str, Any], *, excluding: str | None = None
    ) -> int:
        """Push to the consultation's participants and its clinicians (but `excluding`)."""
        return self._push(consultation, frame, participants=True, excluding=excluding)

    def _push(
        self,
        consultation: Consultation,
        frame: dict[str, Any],
        *,
        participants: bool,
        excluding: str | None,
    ) -> int:
        consultation_id = consultation.consultation_id
        clinicians = set(consultation.clinician_ids)
        audience = self._registry.audience(
            consultation.clinic_id, [consultation_id] if participants else []
        )
        targets = [
            c.connection_id
            for c in audience
            if c.connection_id != excluding and _hears(c, consultation_id, clinicians)
        ]
        return self._pusher.push_to_all(targets, frame)


def _hears(connection: Connection, consultation_id: str, clinicians: set[str]) -> bool:
    if connection.principal_kind == STAFF:
        return connection.principal_id in clinicians
    return connection.consultation_id == consultation_id
