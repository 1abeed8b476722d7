"""App checks: /api/v1/apps, /api/v1/checks, /api/v1/incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from sqlalchemy.orm import Session

from devday.checks import maintenance, service
from devday.checks.models import App, Check, IncidentStatus, MaintenanceWindow
from devday.checks.schemas import (
    AppCreate,
    AppRead,
    AppUpdate,
    CheckCreate,
    CheckRead,
    CheckUpdate,
    HistoryRead,
    IncidentRead,
    MaintenanceCreate,
    MaintenanceRead,
    ResultRead,
)
from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, IdQuery, OutboundDep, SessionDep
from devday.task.schemas import Instant

router = APIRouter(prefix="/api/v1", tags=["checks"])


def app_read(session: Session, app: App, now: datetime) -> AppRead:
    return service.app_views(session=session, apps=[app], now=now)[0]


def check_read(session: Session, check: Check) -> CheckRead:
    # get() reads the identity map first: listing many checks of one app loads it once.
    app = session.get_one(App, check.app_id)
    values = {name: getattr(check, name) for name in CheckRead.model_fields if name != "url"}
    return CheckRead(**values, url=app.base_url + check.path)


def window_read(window: MaintenanceWindow, now: datetime) -> MaintenanceRead:
    read = MaintenanceRead.model_validate(window)
    read.active = maintenance.is_active(window, now)
    return read


# --- apps ---------------------------------------------------------------------------------------


@router.post("/apps", status_code=status.HTTP_201_CREATED, response_model=AppRead)
def create_app(
    data: AppCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
    response: Response,
) -> AppRead:
    """Register an app of one of your teams: its base URL, the member who owns (fixes) it,
    and the stakeholders told about its incidents, each through a channel. A URL on the
    server's own network is refused unless the administrator allows it, for every team or
    for this one (DEVDAY_OUTBOUND_ALLOW, DEVDAY_ALLOW_PRIVATE_URLS)."""
    app = outbound.run(
        lambda vetted: service.create_app(
            session=session,
            user=user,
            data=data,
            now=clock.now(),
            outbound=vetted,
        ),
    )
    session.commit()
    response.headers["ETag"] = etag(app.version)
    return app_read(session, app, clock.now())


@router.get("/apps", response_model=list[AppRead])
def list_apps(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    team_id: Annotated[IdQuery, Query(description="Only this team's apps")] = None,
) -> list[AppRead]:
    """Your teams' apps with each check's current status, last hour's latency p50/p95,
    grade and open incidents."""
    apps = service.list_apps(session=session, user=user, team_id=team_id)
    return service.app_views(session=session, apps=apps, now=clock.now())


@router.get("/apps/{app_id}", response_model=AppRead)
def read_app(
    app_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> AppRead:
    """One app with its checks' status; the ETag is the version to send when updating."""
    app = service.get_app(session=session, user=user, app_id=app_id)
    response.headers["ETag"] = etag(app.version)
    return app_read(session, app, clock.now())


