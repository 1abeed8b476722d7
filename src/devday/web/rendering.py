"""The templates every page renders and their filters, and rendering with a CSRF token.

Templates live under ``templates/<domain>/``; ``base.html``, the form macros (``forms.html``)
and the shared error pages sit at the top. Filters are registered here, once, for all pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from devday import importance, timetext
from devday.deps import AppState
from devday.web import csrf
from devday.web.charts.checks import milliseconds

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))


def render(
    request: Request, state: AppState, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Renders ``name`` with a CSRF token (and sets its cookie) for the forms on the page, and
    the app clock's time (``clock_now``) that dates are written against (see ``local``)."""
    token = csrf.token_for(state, request)
    context = {"clock_now": state.clock.now(), **context, "csrf_token": token}
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    csrf.set_cookie(response, token, secure=request.url.scheme == "https")
    return response


def local(
    value: datetime | None,
    timezone: str,
    pattern: str | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """``value`` in ``timezone``: by ``pattern``, or (with ``now``, the app clock's time) as
    "Fri 04 Dec 17:00" with the year added when it is not the year of ``now`` (see
    ``timetext.moment``); "" for None."""
    if value is None:
        return ""
    if pattern is None:
        if now is None:
            raise ValueError("a date written for people needs the clock's time (now=)")
        return timetext.moment(value, timezone, now)
    return value.astimezone(ZoneInfo(timezone)).strftime(pattern)


def _clock_now(context: Context) -> datetime:
    found = context.get("clock_now")
    # Only the bare error pages render without ``render``; they show no dates.
    return found if isinstance(found, datetime) else datetime.now(UTC)


@pass_context
def _local_filter(
    context: Context, value: datetime | None, timezone: str, pattern: str | None = None
) -> str:
    return local(value, timezone, pattern, now=_clock_now(context))


@pass_context
def _day_filter(context: Context, value: date, timezone: str, long: bool = False) -> str:
    """A day as "Fri 04 Dec" (``long``: "Friday 04 December"), the year added when not this
    one."""
    return timetext.day(value, timezone, _clock_now(context), long=long)


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


TEMPLATES.env.filters["local"] = _local_filter
TEMPLATES.env.filters["day"] = _day_filter
TEMPLATES.env.filters["duration"] = duration
TEMPLATES.env.filters["ms"] = milliseconds
TEMPLATES.env.filters["seconds"] = every
TEMPLATES.env.filters["priority"] = importance.label
