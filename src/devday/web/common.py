"""What every page shares: templates and their filters, rendering with a CSRF token, the
signed-in user, and form checks. Each page module builds on these."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from devday.deps import StateDep
from devday.web import csrf

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
FormStr = Annotated[str, Form(max_length=500)]


def render(
    request: Request, state: StateDep, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Renders ``name`` with a CSRF token (and sets its cookie) for the forms on the page."""
    token = csrf.token_for(state, request)
    response = TEMPLATES.TemplateResponse(
        request, name, {**context, "csrf_token": token}, status_code=status
    )
    csrf.set_cookie(response, token, secure=request.url.scheme == "https")
    return response


def login_redirect(request: Request) -> RedirectResponse:
    """Where a signed-out visitor of a page goes: the login page, and back afterwards."""
    return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)


def form_ok(request: Request, state: StateDep, submitted: str | None) -> bool:
    return csrf.verify(state, request, submitted)


def local(value: datetime | None, timezone: str, pattern: str = "%a %d %b %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime(pattern)


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


TEMPLATES.env.filters["local"] = local
TEMPLATES.env.filters["duration"] = duration
