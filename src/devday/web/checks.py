"""The app-check pages: /apps (every app of the caller's teams, its checks' status, latency
and grade), /apps/{id} (each check's latency over a range, grade history, incidents),
/incidents (open first, with evidence and a link to each one's task), and the forms that add
an app and a check. A thin adapter over the checks service (``web/checks_views.py`` shapes
what the templates show).

Every form POST checks the CSRF token, answers 303 to the page it belongs to, and a refused
one re-renders that page with each message next to its field and a 4xx status, never JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.checks import service as checks_service
from devday.checks.models import App, IncidentStatus
from devday.checks.schemas import METHODS, AppCreate, CheckCreate
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import DomainError, NotFound
from devday.ids import MAX_ID
from devday.team import service as team_service
from devday.web._legacy import form_ok, login_redirect
from devday.web.charts.checks import milliseconds
from devday.web.checks_views import (
    DEFAULT_RANGE,
    RANGES,
    app_cards,
    check_panels,
    incident_rows,
)
from devday.web.forms import FormStr
from devday.web.rendering import TEMPLATES, render

router = APIRouter(include_in_schema=False)

APPS_PAGE = "web/apps.html"
APP_PAGE = "web/apps_detail.html"
MISSING_PAGE = "web/apps_missing.html"
INCIDENTS_PAGE = "web/incidents.html"
EXPIRED = "Your form expired; please try again."
INTERVALS = [(30, "30 seconds"), (60, "1 minute"), (300, "5 minutes"), (900, "15 minutes"),
             (3600, "1 hour")]  # fmt: skip
INCIDENT_FILTERS = {"all": None, "open": IncidentStatus.open, "resolved": IncidentStatus.resolved}
CHECK_DEFAULTS = {
    "name": "",
    "method": "GET",
    "path": "/",
    "statuses": "2xx, 3xx",
    "must_contain": "",
    "latency_budget_ms": "",
    "interval_seconds": "60",
    "security": "",
    "tls": "on",
}


def every(seconds: int) -> str:
    """``interval_seconds`` as people say it: 30 s, 5 min, 1 h."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


TEMPLATES.env.filters["ms"] = milliseconds
TEMPLATES.env.filters["seconds"] = every


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.timezone)


