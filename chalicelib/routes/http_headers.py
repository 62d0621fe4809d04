"""What the routes' answers share: no caching of anything about people, and cookie security.

Every answer that names a clinician, a participant or a session carries `NO_STORE`, so no
browser or proxy keeps it. Session cookies are `Secure` everywhere but on the local stack,
which serves plain HTTP on loopback.
"""

from __future__ import annotations

from chalicelib.wiring import services

Headers = dict[str, str | list[str]]
NO_STORE: Headers = {"Cache-Control": "no-store"}
JSON_CONTENT: Headers = {"Content-Type": "application/json"}


def cookies_secure() -> bool:
    return services().settings.stage != "local"
