"""Who receives a consultation's chat: every live connection of its participants and of its
clinicians (`clinician_ids`), and no one else.

One function, so the fan-out can change in one place: today it costs one Query of the
consultation's connections and one of the clinic's staff connections (kept only for the
consultation's clinicians), then one Management API post per recipient.
"""

from __future__ import annotations

from typing import Any

from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import Connection, Consultation


def recipients(registry: ConnectionRegistry, consultation: Consultation) -> list[str]:
    """Connection ids of the consultation's participants and clinicians."""
    clinicians = set(consultation.clinician_ids)
    participants = [
        connection.connection_id
        for connection in registry.of_consultation(consultation.consultation_id)
        if connection.principal_kind == "participant"
    ]
    staff = [
        connection.connection_id
        for connection in Connection.by_clinic_staff.query(consultation.clinic_id)
        if connection.principal_kind == "clinician" and connection.principal_id in clinicians
    ]
    return participants + staff


def deliver(
    pusher: Pusher,
    registry: ConnectionRegistry,
    consultation: Consultation,
    frame: dict[str, Any],
    *,
    excluding: str | None = None,
) -> int:
    """Push `frame` to every recipient but `excluding`; the number that arrived."""
    return sum(
        pusher.push(connection_id, frame)
        for connection_id in recipients(registry, consultation)
        if connection_id != excluding
    )
