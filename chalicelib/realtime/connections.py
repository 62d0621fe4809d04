"""The registry of live websocket connections, kept in DynamoDB.

`$connect` records who holds a connection, `$disconnect` forgets it, and a push that finds
the connection gone (API Gateway's GoneException) forgets it too, since `$disconnect` is
not guaranteed to run. Records also expire by TTL after API Gateway's 2-hour maximum.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.auth.principals import Principal
from chalicelib.clock import Clock
from chalicelib.store.models import Connection

#: API Gateway closes every websocket connection after two hours.
MAX_CONNECTION_LIFETIME = timedelta(hours=2)


class ConnectionRegistry:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def record(self, connection_id: str, principal: Principal) -> Connection:
        now = self._clock.now()
        connection = Connection(
            connection_id=connection_id,
            principal_kind=principal.kind,
            principal_id=principal.id,
            clinic_id=principal.clinic_id,
            consultation_id=principal.consultation_id,
            staff_clinic_id=principal.clinic_id if principal.kind == "clinician" else None,
            connected_at=now,
            expires_at=now + MAX_CONNECTION_LIFETIME + timedelta(minutes=5),
        )
        connection.save()
        return connection

    def find(self, connection_id: str) -> Connection | None:
        try:
            return Connection.get(connection_id)
        except Connection.DoesNotExist:
            return None

    def forget(self, connection_id: str) -> None:
        """Remove the record; forgetting an unknown connection is not an error."""
        Connection(connection_id=connection_id).delete()

    def mark_in_call(self, connection_id: str, consultation_id: str | None) -> None:
        """Remember that the connection joined this consultation's call (None: it left), so
        its `$disconnect` is known as a dropped call. A connection already gone stays gone."""
        action = (
            Connection.call_id.remove()
            if consultation_id is None
            else Connection.call_id.set(consultation_id)
        )
        try:
            Connection(connection_id=connection_id).update(
                actions=[action], condition=Connection.connection_id.exists()
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def of_consultation(self, consultation_id: str) -> list[Connection]:
        return list(Connection.by_consultation.query(consultation_id))

    def audience(self, clinic_id: str, consultation_ids: Collection[str]) -> list[Connection]:
        """The clinic's staff connections and the participant connections of
        `consultation_ids`, in ONE Query of the clinic's connections (`by_clinic`).

        The key is the clinic, so another clinic's connections are never read; the filter
        keeps staff and these consultations' participants. Only connections live now are
        read, so the cost does not grow with the day's consultations.
        """
        wanted = sorted(set(consultation_ids))
        keep = Connection.staff_clinic_id.exists()
        if wanted:
            keep = keep | Connection.consultation_id.is_in(*wanted)
        return list(Connection.by_clinic.query(clinic_id, filter_condition=keep))
