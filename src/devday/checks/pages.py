"""The app-check pages: /apps (every app of the caller's teams, its checks' status, latency
and grade), /apps/{id} (each check's latency over a range, grade history, incidents),
/incidents (open first, with evidence and a link to each one's task), and the forms that add
an app and a check. A thin adapter over the checks service (``checks.views`` shapes what the
templates show).

Every form POST checks the CSRF token, answers 303 to the page it belongs to, and a refused
one re-renders that page with each message next to its field and a 4xx status, never JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import HTMLResponse, Response

from devday.checks import service as checks_service
from devday.checks.models import App, Check, IncidentStatus
from devday.checks.schemas import METHODS, AppCreate, CheckCreate
from devday.checks.views import DEFAULT_RANGE, RANGES, app_cards, check_panels, incident_rows
from devday.deps import IdPath
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action
from devday.web.forms import FormInvalid, FormStr, Refusal
from devday.web.page import Missing, Page, PageContext, page_router

router = page_router(
    Missing(
        title="App not found",
        text="There is no such app, or it belongs to a team you are not in.",
        back="/apps",
        back_label="Back to the apps",
    )
)

APPS_PAGE = "checks/apps.html"
APP_PAGE = "checks/app.html"
INCIDENTS_PAGE = "checks/incidents.html"
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


def current_app(page: Page, app_id: IdPath) -> App:
    """The app in the path, if it belongs to one of the user's teams; else the 404 page."""
    return checks_service.get_app(session=page.session, user=page.user, app_id=app_id)


CurrentApp = Annotated[App, Depends(current_app)]


# --- the list ------------------------------------------------------------------------------------


@router.get("/apps", response_class=HTMLResponse)
def apps_page(page: Page) -> Response:
    return _apps(page, added=page.query("added") or None)


def _apps(page: PageContext, *, status: int = 200, **extra: Any) -> Response:
    session, user = page.session, page.user
    open_incidents = checks_service.list_incidents(
        session=session, user=user, status=IncidentStatus.open
    )
    context: dict[str, Any] = {
        "cards": app_cards(session=session, user=user, now=page.now),
        # The add-app form offers only the teams where the role allows it (devday.team.policy).
        "teams": [
            team
            for team, role in team_service.list_teams(session=session, user=user)
            if policy.allows(role, Action.manage_apps)
        ],
        "in_a_team": bool(team_service.team_ids_of(session=session, user_id=user.id)),
        "open_incidents": len(open_incidents),
        "values": {},
        "errors": {},
        "error": None,
        **extra,
    }
    return page.render(APPS_PAGE, context, status=status)


@router.post("/apps", response_class=HTMLResponse)
def add_app(
    page: Page, team_id: FormStr = "", name: FormStr = "", base_url: FormStr = ""
) -> Response:
    values = {"team_id": team_id, "name": name, "base_url": base_url}

    def add() -> App:
        data = AppCreate(team_id=team_id or 0, name=name, base_url=base_url)
        return page.outbound.run(
            lambda vetted: checks_service.create_app(
                session=page.session,
                user=page.user,
                data=data,
                now=page.now,
                outbound=vetted,
            ),
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired or refusal.status == 403:
            return _apps(page, values=values, error=refusal.message, status=403)
        errors = refusal.prefixed("app-", default="base_url")
        return _apps(page, values=values, errors=errors, status=refusal.status)

    return page.submit(add, then=lambda app: f"/apps/{app.id}?added=app", refused=refused)


# --- one app -------------------------------------------------------------------------------------


@router.get("/apps/{app_id}", response_class=HTMLResponse)
def app_page(page: Page, app: CurrentApp) -> Response:
    return _app(page, app, added=page.query("added") or None)


def _app(page: PageContext, app: App, *, status: int = 200, **extra: Any) -> Response:
    session, user, now = page.session, page.user, page.now
    range_key = page.query("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    incidents = checks_service.list_incidents(session=session, user=user, app_id=app.id)
    rows = incident_rows(session=session, user=user, incidents=incidents, now=now, zone=page.zone)
    panels = check_panels(
        session=session, user=user, app=app, range_key=range_key, now=now, zone=page.zone
    )
    context: dict[str, Any] = {
        "app": app,
        "can_manage": policy.allows(
            team_service.member_role(session=session, team_id=app.team_id, user_id=user.id),
            Action.manage_apps,
        ),
        "view": checks_service.app_views(session=session, apps=[app], now=now)[0],
        "range_key": range_key,
        "ranges": RANGES,
        "panels": panels,
        "open_rows": [r for r in rows if r.incident.status == IncidentStatus.open],
        "past_rows": [r for r in rows if r.incident.status != IncidentStatus.open],
        "methods": METHODS,
        "intervals": INTERVALS,
        "values": CHECK_DEFAULTS,
        "errors": {},
        "error": None,
        **extra,
    }
    return page.render(APP_PAGE, context, status=status)


@router.post("/apps/{app_id}/checks", response_class=HTMLResponse)
def add_check(page: Page, app: CurrentApp) -> Response:
    app_id = app.id
    values = {key: page.form_value(key, max_length=2000) for key in CHECK_DEFAULTS}

    def add() -> Check:
        return page.outbound.run(
            lambda vetted: checks_service.create_check(
                session=page.session,
                user=page.user,
                app_id=app_id,
                data=_check_create(values),
                now=page.now,
                outbound=vetted,
            ),
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired or refusal.status == 403:
            return _app(page, app, values=values, error=refusal.message, status=403)
        errors = {
            _check_field(k): v for k, v in (refusal.errors or {"form": refusal.message}).items()
        }
        return _app(page, app, values=values, errors=errors, status=refusal.status)

    return page.submit(
        add, then=lambda check: f"/apps/{app_id}?added=check#check-{check.id}", refused=refused
    )


def _check_create(values: dict[str, str]) -> CheckCreate:
    """The check the form describes; numbers that are not are refused before the schema."""
    fields: dict[str, Any] = {
        "name": values["name"].strip(),
        "method": values["method"],
        "path": values["path"].strip() or "/",
        "accepted_statuses": [s.strip() for s in values["statuses"].split(",") if s.strip()],
        "must_contain": values["must_contain"] or None,
        "security": values["security"] == "on",
        "tls": values["tls"] == "on",
    }
    errors: dict[str, str] = {}
    for key in ("latency_budget_ms", "interval_seconds"):
        text = values[key].strip()
        if text and not text.isdigit():
            errors[key] = "write a whole number"
        elif text:
            fields[key] = int(text[:9])
    if errors:
        raise FormInvalid(errors)
    if "interval_seconds" in fields:
        fields["timeout_seconds"] = min(10.0, float(fields["interval_seconds"]))
    return CheckCreate(**fields)


def _check_field(name: str) -> str:
    return "check-" + {"accepted_statuses": "statuses"}.get(name, name)


# --- incidents -----------------------------------------------------------------------------------


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(page: Page) -> Response:
    shown = page.query("status", "all")
    if shown not in INCIDENT_FILTERS:
        shown = "all"
    incidents = checks_service.list_incidents(
        session=page.session, user=page.user, status=INCIDENT_FILTERS[shown], limit=200
    )
    rows = incident_rows(
        session=page.session, user=page.user, incidents=incidents, now=page.now, zone=page.zone
    )
    context = {
        "shown": shown,
        "filters": list(INCIDENT_FILTERS),
        "open_rows": [r for r in rows if r.incident.status == IncidentStatus.open],
        "past_rows": [r for r in rows if r.incident.status != IncidentStatus.open],
    }
    return page.render(INCIDENTS_PAGE, context)