def _field_errors(exc: ValidationError, prefix: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        errors.setdefault(prefix + field, str(item["msg"]).removeprefix("Value error, "))
    return errors


# --- the list ------------------------------------------------------------------------------------


@router.get("/apps", response_class=HTMLResponse)
def apps_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _apps(request, state, session, user, added=request.query_params.get("added"))


def _apps(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    now = state.clock.now()
    context: dict[str, Any] = {
        "user": user,
        "cards": app_cards(session=session, user=user, now=now),
        "teams": [team for team, _ in team_service.list_teams(session=session, user=user)],
        "open_incidents": len(
            checks_service.list_incidents(session=session, user=user, status=IncidentStatus.open)
        ),
        "values": {},
        "errors": {},
        "error": None,
        **extra,
    }
    return render(request, state, APPS_PAGE, context, status=status)


@router.post("/apps", response_class=HTMLResponse)
def add_app(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    team_id: FormStr = "",
    name: FormStr = "",
    base_url: FormStr = "",
    csrf_token: FormStr = "",
) -> Response:
    if user is None:
        return login_redirect(request)
    values = {"team_id": team_id, "name": name, "base_url": base_url}
    if not form_ok(request, state, csrf_token):
        return _apps(request, state, session, user, values=values, error=EXPIRED, status=403)
    try:
        data = AppCreate(team_id=team_id or 0, name=name, base_url=base_url)
        app = checks_service.create_app(
            session=session,
            user=user,
            data=data,
            now=state.clock.now(),
            allow_private=state.settings.allow_private_urls,
        )
        session.commit()
    except ValidationError as exc:
        session.rollback()
        errors = _field_errors(exc, "app-")
        return _apps(request, state, session, user, values=values, errors=errors, status=422)
    except DomainError as exc:
        session.rollback()
        errors = {f"app-{exc.field or 'base_url'}": exc.message}
        return _apps(
            request, state, session, user, values=values, errors=errors, status=exc.status_code
        )
    return RedirectResponse(f"/apps/{app.id}?added=app", status_code=303)


# --- one app -------------------------------------------------------------------------------------


def _visible_app(session: Session, user: User, raw_id: str) -> App | None:
    if not raw_id.isascii() or not raw_id.isdigit() or not 1 <= int(raw_id[:12]) <= MAX_ID:
        return None
    try:
        return checks_service.get_app(session=session, user=user, app_id=int(raw_id))
    except NotFound:
        return None


def _missing(request: Request, state: StateDep, user: User) -> Response:
    return render(request, state, MISSING_PAGE, {"user": user}, status=404)


@router.get("/apps/{app_id}", response_class=HTMLResponse)
def app_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, app_id: str
) -> Response:
    if user is None:
        return login_redirect(request)
    app = _visible_app(session, user, app_id)
    if app is None:
        return _missing(request, state, user)
    return _app(request, state, session, user, app, added=request.query_params.get("added"))


def _app(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    app: App,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    now = state.clock.now()
    zone = _zone(user)
    range_key = request.query_params.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    incidents = checks_service.list_incidents(session=session, user=user, app_id=app.id)
    rows = incident_rows(session=session, user=user, incidents=incidents, now=now, zone=zone)
    view = checks_service.app_views(session=session, apps=[app], now=now)[0]
    context: dict[str, Any] = {
        "user": user,
        "app": app,
        "view": view,
        "range_key": range_key,
        "ranges": RANGES,
        "panels": check_panels(
            session=session, user=user, app=app, range_key=range_key, now=now, zone=zone
        ),
        "open_rows": [r for r in rows if r.incident.status == IncidentStatus.open],
        "past_rows": [r for r in rows if r.incident.status != IncidentStatus.open],
        "methods": METHODS,
        "intervals": INTERVALS,
        "values": CHECK_DEFAULTS,
        "errors": {},
        "error": None,
        **extra,
    }
    return render(request, state, APP_PAGE, context, status=status)


@router.post("/apps/{app_id}/checks", response_class=HTMLResponse)
async def add_check(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, app_id: str
) -> Response:
    if user is None:
        return login_redirect(request)
    app = _visible_app(session, user, app_id)
    if app is None:
        return _missing(request, state, user)
    form = await request.form()
    values = {key: str(form.get(key, ""))[:2000] for key in CHECK_DEFAULTS}
    if not form_ok(request, state, str(form.get("csrf_token", ""))):
        return _app(request, state, session, user, app, values=values, error=EXPIRED, status=403)
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {
        "name": values["name"].strip(),
        "method": values["method"],
        "path": values["path"].strip() or "/",
        "accepted_statuses": [s.strip() for s in values["statuses"].split(",") if s.strip()],
        "must_contain": values["must_contain"] or None,
        "security": values["security"] == "on",
        "tls": values["tls"] == "on",
    }
    for key in ("latency_budget_ms", "interval_seconds"):
        text = values[key].strip()
        if text and not text.isdigit():
            errors[f"check-{key}"] = "write a whole number"
        elif text:
            fields[key] = int(text[:9])
    if "interval_seconds" in fields:
        fields["timeout_seconds"] = min(10.0, float(fields["interval_seconds"]))
    if not errors:
        try:
            data = CheckCreate(**fields)
            check = checks_service.create_check(
                session=session,
                user=user,
                app_id=app.id,
                data=data,
                now=state.clock.now(),
                allow_private=state.settings.allow_private_urls,
            )
            session.commit()
        except ValidationError as exc:
            session.rollback()
            errors = {_check_field(k): v for k, v in _field_errors(exc, "").items()}
        except DomainError as exc:
            session.rollback()
            errors = {_check_field(exc.field or "form"): exc.message}
        else:
            return RedirectResponse(f"/apps/{app.id}?added=check#check-{check.id}", status_code=303)
    return _app(request, state, session, user, app, values=values, errors=errors, status=422)


def _check_field(name: str) -> str:
    return "check-" + {"accepted_statuses": "statuses"}.get(name, name)


# --- incidents -----------------------------------------------------------------------------------


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    shown = request.query_params.get("status", "all")
    if shown not in INCIDENT_FILTERS:
        shown = "all"
    now: datetime = state.clock.now()
    incidents = checks_service.list_incidents(
        session=session, user=user, status=INCIDENT_FILTERS[shown], limit=200
    )
    rows = incident_rows(session=session, user=user, incidents=incidents, now=now, zone=_zone(user))
    context = {
        "user": user,
        "shown": shown,
        "filters": list(INCIDENT_FILTERS),
        "open_rows": [r for r in rows if r.incident.status == IncidentStatus.open],
        "past_rows": [r for r in rows if r.incident.status != IncidentStatus.open],
    }
    return render(request, state, INCIDENTS_PAGE, context)
