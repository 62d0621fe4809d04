"""Random secrets handed to people, and the hashes under which they are stored.

Links, magic links and websocket tickets carry 256 random bits; the database keeps only a
SHA-256 of the token, so a leaked table does not leak working links.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
