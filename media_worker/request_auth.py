"""Checks the app's signature on each control request, and refuses replays.

The scheme is defined once, in `chalicelib.media.control_signing` (standard library only; the image
copies it). Here: a request passes when its signature matches for this worker's own id
(`VESTIBULE_MEDIA_WORKER_ID`: a request signed for another worker fails), its timestamp is within
`VALIDITY_SECONDS` of this worker's clock, and its nonce has not been seen. Nonces are
remembered only after the signature matched (so nobody can fill the ledger without the
secret) and only until their request could no longer pass the timestamp check anyway.
The ledger is bounded: when full, requests are refused (429) rather than replays allowed.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Mapping

from chalicelib.media.control_signing import VALIDITY_SECONDS, SignatureRefused, check
from media_worker.errors import TooManyRequests, Unauthorized

#: About 3,000 requests a second sustained over the 60-second window; a few MB at most.
MAX_NONCES = 200_000


class NonceLedger:
    """Nonces seen, each until the moment its request would be too old to pass."""

    def __init__(self, *, max_entries: int = MAX_NONCES) -> None:
        self._max_entries = max_entries
        self._expiry_by_nonce: dict[str, float] = {}
        self._by_expiry: list[tuple[float, str]] = []

    def __len__(self) -> int:
        return len(self._expiry_by_nonce)

    def remember(self, nonce: str, *, until: float, now: float) -> bool:
        """Record `nonce`; False if it is already recorded (a replay)."""
        self._forget_expired(now)
        if nonce in self._expiry_by_nonce:
            return False
        if len(self._expiry_by_nonce) >= self._max_entries:
            raise TooManyRequests("too many control requests at once; try again shortly")
        self._expiry_by_nonce[nonce] = until
        heapq.heappush(self._by_expiry, (until, nonce))
        return True

    def _forget_expired(self, now: float) -> None:
        while self._by_expiry and self._by_expiry[0][0] < now:
            _, nonce = heapq.heappop(self._by_expiry)
            del self._expiry_by_nonce[nonce]


class RequestVerifier:
    def __init__(
        self,
        secret: str,
        *,
        worker_id: str,
        clock: Callable[[], float] = time.time,
        ledger: NonceLedger | None = None,
    ) -> None:
        self._secret = secret
        self._worker_id = worker_id
        self._clock = clock
        self._ledger = NonceLedger() if ledger is None else ledger

    def verify(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Return quietly for a good request; raise `Unauthorized` saying why otherwise."""
        now = self._clock()
        try:
            nonce, timestamp = check(
                self._secret, method, path, body, headers, worker_id=self._worker_id, now=now
            )
        except SignatureRefused as refusal:
            raise Unauthorized(str(refusal)) from None
        if not self._ledger.remember(nonce, until=timestamp + VALIDITY_SECONDS, now=now):
            raise Unauthorized("the request's nonce was already used")
