"""Builds the solver's problem from the database: a user's routine, calendar and open tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.planning import routine as routine_defaults
from devday.planning import solver, team_meeting
from devday.planning.models import BusyEvent, Routine
from devday.task.models import Kind, Status, Task, TaskDependency, TaskTag
from devday.worklog import service as worklog_service

#: A task without an estimate is planned as this long, as Motion and Reclaim do.
DEFAULT_ESTIMATE_MINUTES = 30
GRID = 5
#: What stays planned for a task whose logged time reached its estimate, at the least.
OVERRUN_MINIMUM = 15
#: How far back the reflections whose goals still come first are read.
GOAL_LOOKBACK_DAYS = 7
OPEN = (Status.todo, Status.doing)


class OpenTask(NamedTuple):
    """The columns of an open task that the problem and the planner's services read (the
    solver's fields, and kind, project, team and age for boosts, agendas and the duty list).

    Plain rows rather than ORM ``Task`` objects: a user may have a thousand open tasks, and
    loading, tracking and converting every column of each costs the duty list more than
    anything it computes. Nothing here is changed through them.
    """

    id: int
    title: str
    importance: int
    deadline_at: datetime | None
    planned_date: date | None
    estimate_minutes: int | None
    earliest_start_at: datetime | None
    splittable: bool
    min_chunk_minutes: int
    kind: Kind
    project_id: int | None
    team_id: int | None
    created_at: datetime


class OutsideTask(NamedTuple):
    """An open task of someone else that one of the user's tasks waits on: only named."""

    id: int
    title: str


@dataclass(frozen=True)
class Inputs:
    """A problem and what the service needs besides: the tasks' rows, the routine, and the
    open tasks of others that they wait on."""

    problem: solver.Problem
    tasks: dict[int, OpenTask]
    routine: dict[str, Any]
    external_blockers: dict[int, list[OutsideTask]]
    #: Open tasks whose logged time reached their estimate: task id, estimate, minutes logged.
    over_estimate: tuple[dict[str, int], ...] = ()


def routine_of(*, session: Session, user: User) -> tuple[dict[str, Any], int]:
    """The user's routine as JSON-ready data, and its version (0 for the untouched default)."""
    row = session.get(Routine, user.id)
    if row is None:
        return dict(routine_defaults.DEFAULT), 0
    return {
        "working_hours": row.working_hours,
        "blocks": row.blocks,
        "kind_windows": row.kind_windows,
        "boosts": row.boosts,
    }, row.version


def build(
    *,
    session: Session,
    user: User,
    now: datetime,
    horizon_days: int,
    pinned: tuple[solver.PinnedBlock, ...] = (),
) -> Inputs:
    routine, _version = routine_of(session=session, user=user)
    routine = team_meeting.applied(session=session, user_id=user.id, routine=routine)
    tasks = _open_tasks(session, user)
    by_id = {t.id: t for t in tasks}
    deps: dict[int, list[int]] = {t.id: [] for t in tasks}
    external: dict[int, list[OutsideTask]] = {}
    if tasks:
        rows = session.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id)
            .where(TaskDependency.task_id.in_(open_task_ids(user)))
            .order_by(TaskDependency.task_id, TaskDependency.depends_on_id)
        ).all()
        rows = [row for row in rows if row[0] in by_id]  # a task opened since is left out
        outside_ids = {dep for _, dep in rows if dep not in by_id}
        outside = _outside_tasks(session, outside_ids) if outside_ids else {}
        for task_id, dep in rows:
            if dep in by_id:
                deps[task_id].append(dep)
            elif dep in outside:
                external.setdefault(task_id, []).append(outside[dep])
    end = now + timedelta(days=horizon_days + 1)
    busy = [
        solver.BusyEvent(title=b.title, start=b.start_at, end=b.end_at)
        for b in session.scalars(
            select(BusyEvent).where(
                BusyEvent.user_id == user.id, BusyEvent.end_at > now, BusyEvent.start_at < end
            )
        )
    ]
    busy += _leave(session, user, now, end)
    logged = worklog_service.actual_minutes(session=session, task_ids=by_id, now=now)
    work = {t.id: work_left(t, logged.get(t.id, 0), pinned) for t in tasks}
    zone = ZoneInfo(user.timezone)
    ranks = goal_ranks(session, user, now, by_id)
    problem = solver.Problem(
        now=now,
        timezone=user.timezone,
        horizon_days=horizon_days,
        working_hours=routine_defaults.solver_working_hours(routine["working_hours"]),
        routine=routine_defaults.solver_routine(routine["blocks"]),
        busy=tuple(busy),
        kind_windows=routine_defaults.solver_windows(routine["kind_windows"]),
        pinned=pinned,
        tasks=tuple(
            solver.Task(
                id=str(t.id),
                title=t.title,
                estimate_minutes=work[t.id].minutes,
                importance=t.importance,
                deadline=t.deadline_at,
                earliest_start=_earliest(t, zone, now),
                depends_on=tuple(str(d) for d in deps[t.id]),
                splittable=t.splittable,
                min_chunk_minutes=t.min_chunk_minutes,
                kind=t.kind.value,
                first_rank=ranks.get(t.id),
            )
            for t in tasks
        ),
    )
    over = tuple(
        {
            "task_id": t.id,
            "estimate_minutes": work[t.id].estimate,
            "logged_minutes": logged[t.id],
            "remainder_minutes": work[t.id].left,
        }
        for t in tasks
        if work[t.id].over
    )
    return Inputs(problem, by_id, routine, external, over)


