"""Short-lived, single-use tickets that open a websocket connection.

Browsers cannot set headers on a websocket handshake, so the REST API (where the session
cookie is checked) hands out a ticket that the page puts in the connection URL. A ticket is
worth one connection within `TICKET_LIFETIME`; redeeming spends it (`chalicelib.auth.single_use`),
so two connections racing with one ticket cannot both win. Redeeming also checks that its
holder may still act (`standing`, by principal kind: an active clinician of the same clinic,
a participant of a consultation that is not cancelled), so a ticket issued just before a
clinician was deactivated or a consultation cancelled opens nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from chalicelib.auth.principals import Principal, PrincipalKind
from chalicelib.auth.single_use import issue, principal_of, spend
from chalicelib.clock import Clock
from chalicelib.errors import Unauthorized

TICKET_LIFETIME = timedelta(seconds=60)
PURPOSE = "ws_ticket"
#: For each kind of principal, a check that raises `Unauthorized` when it may no longer act.
Standing = Mapping[PrincipalKind, Callable[[Principal], object]]


class TicketBook:
    def __init__(self, *, clock: Clock, standing: Standing) -> None:
        self._clock = clock
        self._standing = standing

    def issue(self, principal: Principal) -> str:
        return issue(principal, purpose=PURPOSE, now=self._clock.now(), lifetime=TICKET_LIFETIME)

    def redeem(self, ticket: str | None) -> Principal:
        """Spend a ticket and return whom it was issued to; `Unauthorized` otherwise."""
        if not ticket:
            raise Unauthorized("a websocket ticket is required")
        item = spend(ticket, purpose=PURPOSE, now=self._clock.now(), what="websocket ticket")
        principal = principal_of(item)
        self._standing[principal.kind](principal)
        return principal
