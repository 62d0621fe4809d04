"""Browsers a clinician has signed in from: they may always ask for her sign-in link.

Rate limits on asking for a link must not let a stranger lock a clinician out (asking for
her address from many places). A browser that completed her sign-in before holds a
recent-device cookie, and its requests for *her* address skip the per-address and
per-source limits (they count only against a limit of their own, `PER_DEVICE` in
`chalicelib.auth.magic_links`, so a stolen cookie cannot be used to flood her mailbox).

The cookie's value is a random 256-bit token stored by its SHA-256, like sessions
(`chalicelib.auth.single_use`, purpose `recent_device`), bound to the clinician it was
issued to and valid for `LIFETIME`. A stored token rather than an HMAC-signed value: it
needs no new secret to provision and rotate, it cannot be forged without the table, and it
can be revoked by deleting its item. Its purpose keeps it from working as a session, a
magic link or a ticket. It vouches only while its clinician is active and only for her
current address. Signing in again replaces it.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.auth.principals import Principal
from chalicelib.auth.secret_tokens import token_hash
from chalicelib.auth.single_use import discard, issue
from chalicelib.clock import Clock
from chalicelib.store.models import Clinician, LinkToken

PURPOSE = "recent_device"
LIFETIME = timedelta(days=90)
#: Tokens are `secrets.token_urlsafe(32)`: anything much longer is not one of ours.
MAX_TOKEN_CHARS = 64


class RecentDevices:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def remember(self, clinician: Clinician, *, replacing: str | None = None) -> str:
        """A new token for the browser that just signed in; its previous one is dropped."""
        if replacing and len(replacing) <= MAX_TOKEN_CHARS:
            discard(replacing, purpose=PURPOSE)
        return issue(
            Principal.of_clinician(clinician.clinician_id, clinician.clinic_id),
            purpose=PURPOSE,
            now=self._clock.now(),
            lifetime=LIFETIME,
        )

    def vouches_for(self, token: str | None, email: str) -> bool:
        """True if `token` is a live recent-device token of the active clinician at `email`."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return False
        try:
            item = LinkToken.get(token_hash(token))
        except LinkToken.DoesNotExist:
            return False
        if item.purpose != PURPOSE or item.clinician_id is None:
            return False
        if item.not_after <= self._clock.now():
            return False
        try:
            clinician = Clinician.get(item.clinician_id)
        except Clinician.DoesNotExist:
            return False
        return clinician.active and clinician.email == email
