"""Who receives a consultation's chat: every live connection of its participants and of its
clinicians (`clinician_ids`), and no one else.

The recipients are found with the waiting room's one Query of the clinic's live connections
(`ConnectionRegistry.audience`: staff and this consultation's participants), kept here to the
consultation's own clinicians; then one Management API post per recipient.
"""

from __future__ import annotations

from typing import Any

from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import Connection, Consultation


def recipients(registry: ConnectionRegistry, consultation: Consultation) -> list[str]:
    """Connection ids of the consultation's participants and clinicians."""
    return [
        connection.connection_id
        for connection in registry.audience(consultation.clinic_id, [consultation.consultation_id])
        if _member(connection, consultation)
    ]


def deliver(
    pusher: Pusher,
    registry: ConnectionRegistry,
    consultation: Consultation,
    frame: dict[str, Any],
    *,
    excluding: str | None = None,
) -> int:
    """Push `frame` to every recipient but `excluding`; the number that arrived."""
    chosen = [c for c in recipients(registry, consultation) if c != excluding]
    return pusher.push_to_all(chosen, frame)


def _member(connection: Connection, consultation: Consultation) -> bool:
    if connection.principal_kind == "clinician":
        return connection.principal_id in set(consultation.clinician_ids)
    return (
        connection.principal_kind == "participant"
        and connection.consultation_id == consultation.consultation_id
    )
