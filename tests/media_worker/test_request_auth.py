"""The worker's side of signing: replays refused, nonces forgotten once stale, memory bounded."""

from __future__ import annotations

import pytest

from chalicelib.media import control_signing
from media_worker.errors import TooManyRequests, Unauthorized
from media_worker.request_auth import NonceLedger, RequestVerifier

SECRET = "dummy-shared-secret-for-tests-only-0123456789"
NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def verify(verifier: RequestVerifier, *, nonce: str, signed_at: float = NOW) -> None:
    headers = control_signing.sign(
        SECRET, "GET", "/rooms/c1/roster", b"", worker_id="w1", now=signed_at, nonce=nonce
    )
    verifier.verify("GET", "/rooms/c1/roster", b"", headers)


def test_a_nonce_is_good_once() -> None:
    verifier = RequestVerifier(SECRET, worker_id="w1", clock=Clock())
    verify(verifier, nonce="n-1")
    with pytest.raises(Unauthorized, match="already used"):
        verify(verifier, nonce="n-1")


def test_a_nonce_is_forgotten_once_its_request_could_no_longer_pass() -> None:
    clock, ledger = Clock(), NonceLedger()
    verifier = RequestVerifier(SECRET, worker_id="w1", clock=clock, ledger=ledger)
    verify(verifier, nonce="n-1")

    clock.now = NOW + 31
    verify(verifier, nonce="n-2", signed_at=clock.now)

    assert len(ledger) == 1  # n-1 is gone: replaying it now fails on its timestamp
    with pytest.raises(Unauthorized, match="validity window"):
        verify(verifier, nonce="n-1")


def test_refused_signatures_never_reach_the_ledger() -> None:
    ledger = NonceLedger()
    verifier = RequestVerifier(SECRET, worker_id="w1", clock=Clock(), ledger=ledger)
    with pytest.raises(Unauthorized):
        verifier.verify("GET", "/", b"", {"X-Vestibule-Nonce": "n", "X-Vestibule-Timestamp": "1"})
    assert len(ledger) == 0


def test_a_full_ledger_refuses_rather_than_forgets() -> None:
    verifier = RequestVerifier(
        SECRET, worker_id="w1", clock=Clock(), ledger=NonceLedger(max_entries=2)
    )
    verify(verifier, nonce="n-1")
    verify(verifier, nonce="n-2")
    with pytest.raises(TooManyRequests):
        verify(verifier, nonce="n-3")
    with pytest.raises(Unauthorized, match="already used"):
        verify(verifier, nonce="n-1")