def open_task_ids(user: User) -> Select[int]:
    """The ids of the user's open tasks, for ``column.in_(...)``: the database reads them
    itself, where a list of a thousand ids costs SQLAlchemy a millisecond to send."""
    return select(Task.id).where(Task.assignee_id == user.id, Task.status.in_(OPEN))


def _open_tasks(session: Session, user: User) -> list[OpenTask]:
    """The user's open tasks, by id, with only the columns of ``OpenTask``."""
    columns = [getattr(Task, name) for name in OpenTask._fields]
    rows = session.execute(
        select(*columns).where(Task.assignee_id == user.id, Task.status.in_(OPEN)).order_by(Task.id)
    )
    return [OpenTask._make(row) for row in rows]


def tags_of(session: Session, user: User, tasks: dict[int, OpenTask]) -> dict[int, list[str]]:
    """The tags of ``tasks`` (the user's open tasks), each task's in alphabetical order."""
    tags: dict[int, list[str]] = {task_id: [] for task_id in tasks}
    rows = session.execute(
        select(TaskTag.task_id, TaskTag.tag)
        .where(TaskTag.task_id.in_(open_task_ids(user)))
        .order_by(TaskTag.task_id, TaskTag.tag)
    )
    for task_id, tag in rows:
        if task_id in tags:
            tags[task_id].append(tag)
    return tags


def _outside_tasks(session: Session, ids: set[int]) -> dict[int, OutsideTask]:
    """Those of ``ids`` that are open: the blockers outside the user's own tasks."""
    rows = session.execute(
        select(Task.id, Task.title).where(Task.id.in_(ids), Task.status.in_(OPEN))
    )
    return {row.id: OutsideTask(row.id, row.title) for row in rows}


@dataclass(frozen=True)
class WorkLeft:
    """A task's work for the solver: ``minutes`` counts its pinned blocks ahead, as the solver
    expects; ``over`` is set when the time logged reached the estimate."""

    minutes: int
    estimate: int
    left: int
    over: bool


def work_left(task: OpenTask, logged: int, pinned: tuple[solver.PinnedBlock, ...]) -> WorkLeft:
    """The work left on ``task``: its estimate minus the time logged on it. When the logged time
    reached the estimate and the task is not done, a remainder of a quarter of the estimate (at
    least 15 minutes) stays planned."""
    estimate = task.estimate_minutes or DEFAULT_ESTIMATE_MINUTES
    left = estimate - logged
    over = left <= 0
    if over:
        left = max(OVERRUN_MINIMUM, -(-estimate // 4))
    pinned_minutes = sum(
        int((p.end - p.start).total_seconds() // 60) for p in pinned if p.task_id == str(task.id)
    )
    # The solver works on a 5-minute grid: round the rest up to it.
    rest = max(0, left - pinned_minutes)
    return WorkLeft(pinned_minutes + -(-rest // GRID) * GRID, estimate, left, over)


def _earliest(task: OpenTask, zone: ZoneInfo, now: datetime) -> datetime | None:
    """A task planned for a later day starts no earlier than that day (a wrap-up's "tomorrow",
    a reflection's goals); its own earliest start holds too."""
    earliest = task.earliest_start_at
    if task.planned_date is not None and task.planned_date > now.astimezone(zone).date():
        day_start = datetime.combine(task.planned_date, time(0), tzinfo=zone)
        earliest = day_start if earliest is None else max(earliest, day_start)
    return earliest


def goal_ranks(
    session: Session, user: User, now: datetime, tasks: dict[int, OpenTask]
) -> dict[int, int]:
    """The open goals of the user's recent reflections, each with its place in its list: the
    planner makes them the first work of their day, in that order."""
    from devday.day.models import Reflection

    since = now.astimezone(ZoneInfo(user.timezone)).date() - timedelta(days=GOAL_LOOKBACK_DAYS)
    lists = session.scalars(
        select(Reflection.goal_task_ids)
        .where(Reflection.user_id == user.id, Reflection.day_date >= since)
        .order_by(Reflection.day_date)
    ).all()
    ranks: dict[int, int] = {}
    for ids in lists:
        for rank, task_id in enumerate(int(i) for i in ids or []):
            if task_id in tasks:
                ranks[task_id] = rank
    return ranks


def _leave(session: Session, user: User, start: datetime, end: datetime) -> list[solver.BusyEvent]:
    """The user's leave in [start, end) as whole local days of busy time."""
    from devday.standup.models import Leave

    zone = ZoneInfo(user.timezone)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    rows = session.scalars(
        select(Leave).where(Leave.user_id == user.id, Leave.end >= first, Leave.start <= last)
    )
    return [
        solver.BusyEvent(
            title=f"Leave{': ' + row.note if row.note else ''}",
            start=datetime.combine(max(row.start, first), time(0), tzinfo=zone),
            end=datetime.combine(min(row.end, last) + timedelta(days=1), time(0), tzinfo=zone),
        )
        for row in rows
    ]
