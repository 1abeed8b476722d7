"""The templates every page renders and their filters, and rendering with a CSRF token.

Templates live under ``templates/<domain>/``; ``base.html``, the form macros (``forms.html``)
and the shared error pages sit at the top. Filters are registered here, once, for all pages.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from devday import importance
from devday.deps import AppState
from devday.web import csrf
from devday.web.charts.checks import milliseconds

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))


def render(
    request: Request, state: AppState, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Renders ``name`` with a CSRF token (and sets its cookie) for the forms on the page."""
    token = csrf.token_for(state, request)
    response = TEMPLATES.TemplateResponse(
        request, name, {**context, "csrf_token": token}, status_code=status
    )
    csrf.set_cookie(response, token, secure=request.url.scheme == "https")
    return response


def local(value: datetime | None, timezone: str, pattern: str = "%a %d %b %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(timezone)).strftime(pattern)


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def every(seconds: int) -> str:
    """An interval as people say it: 30 s, 5 min, 1 h."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


TEMPLATES.env.filters["local"] = local
TEMPLATES.env.filters["duration"] = duration
TEMPLATES.env.filters["ms"] = milliseconds
TEMPLATES.env.filters["seconds"] = every
TEMPLATES.env.filters["priority"] = importance.label
