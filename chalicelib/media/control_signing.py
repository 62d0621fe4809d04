"""Signed requests from the app to a media worker's control API: the one definition.

The app signs every control request with a secret it shares with the workers; the worker
refuses a request whose signature is missing or wrong, whose timestamp is more than
`VALIDITY_SECONDS` away from its own clock, or whose nonce it has already seen. The
signature is HMAC-SHA256 over this canonical string (lines joined by `\\n`)::

    vestibule-media-v2
    <worker id: the registry's id of the worker the request is meant for>
    <METHOD>
    <path, with its query string, exactly as sent>
    <timestamp: whole Unix seconds>
    <nonce>
    <hex SHA-256 of the body bytes>

and travels with the timestamp and the nonce in the `X-Vestibule-*` headers below. The
worker id binds a request to one worker: each worker checks against its own id, so a
request signed for worker A and replayed to worker B within the window (B has not seen its
nonce) is refused there.

Standard library only: the media worker's image copies this file, so signing (here, in
`chalicelib.media.client`) and checking (`media_worker.request_auth`) share one definition.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

SCHEME = "vestibule-media-v2"
TIMESTAMP_HEADER = "X-Vestibule-Timestamp"
NONCE_HEADER = "X-Vestibule-Nonce"
SIGNATURE_HEADER = "X-Vestibule-Signature"
#: How far a request's timestamp may be from the verifier's clock, either way.
VALIDITY_SECONDS = 30
MAX_NONCE_LENGTH = 64


class SignatureRefused(Exception):
    """The request is not signed, signed wrongly, too old or too new; says which."""


def canonical_string(
    worker_id: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    body_hash = hashlib.sha256(body).hexdigest()
    lines = (SCHEME, worker_id, method.upper(), path, timestamp, nonce, body_hash)
    return "\n".join(lines).encode()


def signature(secret: str, canonical: bytes) -> str:
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def sign(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    *,
    worker_id: str,
    now: float,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers that authenticate one request to worker `worker_id` at Unix time `now`."""
    timestamp = str(int(now))
    nonce = nonce or secrets.token_urlsafe(18)
    canonical = canonical_string(worker_id, method, path, timestamp, nonce, body)
    return {
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(secret, canonical),
    }


def check(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    worker_id: str,
    now: float,
) -> tuple[str, int]:
    """Check the signature (for this worker, `worker_id`) and the timestamp; return
    (nonce, timestamp) for the replay check.

    `headers` must look names up case-insensitively, as every HTTP server's do.
    """
    timestamp, nonce, given = (
        headers.get(name, "") for name in (TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
    )
    if not (timestamp and nonce and given):
        raise SignatureRefused("the request is not signed")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureRefused("the request's timestamp is malformed")
    if len(nonce) > MAX_NONCE_LENGTH:
        raise SignatureRefused("the request's nonce is too long")
    canonical = canonical_string(worker_id, method, path, timestamp, nonce, body)
    expected = signature(secret, canonical)
    if not hmac.compare_digest(expected, given):
        raise SignatureRefused("the request's signature does not match")
    if abs(now - int(timestamp)) > VALIDITY_SECONDS:
        raise SignatureRefused("the request's timestamp is outside the validity window")
    return nonce, int(timestamp)
