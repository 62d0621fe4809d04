"""Live pushes of the waiting room: to one consultation's participants and the clinic's staff.

Each push finds its recipients with ONE Query (`ConnectionRegistry.audience`, keyed by the
clinic, filtered to staff connections and this consultation's participant connections) and
posts once per recipient through the Management API. A participant of another consultation
or anyone of another clinic is never a recipient. `participant_state` is the function other
parts of the app call after changing a participant (the consent route does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import Connection, Consultation, Participant
from chalicelib.waiting_room import frames
from chalicelib.waiting_room.estimate import Estimate

STAFF = "clinician"


class RoomBroadcast:
    def __init__(self, *, registry: ConnectionRegistry, pusher: Pusher) -> None:
        self._registry = registry
        self._pusher = pusher

    def participant_state(self, consultation: Consultation, participant: Participant) -> int:
        """Push `waiting_room.participant` with the participant's state to every recipient."""
        return self.to_room(
            consultation.clinic_id,
            consultation.consultation_id,
            frames.participant_frame(consultation.consultation_id, participant),
        )

    def to_room(self, clinic_id: str, consultation_id: str, *frames: dict[str, Any]) -> int:
        """Push `frames`, in order, to the consultation's participants and the clinic's staff,
        found with one Query however many frames there are; count arrivals."""
        audience = [c.connection_id for c in self._registry.audience(clinic_id, [consultation_id])]
        return sum(self._pusher.push_to_all(audience, frame) for frame in frames)

    def estimates(self, clinic_id: str, estimates: Mapping[str, Estimate | None]) -> int:
        """Push each consultation's new estimate to its participants only (one Query)."""
        if not estimates:
            return 0
        audience = self._registry.audience(clinic_id, list(estimates))
        return sum(
            self._pusher.push(
                connection.connection_id,
                frames.estimate_frame(
                    connection.consultation_id, estimates[connection.consultation_id]
                ),
            )
            for connection in audience
            if _participant_of(connection, estimates)
        )


def _participant_of(connection: Connection, estimates: Mapping[str, Estimate | None]) -> bool:
    return (
        connection.principal_kind != STAFF
        and connection.consultation_id is not None
        and connection.consultation_id in estimates
    )
