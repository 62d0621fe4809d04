"""Short-lived, single-use tickets that open a websocket connection.

Browsers cannot set headers on a websocket handshake, so the REST API (where the session
cookie is checked) hands out a ticket that the page puts in the connection URL. A ticket is
worth one connection within `TICKET_LIFETIME`; redeeming deletes it under a condition, so
two connections racing with one ticket cannot both win.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import DeleteError

from chalicelib.clock import Clock
from chalicelib.errors import Unauthorized
from chalicelib.models import LinkToken
from chalicelib.principals import Principal
from chalicelib.secret_tokens import new_token, token_hash

TICKET_LIFETIME = timedelta(seconds=60)
PURPOSE = "ws_ticket"


class TicketBook:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def issue(self, principal: Principal) -> str:
        ticket = new_token()
        now = self._clock.now()
        LinkToken(
            token_hash=token_hash(ticket),
            purpose=PURPOSE,
            clinic_id=principal.clinic_id,
            consultation_id=principal.consultation_id,
            participant_id=principal.id if principal.kind == "participant" else None,
            clinician_id=principal.id if principal.kind == "clinician" else None,
            created_at=now,
            not_after=now + TICKET_LIFETIME,
            expires_at=now + TICKET_LIFETIME,
        ).save(condition=LinkToken.token_hash.does_not_exist())
        return ticket

    def redeem(self, ticket: str | None) -> Principal:
        """Spend a ticket and return whom it was issued to; `Unauthorized` otherwise."""
        if not ticket:
            raise Unauthorized("a websocket ticket is required")
        try:
            item = LinkToken.get(token_hash(ticket))
        except LinkToken.DoesNotExist:
            raise Unauthorized("the websocket ticket is unknown or already used") from None
        try:
            item.delete(condition=LinkToken.token_hash.exists())
        except DeleteError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise Unauthorized("the websocket ticket is unknown or already used") from None
        if item.purpose != PURPOSE or item.not_after < self._clock.now():
            raise Unauthorized("the websocket ticket has expired")
        return _principal_of(item)


def _principal_of(item: LinkToken) -> Principal:
    if item.clinician_id is not None:
        return Principal(
            kind="clinician",
            id=item.clinician_id,
            clinic_id=item.clinic_id,
            consultation_id=item.consultation_id,
        )
    if item.participant_id is None:
        raise Unauthorized("the websocket ticket names nobody")
    return Principal(
        kind="participant",
        id=item.participant_id,
        clinic_id=item.clinic_id,
        consultation_id=item.consultation_id,
    )
