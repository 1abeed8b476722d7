"""CSRF protection for forms: a signed double-submit token bound to the browser's session.

The token lives in a cookie and must come back in the form's ``csrf_token`` field. Another site
can make a browser send the cookie but can neither read it nor forge its signature. The token
also names the session it was made for (a digest of the session key; nothing for a signed-out
visitor), and is accepted only beside that session's cookie: a cookie-and-token pair taken
from another session and planted in the victim's browser is refused. Signing in or out
therefore gives the browser a new token with the next page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature

from devday.deps import AppState, session_key_from_cookie

CSRF_COOKIE = "devday_csrf"
CSRF_FIELD = "csrf_token"


def _binding(state: AppState, request: Request) -> str:
    """What ties a token to this request's session: "" for a visitor without one."""
    key = session_key_from_cookie(state, request)
    return hashlib.sha256(b"csrf:" + key.encode()).hexdigest()[:32] if key else ""


def token_for(state: AppState, request: Request) -> str:
    """The request's CSRF token: the cookie's when it belongs to this session, or a new one
    that ``set_cookie`` will store."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and _bound_to(state, existing, _binding(state, request)):
        return existing
    token: str = state.signer.dumps(
        [secrets.token_urlsafe(16), _binding(state, request)], salt="csrf"
    )
    return token


def _bound_to(state: AppState, token: str, binding: str) -> bool:
    try:
        value = state.signer.loads(token, salt="csrf")
    except BadSignature:
        return False
    # A token from before tokens were bound (a bare string) is no longer accepted.
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[1], str)
        and hmac.compare_digest(value[1].encode(), binding.encode())
    )


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


def verify(state: AppState, request: Request, submitted: str | None) -> bool:
    """Whether ``submitted`` is this browser's token and belongs to its current session."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        return False
    return _bound_to(state, cookie, _binding(state, request))