@router.patch("/apps/{app_id}", response_model=AppRead)
def update_app(
    app_id: IdPath,
    data: AppUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> AppRead:
    """Change the fields sent; `stakeholders`, when sent, replaces the list. Send the version
    you read (If-Match or `version`)."""
    version = expected_version(if_match, data.version)
    app = outbound.run(
        lambda vetted: service.update_app(
            session=session,
            user=user,
            app_id=app_id,
            data=data,
            version=version,
            outbound=vetted,
        ),
    )
    session.commit()
    response.headers["ETag"] = etag(app.version)
    return app_read(session, app, clock.now())


@router.delete("/apps/{app_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_app(app_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete an app with its checks, results and incidents (tasks made from them stay)."""
    service.delete_app(session=session, user=user, app_id=app_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/apps/{app_id}/checks", status_code=status.HTTP_201_CREATED, response_model=CheckRead)
def create_check(
    app_id: IdPath,
    data: CheckCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
    response: Response,
) -> CheckRead:
    """Add a check to an app: a request (method, path under the base URL, headers, body) on
    an interval, and what its answer must satisfy: accepted statuses, keywords, JSON
    assertions such as `$.status == "ok"`, a latency budget, a regression factor, the TLS
    certificate, a security-header grade. An assertion that does not parse is refused here."""
    check = outbound.run(
        lambda vetted: service.create_check(
            session=session,
            user=user,
            app_id=app_id,
            data=data,
            now=clock.now(),
            outbound=vetted,
        ),
    )
    session.commit()
    response.headers["ETag"] = etag(check.version)
    return check_read(session, check)


@router.post(
    "/apps/{app_id}/maintenance",
    status_code=status.HTTP_201_CREATED,
    response_model=MaintenanceRead,
)
def create_window(
    app_id: IdPath,
    data: MaintenanceCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> MaintenanceRead:
    """A maintenance window: alerts of the app (or one check) are muted while it is on, and
    the checks still run and record. One-off, or recurring with an RFC 5545 rule read in the
    window's timezone."""
    window = service.create_window(
        session=session, user=user, app_id=app_id, data=data, now=clock.now()
    )
    session.commit()
    return window_read(window, clock.now())


@router.get("/apps/{app_id}/maintenance", response_model=list[MaintenanceRead])
def list_windows(
    app_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> list[MaintenanceRead]:
    """The app's maintenance windows, each saying whether it is on now."""
    windows = service.list_windows(session=session, user=user, app_id=app_id)
    return [window_read(w, clock.now()) for w in windows]


@router.delete("/maintenance/{window_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_window(window_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a maintenance window."""
    service.delete_window(session=session, user=user, window_id=window_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- checks -------------------------------------------------------------------------------------


@router.get("/checks", response_model=list[CheckRead])
def list_checks(
    user: CurrentUser,
    session: SessionDep,
    app_id: Annotated[IdQuery, Query(description="Only this app's checks")] = None,
    team_id: Annotated[IdQuery, Query(description="Only this team's checks")] = None,
) -> list[CheckRead]:
    """Checks of your teams' apps, by app and name."""
    checks = service.list_checks(session=session, user=user, app_id=app_id, team_id=team_id)
    return [check_read(session, c) for c in checks]


@router.get("/checks/{check_id}", response_model=CheckRead)
def read_check(
    check_id: IdPath, user: CurrentUser, session: SessionDep, response: Response
) -> CheckRead:
    """One check with its latest result; the ETag is the version to send when updating."""
    check = service.get_check(session=session, user=user, check_id=check_id)
    response.headers["ETag"] = etag(check.version)
    return check_read(session, check)


@router.patch("/checks/{check_id}", response_model=CheckRead)
def update_check(
    check_id: IdPath,
    data: CheckUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> CheckRead:
    """Change the fields sent (send null to clear an optional one). A new interval moves the
    next run to the new interval's next slot."""
    version = expected_version(if_match, data.version)
    check = outbound.run(
        lambda vetted: service.update_check(
            session=session,
            user=user,
            check_id=check_id,
            data=data,
            version=version,
            now=clock.now(),
            outbound=vetted,
        ),
    )
    session.commit()
    response.headers["ETag"] = etag(check.version)
    return check_read(session, check)


@router.delete("/checks/{check_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_check(check_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a check with its results and incidents."""
    service.delete_check(session=session, user=user, check_id=check_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/checks/{check_id}/run", response_model=CheckRead)
def run_check(
    check_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> CheckRead:
    """Make the check due now: the next runner round probes it once, then it keeps its
    schedule."""
    check = service.run_soon(session=session, user=user, check_id=check_id, now=clock.now())
    session.commit()
    return check_read(session, check)


@router.get("/checks/{check_id}/results", response_model=list[ResultRead])
def list_results(
    check_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many, newest first")] = 50,
) -> list[ResultRead]:
    """The check's latest runs (each run is kept 24 hours): status, latency, status code,
    error, certificate expiry and grade."""
    rows = service.recent_results(session=session, user=user, check_id=check_id, limit=limit)
    return [ResultRead.model_validate(r) for r in rows]


@router.get("/checks/{check_id}/history", response_model=HistoryRead)
def read_history(
    check_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[Instant | None, Query(description="From; default 24 hours before end")] = None,
    end: Annotated[Instant | None, Query(description="To; default now")] = None,
    points: Annotated[int, Query(ge=1, le=1000, description="About this many buckets")] = 120,
) -> HistoryRead:
    """Runs, uptime and latency p50/p95/max per bucket at any range: raw runs for the last
    hours, minute, hour and day aggregates (kept a year) beyond."""
    end = end or clock.now()
    start = start or end - timedelta(hours=24)
    return service.history(
        session=session, user=user, check_id=check_id, start=start, end=end, points=points
    )


# --- incidents ----------------------------------------------------------------------------------


@router.get("/incidents", response_model=list[IncidentRead])
def list_incidents(
    user: CurrentUser,
    session: SessionDep,
    status_: Annotated[
        IncidentStatus | None, Query(alias="status", description="open or resolved")
    ] = None,
    team_id: Annotated[IdQuery, Query(description="Only this team's")] = None,
    app_id: Annotated[IdQuery, Query(description="Only this app's")] = None,
    check_id: Annotated[IdQuery, Query(description="Only this check's")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[IncidentRead]:
    """Incidents of your teams' apps, open ones first, then newest first, with evidence and
    the task each became."""
    rows = service.list_incidents(
        session=session,
        user=user,
        status=status_,
        team_id=team_id,
        app_id=app_id,
        check_id=check_id,
        limit=limit,
    )
    return [IncidentRead.model_validate(i) for i in rows]


@router.get("/incidents/{incident_id}", response_model=IncidentRead)
def read_incident(incident_id: IdPath, user: CurrentUser, session: SessionDep) -> IncidentRead:
    """One incident with its evidence."""
    incident = service.get_incident(session=session, user=user, incident_id=incident_id)
    return IncidentRead.model_validate(incident)
