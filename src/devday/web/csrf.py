"""CSRF protection for forms: a signed double-submit token.

The token lives in a cookie and must come back in the form's ``csrf_token`` field. Another site
can make a browser send the cookie but can neither read it nor forge its signature.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature

from devday.deps import AppState

CSRF_COOKIE = "devday_csrf"
CSRF_FIELD = "csrf_token"


def token_for(state: AppState, request: Request) -> str:
    """The request's CSRF token: the cookie's, or a new one that ``set_cookie`` will store."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and _valid(state, existing):
        return existing
    token: str = state.signer.dumps(secrets.token_urlsafe(16), salt="csrf")
    return token


def _valid(state: AppState, token: str) -> bool:
    try:
        state.signer.loads(token, salt="csrf")
    except BadSignature:
        return False
    return True


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


def verify(state: AppState, request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not _valid(state, cookie):
        return False
    return hmac.compare_digest(cookie, submitted)
