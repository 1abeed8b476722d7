"""Apps, checks, maintenance windows and incidents: what the API, pages and CLI build on.

Everything belongs to a team and is visible to its members only; anyone else gets NotFound,
as if it did not exist. Plain functions over a caller-owned session: nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.checks import maintenance, rollup
from devday.checks.models import (
    App,
    Check,
    CheckResult,
    CheckState,
    Incident,
    IncidentStatus,
    MaintenanceWindow,
    Stakeholder,
)
from devday.checks.schemas import (
    AppCreate,
    AppRead,
    AppUpdate,
    CheckCreate,
    CheckSummary,
    CheckUpdate,
    HistoryRead,
    MaintenanceCreate,
    StakeholderIn,
    StakeholderRead,
    check_path,
)
from devday.checks.slots import next_slot_after
from devday.concurrency import check_version
from devday.errors import Invalid, NotFound
from devday.netguard import STRICT, OutboundPolicy, Vetted, vetted
from devday.notify import service as notify_service
from devday.project import service as project_service
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action

RECENT = timedelta(hours=1)


# --- apps ---------------------------------------------------------------------------------------


def create_app(
    *,
    session: Session,
    user: User,
    data: AppCreate,
    now: datetime,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> App:
    """An app of a team the caller belongs to; the caller owns it unless ``owner_id`` names
    another member. A base URL inside the server's network is refused unless ``outbound``
    allows it, for every team or for this one; pass the ``Vetted`` of ``netguard.with_lookups``
    (a route's ``Outbound.run``) so that the host was looked up before the transaction began."""
    if team_service.membership(session=session, team_id=data.team_id, user_id=user.id) is None:
        raise Invalid(f"team {data.team_id} not found", field="team_id")
    _may(session, user, data.team_id, Action.manage_apps)
    _refuse_private(data.base_url, outbound, data.team_id)
    app = App(
        team_id=data.team_id,
        owner_id=user.id,
        name=data.name.strip(),
        base_url=data.base_url,
        response_target_minutes=data.response_target_minutes,
        reminder_minutes=data.reminder_minutes,
        created_at=now,
    )
    if data.owner_id is not None:
        app.owner_id = _member(session, data.team_id, data.owner_id, "owner_id")
    if data.project_id is not None:
        app.project_id = _team_project(session, user, data.team_id, data.project_id)
    session.add(app)
    session.flush()
    _set_stakeholders(session, user, app, data.stakeholders)
    return app


def get_app(*, session: Session, user: User, app_id: int) -> App:
    app = session.get(App, app_id)
    if app is None or not _is_member(session, user, app.team_id):
        raise NotFound(f"app {app_id} not found")
    return app


def list_apps(*, session: Session, user: User, team_id: int | None = None) -> list[App]:
    """Apps of the caller's teams (or of one of them), by name."""
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    if team_id is not None:
        team_ids = [t for t in team_ids if t == team_id]
    if not team_ids:
        return []
    query = select(App).where(App.team_id.in_(team_ids)).order_by(App.name, App.id)
    return list(session.scalars(query))


def update_app(
    *,
    session: Session,
    user: User,
    app_id: int,
    data: AppUpdate,
    version: int,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> App:
    app = get_app(session=session, user=user, app_id=app_id)
    _may(session, user, app.team_id, Action.manage_apps)
    check_version(app.version, version, f"app {app_id}")
    sent = data.model_fields_set - {"version"}
    for name in ("name", "base_url", "owner_id", "response_target_minutes", "reminder_minutes"):
        if name in sent and getattr(data, name) is None:
            raise Invalid("may not be null", field=name)
    if data.name is not None:
        app.name = data.name.strip()
    if data.base_url is not None:
        _refuse_private(data.base_url, outbound, app.team_id)
        app.base_url = data.base_url
    if data.owner_id is not None:
        app.owner_id = _member(session, app.team_id, data.owner_id, "owner_id")
    if "project_id" in sent:
        app.project_id = (
            None
            if data.project_id is None
            else _team_project(session, user, app.team_id, data.project_id)
        )
    if data.response_target_minutes is not None:
        app.response_target_minutes = data.response_target_minutes
    if data.reminder_minutes is not None:
        app.reminder_minutes = data.reminder_minutes
    if data.stakeholders is not None:
        _set_stakeholders(session, user, app, data.stakeholders)
    session.flush()
    return app


def delete_app(*, session: Session, user: User, app_id: int) -> None:
    """Deletes an app with its checks, results and incidents (their tasks stay)."""
    app = get_app(session=session, user=user, app_id=app_id)
    _may(session, user, app.team_id, Action.manage_apps)
    session.delete(app)
    session.flush()


def stakeholders_of(*, session: Session, app_ids: Sequence[int]) -> dict[int, list[Stakeholder]]:
    result: dict[int, list[Stakeholder]] = {app_id: [] for app_id in app_ids}
    if app_ids:
        query = select(Stakeholder).where(Stakeholder.app_id.in_(app_ids)).order_by(Stakeholder.id)
        for row in session.scalars(query):
            result[row.app_id].append(row)
    return result


def app_views(*, session: Session, apps: Sequence[App], now: datetime) -> list[AppRead]:
    """API views of ``apps`` with their checks' current status, in a few queries."""
    app_ids = [a.id for a in apps]
    checks = (
        list(session.scalars(select(Check).where(Check.app_id.in_(app_ids)).order_by(Check.name)))
        if app_ids
        else []
    )
    summaries = check_summaries(session=session, checks=checks, now=now)
    by_app: dict[int, list[CheckSummary]] = defaultdict(list)
    for check, summary in zip(checks, summaries, strict=True):
        by_app[check.app_id].append(summary)
    people = stakeholders_of(session=session, app_ids=app_ids)
    views = []
    for app in apps:
        mine = by_app[app.id]
        states = {s.state for s in mine if s.enabled}
        state = CheckState.pending
        for candidate in (CheckState.down, CheckState.degraded, CheckState.up):
            if candidate in states:
                state = candidate
                break
        views.append(
            AppRead(
                id=app.id,
                team_id=app.team_id,
                name=app.name,
                base_url=app.base_url,
                owner_id=app.owner_id,
                project_id=app.project_id,
                response_target_minutes=app.response_target_minutes,
                reminder_minutes=app.reminder_minutes,
                stakeholders=[StakeholderRead.model_validate(s) for s in people[app.id]],
                state=state,
                checks=mine,
                open_incidents=sum(s.open_incidents for s in mine),
                created_at=app.created_at,
                version=app.version,
            )
        )
    return views


# --- checks -------------------------------------------------------------------------------------


def create_check(
    *,
    session: Session,
    user: User,
    app_id: int,
    data: CheckCreate,
    now: datetime,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> Check:
    """A check of an app; its first run is its first slot after now."""
    app = get_app(session=session, user=user, app_id=app_id)
    _may(session, user, app.team_id, Action.manage_apps)
    data = data.model_copy(update={"path": _path(data.path)})
    _refuse_private(app.base_url + data.path, outbound, app.team_id, field="path")
    check = Check(app_id=app.id, team_id=app.team_id, next_run_at=now, created_at=now, streaks={})
    _apply(check, data.model_dump(exclude={"enabled"}) | {"enabled": data.enabled})
    session.add(check)
    session.flush()
    check.next_run_at = next_slot_after(check.id, check.interval_seconds, now)
    session.flush()
    return check


def get_check(*, session: Session, user: User, check_id: int) -> Check:
    check = session.get(Check, check_id)
    if check is None or not _is_member(session, user, check.team_id):
        raise NotFound(f"check {check_id} not found")
    return check


def list_checks(
    *, session: Session, user: User, app_id: int | None = None, team_id: int | None = None
) -> list[Check]:
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    if team_id is not None:
        team_ids = [t for t in team_ids if t == team_id]
    if not team_ids:
        return []
    query = select(Check).where(Check.team_id.in_(team_ids))
    if app_id is not None:
        query = query.where(Check.app_id == app_id)
    return list(session.scalars(query.order_by(Check.app_id, Check.name, Check.id)))


def update_check(
    *,
    session: Session,
    user: User,
    check_id: int,
    data: CheckUpdate,
    version: int,
    now: datetime,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> Check:
    check = get_check(session=session, user=user, check_id=check_id)
    _may(session, user, check.team_id, Action.manage_apps)
    check_version(check.version, version, f"check {check_id}")
    sent = data.model_fields_set - {"version"}
    nullable = {
        "body",
        "must_contain",
        "must_not_contain",
        "latency_budget_ms",
        "regression_factor",
    }
    for name in sent - nullable:
        if getattr(data, name) is None:
            raise Invalid("may not be null", field=name)
    changes = {name: getattr(data, name) for name in sent}
    interval = changes.get("interval_seconds", check.interval_seconds)
    timeout = changes.get("timeout_seconds", check.timeout_seconds)
    if timeout > interval:
        raise Invalid("timeout_seconds may not exceed interval_seconds", field="timeout_seconds")
    if "path" in changes:
        changes["path"] = _path(changes["path"])
        app = session.get_one(App, check.app_id)
        _refuse_private(app.base_url + changes["path"], outbound, app.team_id, field="path")
    _apply(check, changes)
    if "interval_seconds" in changes or changes.get("enabled"):
        check.next_run_at = next_slot_after(check.id, check.interval_seconds, now)
    if "security" in changes:
        check.baseline_grade = None
    check.version += 1
    session.flush()
    return check


def delete_check(*, session: Session, user: User, check_id: int) -> None:
    check = get_check(session=session, user=user, check_id=check_id)
    _may(session, user, check.team_id, Action.manage_apps)
    session.delete(check)
    session.flush()


def run_soon(*, session: Session, user: User, check_id: int, now: datetime) -> Check:
    """Makes the check due now: the next runner round probes it (once)."""
    check = get_check(session=session, user=user, check_id=check_id)
    _may(session, user, check.team_id, Action.run_check)
    if not check.enabled:
        raise Invalid("the check is paused; enable it first", field="enabled")
    check.next_run_at = now
    session.flush()
    return check


def recent_results(
    *, session: Session, user: User, check_id: int, limit: int = 50
) -> list[CheckResult]:
    """The newest raw results of a check (raw results are kept 24 hours)."""
    check = get_check(session=session, user=user, check_id=check_id)
    query = (
        select(CheckResult)
        .where(CheckResult.check_id == check.id)
        .order_by(CheckResult.started_at.desc(), CheckResult.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def history(
    *,
    session: Session,
    user: User,
    check_id: int,
    start: datetime,
    end: datetime,
    points: int = 120,
) -> HistoryRead:
    """The check's runs between ``start`` and ``end`` in about ``points`` buckets."""
    check = get_check(session=session, user=user, check_id=check_id)
    if end <= start:
        raise Invalid("end must be after start", field="end")
    return rollup.history(session=session, check_id=check.id, start=start, end=end, points=points)


def check_summaries(
    *, session: Session, checks: Sequence[Check], now: datetime
) -> list[CheckSummary]:
    """Current status and the last hour's latency p50/p95 of each check, in two queries."""
    ids = [c.id for c in checks]
    latencies: dict[int, list[float]] = defaultdict(list)
    incidents: dict[int, int] = defaultdict(int)
    if ids:
        rows = session.execute(
            select(CheckResult.check_id, CheckResult.latency_ms).where(
                CheckResult.check_id.in_(ids),
                CheckResult.started_at >= now - RECENT,
                CheckResult.latency_ms.is_not(None),
            )
        )
        for check_id, latency in rows:
            if latency is not None:
                latencies[check_id].append(latency)
        counts = session.execute(
            select(Incident.check_id, func.count())
            .where(Incident.check_id.in_(ids), Incident.status == IncidentStatus.open)
            .group_by(Incident.check_id)
        )
        for check_id, count in counts:
            incidents[check_id] = count
    return [
        CheckSummary(
            id=c.id,
            name=c.name,
            state=c.state,
            enabled=c.enabled,
            last_run_at=c.last_run_at,
            last_latency_ms=c.last_latency_ms,
            last_status_code=c.last_status_code,
            last_error=c.last_error,
            grade=c.last_grade,
            p50_ms=rollup.percentile(sorted(latencies[c.id]), 0.5),
            p95_ms=rollup.percentile(sorted(latencies[c.id]), 0.95),
            open_incidents=incidents[c.id],
        )
        for c in checks
    ]


# --- maintenance --------------------------------------------------------------------------------


def create_window(
    *, session: Session, user: User, app_id: int, data: MaintenanceCreate, now: datetime
) -> MaintenanceWindow:
    """A window of the app (or of one of its checks). ``starts_at`` is wall time in the
    window's timezone; an offset, if given, is honoured and converted."""
    app = get_app(session=session, user=user, app_id=app_id)
    _may(session, user, app.team_id, Action.manage_apps)
    zone = ZoneInfo(data.timezone)
    starts = data.starts_at
    starts = starts.replace(tzinfo=zone) if starts.tzinfo is None else starts.astimezone(zone)
    if data.check_id is not None:
        check = session.get(Check, data.check_id)
        if check is None or check.app_id != app.id:
            raise Invalid(f"check {data.check_id} is not a check of this app", field="check_id")
    rule = data.rrule.strip() if data.rrule else None
    if rule:
        try:
            maintenance.parse_rule(rule, starts.replace(tzinfo=None))
        except ValueError as exc:
            raise Invalid(str(exc), field="rrule") from None
    window = MaintenanceWindow(
        app_id=app.id,
        check_id=data.check_id,
        starts_at=starts.astimezone(UTC),
        duration_minutes=data.duration_minutes,
        timezone=data.timezone,
        rrule=rule or None,
        reason=data.reason.strip(),
        created_at=now,
    )
    session.add(window)
    session.flush()
    return window


def list_windows(*, session: Session, user: User, app_id: int) -> list[MaintenanceWindow]:
    app = get_app(session=session, user=user, app_id=app_id)
    query = select(MaintenanceWindow).where(MaintenanceWindow.app_id == app.id)
    return list(session.scalars(query.order_by(MaintenanceWindow.id)))


def delete_window(*, session: Session, user: User, window_id: int) -> None:
    window = session.get(MaintenanceWindow, window_id)
    app = session.get(App, window.app_id) if window is not None else None
    if window is None or app is None or not _is_member(session, user, app.team_id):
        raise NotFound(f"maintenance window {window_id} not found")
    _may(session, user, app.team_id, Action.manage_apps)
    session.delete(window)
    session.flush()


# --- incidents ----------------------------------------------------------------------------------


def list_incidents(
    *,
    session: Session,
    user: User,
    status: IncidentStatus | None = None,
    team_id: int | None = None,
    app_id: int | None = None,
    check_id: int | None = None,
    limit: int = 50,
) -> list[Incident]:
    """Incidents of the caller's teams, open ones first, newest first."""
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    if team_id is not None:
        team_ids = [t for t in team_ids if t == team_id]
    if not team_ids:
        return []
    query = select(Incident).where(Incident.team_id.in_(team_ids))
    if status is not None:
        query = query.where(Incident.status == status)
    if app_id is not None:
        query = query.where(Incident.app_id == app_id)
    if check_id is not None:
        query = query.where(Incident.check_id == check_id)
    query = query.order_by(
        (Incident.status == IncidentStatus.open).desc(),
        Incident.opened_at.desc(),
        Incident.id.desc(),
    )
    return list(session.scalars(query.limit(limit)))


def get_incident(*, session: Session, user: User, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None or not _is_member(session, user, incident.team_id):
        raise NotFound(f"incident {incident_id} not found")
    return incident


# --- the pieces ---------------------------------------------------------------------------------


def _apply(check: Check, values: dict[str, object]) -> None:
    for name, value in values.items():
        if name == "name" and isinstance(value, str):
            value = value.strip()
        setattr(check, name, value)


def _is_member(session: Session, user: User, team_id: int) -> bool:
    return team_service.membership(session=session, team_id=team_id, user_id=user.id) is not None


def _may(session: Session, user: User, team_id: int, action: Action) -> None:
    policy.require(session=session, user=user, team_id=team_id, action=action)


def _member(session: Session, team_id: int, user_id: int, field: str) -> int:
    if team_service.membership(session=session, team_id=team_id, user_id=user_id) is None:
        raise Invalid(f"user {user_id} is not a member of the app's team", field=field)
    return user_id


def _team_project(session: Session, user: User, team_id: int, project_id: int) -> int:
    try:
        project = project_service.get_project(session=session, user=user, project_id=project_id)
    except NotFound:
        raise Invalid(f"project {project_id} not found", field="project_id") from None
    if project.team_id != team_id:
        raise Invalid(f"project {project_id} is not a project of the team", field="project_id")
    return project.id


def _path(value: str) -> str:
    try:
        return check_path(value)
    except ValueError as exc:
        raise Invalid(str(exc), field="path") from None


def _refuse_private(
    url: str, outbound: OutboundPolicy | Vetted, team_id: int, field: str = "base_url"
) -> None:
    """Invalid naming ``field`` when the team's app may not be reached at ``url``. No look-up
    here: the caller's ``netguard.with_lookups`` made it before the transaction began."""
    reason = vetted(outbound).reason(url, team_id=team_id)
    if reason:
        raise Invalid(reason, field=field)


def _set_stakeholders(
    session: Session, user: User, app: App, people: Sequence[StakeholderIn]
) -> None:
    for index, person in enumerate(people):
        field = f"stakeholders.{index}.channel_id"
        try:
            channel = notify_service.get_channel(
                session=session, user=user, channel_id=person.channel_id
            )
        except NotFound:
            raise Invalid(f"channel {person.channel_id} not found", field=field) from None
        if channel.team_id != app.team_id and channel.user_id != user.id:
            raise Invalid(
                f"channel {person.channel_id} belongs to another team; use one of the app's "
                "team or your own",
                field=field,
            )
    for existing in session.scalars(select(Stakeholder).where(Stakeholder.app_id == app.id)):
        session.delete(existing)
    session.flush()
    session.add_all(
        Stakeholder(
            app_id=app.id,
            name=person.name.strip(),
            role=person.role.strip(),
            channel_id=person.channel_id,
        )
        for person in people
    )
    session.flush()
