"""Short-lived, single-use tickets that open a websocket connection.

Browsers cannot set headers on a websocket handshake, so the REST API (where the session
cookie is checked) hands out a ticket that the page puts in the connection URL. A ticket is
worth one connection within `TICKET_LIFETIME`; redeeming spends it (`chalicelib.auth.single_use`),
so two connections racing with one ticket cannot both win.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.auth.principals import Principal
from chalicelib.auth.single_use import issue, principal_of, spend
from chalicelib.clock import Clock
from chalicelib.errors import Unauthorized

TICKET_LIFETIME = timedelta(seconds=60)
PURPOSE = "ws_ticket"


class TicketBook:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def issue(self, principal: Principal) -> str:
        return issue(principal, purpose=PURPOSE, now=self._clock.now(), lifetime=TICKET_LIFETIME)

    def redeem(self, ticket: str | None) -> Principal:
        """Spend a ticket and return whom it was issued to; `Unauthorized` otherwise."""
        if not ticket:
            raise Unauthorized("a websocket ticket is required")
        item = spend(ticket, purpose=PURPOSE, now=self._clock.now(), what="websocket ticket")
        return principal_of(item)
