"""Builds the solver's problem from the database: a user's routine, calendar and open tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.planning import routine as routine_defaults
from devday.planning import solver
from devday.planning.models import BusyEvent, Routine
from devday.planning.routine import WEEKDAYS
from devday.task.models import Status, Task, TaskDependency, TaskTag

#: A task without an estimate is planned as this long, as Motion and Reclaim do.
DEFAULT_ESTIMATE_MINUTES = 30
GRID = 5
OPEN = (Status.todo, Status.doing)


@dataclass(frozen=True)
class Inputs:
    """A problem and what the service needs besides: the tasks' rows and their tags."""

    problem: solver.Problem
    tasks: dict[int, Task]
    tags: dict[int, list[str]]
    routine: dict[str, Any]
    external_blockers: dict[int, list[Task]]


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
    tasks = list(
        session.scalars(
            select(Task).where(Task.assignee_id == user.id, Task.status.in_(OPEN)).order_by(Task.id)
        )
    )
    by_id = {t.id: t for t in tasks}
    deps: dict[int, list[int]] = {t.id: [] for t in tasks}
    external: dict[int, list[Task]] = {}
    if tasks:
        rows = session.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id).where(
                TaskDependency.task_id.in_(by_id)
            )
        ).all()
        outside_ids = {dep for _, dep in rows if dep not in by_id}
        outside = (
            {
                t.id: t
                for t in session.scalars(
                    select(Task).where(Task.id.in_(outside_ids), Task.status.in_(OPEN))
                )
            }
            if outside_ids
            else {}
        )
        for task_id, dep in rows:
            if dep in by_id:
                deps[task_id].append(dep)
            elif dep in outside:
                external.setdefault(task_id, []).append(outside[dep])
    tags: dict[int, list[str]] = {t.id: [] for t in tasks}
    if tasks:
        for task_id, tag in session.execute(
            select(TaskTag.task_id, TaskTag.tag).where(TaskTag.task_id.in_(by_id))
        ):
            tags[task_id].append(tag)
    end = now + timedelta(days=horizon_days + 1)
    busy = session.scalars(
        select(BusyEvent).where(
            BusyEvent.user_id == user.id, BusyEvent.end_at > now, BusyEvent.start_at < end
        )
    ).all()
    problem = solver.Problem(
        now=now,
        timezone=user.timezone,
        horizon_days=horizon_days,
        working_hours=routine_defaults.solver_working_hours(routine["working_hours"]),
        routine=routine_defaults.solver_routine(routine["blocks"]),
        busy=tuple(solver.BusyEvent(title=b.title, start=b.start_at, end=b.end_at) for b in busy),
        kind_windows=routine_defaults.solver_windows(routine["kind_windows"]),
        pinned=pinned,
        tasks=tuple(
            solver.Task(
                id=str(t.id),
                title=t.title,
                estimate_minutes=_remaining(t, pinned),
                importance=t.importance,
                deadline=t.deadline_at,
                earliest_start=t.earliest_start_at,
                depends_on=tuple(str(d) for d in deps[t.id]),
                splittable=t.splittable,
                min_chunk_minutes=t.min_chunk_minutes,
                kind=t.kind.value,
            )
            for t in tasks
        ),
    )
    return Inputs(problem, by_id, tags, routine, external)


def _remaining(task: Task, pinned: tuple[solver.PinnedBlock, ...]) -> int:
    # The solver counts pinned blocks towards the estimate, so the estimate stays whole here.
    estimate = task.estimate_minutes or DEFAULT_ESTIMATE_MINUTES
    pinned_minutes = sum(
        int((p.end - p.start).total_seconds() // 60) for p in pinned if p.task_id == str(task.id)
    )
    # The solver works on a 5-minute grid: round the rest up to it.
    rest = max(0, estimate - pinned_minutes)
    return pinned_minutes + -(-rest // GRID) * GRID


def _due(task: Task, routine: dict[str, Any], timezone: str, now: datetime) -> datetime | None:
    """The deadline the planner works to. A task planned for a day without a deadline of its
    own is due when that day's working hours end, so the plan puts it on that day (goals set
    in the evening reflection become tomorrow's first tasks this way)."""
    if task.deadline_at is not None or task.planned_date is None:
        return task.deadline_at
    zone = ZoneInfo(timezone)
    if task.planned_date < now.astimezone(zone).date():
        return None
    windows = routine["working_hours"].get(WEEKDAYS[task.planned_date.weekday()], [])
    end = max((w[1] for w in windows), default="18:00")
    hours, minutes = (int(x) for x in end.split(":"))
    midnight = datetime.combine(task.planned_date, time(0), tzinfo=zone)
    return midnight + timedelta(hours=hours, minutes=minutes)
