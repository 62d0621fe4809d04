"""Clinicians' sessions: a random token in an HttpOnly cookie, only its hash stored.

A session is a `LinkToken` of purpose `clinician_session`. It ends 12 hours after sign-in
(`not_after`, absolute) or after 1 hour without a request (`expires_at`, the TTL, which each
use slides forward at most every few minutes); sign-out deletes it. Each resume also reads
the clinician (`active_clinician`: one GetItem, 0.5 RCU eventually consistent), so a
clinician who is deactivated or moved to another clinic is refused on the next request,
not 12 hours later; websocket tickets are checked the same way when redeemed. The CSRF token is
derived from the session token (a hash under a distinct label), so it is bound to this
session, needs no storage, and cannot be computed by anyone who cannot read the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.auth.principals import Principal
from chalicelib.auth.secret_tokens import token_hash
from chalicelib.auth.single_use import discard, issue, update_if_present
from chalicelib.clock import Clock
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.store.models import Clinician, LinkToken

PURPOSE = "clinician_session"
ABSOLUTE_LIFETIME = timedelta(hours=12)
IDLE_LIFETIME = timedelta(hours=1)
#: A session used again within this time of its last slide is not written to again.
SLIDE_GRANULARITY = timedelta(minutes=5)


@dataclass(frozen=True)
class StartedSession:
    token: str
    csrf_token: str
    lifetime: timedelta


def csrf_token_of(session_token: str) -> str:
    """The CSRF token bound to a session: derivable only from the secret session token."""
    return hashlib.sha256(f"vestibule-csrf\0{session_token}".encode()).hexdigest()


class SessionBook:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def start(self, clinician: Clinician) -> StartedSession:
        token = issue(
            Principal.of_clinician(clinician.clinician_id, clinician.clinic_id),
            purpose=PURPOSE,
            now=self._clock.now(),
            lifetime=ABSOLUTE_LIFETIME,
            kept_for=IDLE_LIFETIME,
        )
        return StartedSession(token, csrf_token_of(token), ABSOLUTE_LIFETIME)

    def resume(self, token: str | None) -> Principal:
        """The clinician holding this session; `Unauthorized` if it is unknown or over."""
        clinician = self.resume_clinician(token)
        return Principal.of_clinician(clinician.clinician_id, clinician.clinic_id)

    def resume_clinician(self, token: str | None) -> Clinician:
        """The session's clinician, still active in the session's clinic; `Unauthorized` if
        the session is unknown or over, or the clinician deactivated or moved."""
        if not token:
            raise Unauthorized("sign in first")
        try:
            item = LinkToken.get(token_hash(token))
        except LinkToken.DoesNotExist:
            raise Unauthorized("the session is unknown or has ended") from None
        now = self._clock.now()
        if item.purpose != PURPOSE or item.clinician_id is None:
            raise Unauthorized("the session is unknown or has ended")
        if item.not_after <= now or item.expires_at <= now:
            raise Unauthorized("the session has ended; sign in again")
        clinician = active_clinician(Principal.of_clinician(item.clinician_id, item.clinic_id))
        slid = min(item.not_after, now + IDLE_LIFETIME)
        sliding = slid - item.expires_at >= SLIDE_GRANULARITY
        if sliding and not update_if_present(item, [LinkToken.expires_at.set(slid)]):
            raise Unauthorized("the session has ended; sign in again")  # signed out meanwhile
        return clinician

    def end(self, token: str) -> None:
        """Delete the session; ending one that is already gone is not an error."""
        discard(token, purpose=PURPOSE)


def active_clinician(principal: Principal) -> Clinician:
    """The clinician `principal` names, if still active in the same clinic; `Unauthorized`
    otherwise (deactivated, deleted, or moved to another clinic: a session of the old clinic
    must not read it)."""
    try:
        clinician = Clinician.get(principal.id)
    except Clinician.DoesNotExist:
        raise Unauthorized("the session's clinician no longer exists") from None
    if not clinician.active or clinician.clinic_id != principal.clinic_id:
        raise Unauthorized("the session's clinician is no longer active in this clinic")
    return clinician


def check_csrf(session_token: str, header_value: str | None) -> None:
    """`Forbidden` unless the header carries this session's CSRF token."""
    if not header_value or not hmac.compare_digest(header_value, csrf_token_of(session_token)):
        raise Forbidden("the X-Vestibule-CSRF header is missing or wrong")
