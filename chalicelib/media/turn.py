"""Short-lived TURN credentials for browsers, in coturn's TURN REST API scheme.

coturn started with `use-auth-secret` and `static-auth-secret=<secret>` accepts any
username of the form `<expiry as Unix time>:<user id>` whose password is
base64(HMAC-SHA1(secret, username)), until that expiry. The app shares the secret with
coturn and hands each participant credentials that expire after `DEFAULT_TTL`, so a leaked
pair is soon worthless and no TURN user database is needed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.clock import Clock
from chalicelib.errors import ConfigError

DEFAULT_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class TurnCredentials:
    username: str
    credential: str
    expires_at: datetime


def turn_credentials(
    secret: str, user_id: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> TurnCredentials:
    """Credentials for `user_id` (a participant or clinician id, never a name) until now+ttl."""
    if not user_id or ":" in user_id:
        raise ValueError("a TURN user id must be non-empty and free of ':'")
    expires_at = now + ttl
    username = f"{int(expires_at.timestamp())}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredentials(username, base64.b64encode(digest).decode("ascii"), expires_at)


class IceServerIssuer:
    """The `iceServers` a browser gets: the STUN servers, and TURN with fresh credentials."""

    def __init__(
        self,
        *,
        secret: str | None,
        turn_urls: tuple[str, ...],
        stun_urls: tuple[str, ...],
        clock: Clock,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self._secret = secret
        self._turn_urls = turn_urls
        self._stun_urls = stun_urls
        self._clock = clock
        self._ttl = ttl

    def ice_servers(self, user_id: str) -> list[dict[str, Any]]:
        """`RTCIceServer` dictionaries for `RTCPeerConnection({iceServers})` in the browser."""
        if not self._turn_urls:
            raise ConfigError("VESTIBULE_TURN_URLS is not set: no TURN server for browsers")
        if self._secret is None:
            raise ConfigError("VESTIBULE_TURN_SECRET is not set: cannot issue TURN credentials")
        issued = turn_credentials(self._secret, user_id, now=self._clock.now(), ttl=self._ttl)
        servers: list[dict[str, Any]] = [{"urls": list(self._stun_urls)}] if self._stun_urls else []
        servers.append(
            {
                "urls": list(self._turn_urls),
                "username": issued.username,
                "credential": issued.credential,
            }
        )
        return servers
