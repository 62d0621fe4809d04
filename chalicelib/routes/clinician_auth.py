"""The session cookie on the wire, and `authenticated_clinician(request)` for routes.

The cookie `vestibule_session` is HttpOnly (scripts cannot read it), `SameSite=Strict` (no
cross-site request carries it: the session is only ever used by our own pages' `fetch`
calls, never by a top-level navigation from another site), `Path=/api` (only the API sees
it) and `Secure` on every stage but `local` (the local stack is plain HTTP).

CSRF: besides SameSite, every state-changing request must carry `X-Vestibule-CSRF` equal to
the session's CSRF token (`chalicelib.auth.clinician_sessions.csrf_token_of`), which the sign-in
answer and `GET /api/clinician/session` return to our own pages; a cross-site form cannot
set that header, and a cross-site script cannot read those answers.
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import CookieError, SimpleCookie

from chalice.app import Request

from chalicelib.auth.clinician_sessions import SessionBook, check_csrf
from chalicelib.auth.principals import Principal

COOKIE_NAME = "vestibule_session"
CSRF_HEADER = "X-Vestibule-CSRF"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_token_of(request: Request, name: str = COOKIE_NAME) -> str | None:
    """The session token from the request's Cookie header (cookie `name`), if any."""
    header = request.headers.get("cookie")
    if not header:
        return None
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return None
    morsel = cookies.get(name)
    return morsel.value if morsel is not None and morsel.value else None


def authenticated_clinician(request: Request, sessions: SessionBook) -> Principal:
    """The signed-in clinician (scoped to their clinic); checks CSRF on unsafe methods.

    Raises `Unauthorized` without a live session and `Forbidden` without the CSRF header.
    """
    token = session_token_of(request)
    principal = sessions.resume(token)
    if request.method.upper() not in SAFE_METHODS:
        check_csrf(token or "", request.headers.get(CSRF_HEADER.lower()))
    return principal


def session_cookie(
    token: str, *, lifetime: timedelta, secure: bool, name: str = COOKIE_NAME, path: str = "/api"
) -> str:
    """The Set-Cookie value that starts a session (participants' cookie has its own `name`;
    the recent-device cookie its own `name` and `path`)."""
    return _cookie(name, token, max_age=int(lifetime.total_seconds()), secure=secure, path=path)


def cleared_cookie(*, secure: bool, name: str = COOKIE_NAME) -> str:
    """The Set-Cookie value that removes the session cookie from the browser."""
    return _cookie(name, "", max_age=0, secure=secure)


def _cookie(name: str, value: str, *, max_age: int, secure: bool, path: str = "/api") -> str:
    parts = [f"{name}={value}", "HttpOnly", "SameSite=Strict", f"Path={path}"]
    parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
