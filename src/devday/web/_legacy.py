"""Helpers of the page modules not yet moved to their domains; removed with the last of them."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from devday.deps import StateDep
from devday.web import csrf


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)


def form_ok(request: Request, state: StateDep, submitted: str | None) -> bool:
    return csrf.verify(state, request, submitted)
