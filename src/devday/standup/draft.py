"""A member's standup drafted from their data, for one team day.

- yesterday: the tasks finished on the member's previous working day and the time logged on
  them, what else they logged time on, the goals they set for that day in their reflection,
  and what they said they would do in their previous standup;
- today: the day's plan (the stored plan, or one the planner builds now without storing it);
- blockers: open blockers carried from earlier standups, then tasks waiting on someone else's
  unfinished work, and dependencies past their deadline.

Only the member's personal tasks and the team's tasks count: another team's work is not this
team's business. Reads only; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day import reflection as reflection_module
from devday.day.calendar_days import day_bounds, previous_working_day
from devday.planning import service as planning_service
from devday.planning import solver
from devday.planning.models import DayPlan
from devday.planning.problem import build
from devday.standup.models import Blocker, Standup, StandupStatus
from devday.task.models import Status, Task, TaskDependency
from devday.team.models import Team
from devday.worklog import service as worklog_service

OPEN = (Status.todo, Status.doing)
NOTHING_YESTERDAY = "Nothing finished or logged."
NOTHING_TODAY = "Nothing planned yet."
#: The planner looks this far ahead when it builds a plan just for a draft.
DRAFT_HORIZON_DAYS = 7


@dataclass(frozen=True)
class BlockerItem:
    """One line of the blockers part: a carried blocker (``blocker_id``) or a detected one."""

    text: str
    task_id: int | None
    blocker_id: int | None
    opened_on: date | None
    flagged: bool


@dataclass(frozen=True)
class Draft:
    day: date
    previous_day: date
    yesterday: str
    today: str
    blockers: str
    blocker_items: list[BlockerItem]


def in_scope(team_id: int) -> ColumnElement[bool]:
    """The member's tasks that belong in this team's standup: personal or this team's."""
    return or_(Task.team_id == team_id, Task.team_id.is_(None))


def draft(*, session: Session, team: Team, user: User, day: date, now: datetime) -> Draft:
    previous = previous_working_day(session=session, user=user, day=day)
    items = blocker_items(session=session, team=team, user=user, day=day, now=now)
    return Draft(
        day=day,
        previous_day=previous,
        yesterday=yesterday_part(
            session=session, team=team, user=user, day=day, previous=previous, now=now
        ),
        today=today_part(session=session, team=team, user=user, day=day, now=now),
        blockers="\n".join(item.text for item in items),
        blocker_items=items,
    )


# --- yesterday ---------------------------------------------------------------------------------


def yesterday_part(
    *, session: Session, team: Team, user: User, day: date, previous: date, now: datetime
) -> str:
    start, end = day_bounds(user, previous)
    spent = worklog_service.minutes_by_task(
        session=session, user_id=user.id, start=start, end=end, now=now
    )
    finished = list(
        session.scalars(
            select(Task)
            .where(
                Task.assignee_id == user.id,
                Task.status == Status.done,
                Task.completed_at >= start,
                Task.completed_at < end,
                in_scope(team.id),
            )
            .order_by(Task.completed_at, Task.id)
        )
    )
    finished_ids = {t.id for t in finished}
    worked = (
        list(
            session.scalars(
                select(Task)
                .where(Task.id.in_(set(spent) - finished_ids), in_scope(team.id))
                .order_by(Task.id)
            )
        )
        if set(spent) - finished_ids
        else []
    )
    lines = [f"Finished #{t.id} {t.title}{_time(spent.get(t.id, 0))}" for t in finished]
    lines += [f"Worked on #{t.id} {t.title}{_time(spent[t.id])}" for t in worked]
    for goal in _goals_for(session, user, previous):
        state = "done" if goal.status == Status.done else "not done"
        lines.append(f"Goal: {goal.title} ({state})")
    earlier = session.scalar(
        select(Standup)
        .where(
            Standup.team_id == team.id,
            Standup.user_id == user.id,
            Standup.day < day,
            Standup.status == StandupStatus.submitted,
        )
        .order_by(Standup.day.desc())
        .limit(1)
    )
    if earlier is not None:
        for said in split_lines(earlier.today):
            lines.append(f"Said I'd do: {said}")
    logged = sum(
        spent[task_id] for task_id in finished_ids | {t.id for t in worked} if task_id in spent
    )
    if logged:
        lines.append(f"Time logged: {_duration(logged)}")
    return "\n".join(lines) if lines else NOTHING_YESTERDAY


def _goals_for(session: Session, user: User, day: date) -> list[Task]:
    """The goals the member set for ``day`` in the reflection of the working day before it."""
    before = previous_working_day(session=session, user=user, day=day)
    view = reflection_module.get(session=session, user=user, day=before)
    return view.goals if view.goal_date == day else []


# --- today -------------------------------------------------------------------------------------


def today_part(*, session: Session, team: Team, user: User, day: date, now: datetime) -> str:
    minutes = planned_minutes(session=session, user=user, day=day, now=now)
    if not minutes:
        return NOTHING_TODAY
    tasks = {
        t.id: t
        for t in session.scalars(select(Task).where(Task.id.in_(minutes), in_scope(team.id)))
    }
    zone = ZoneInfo(team.timezone)
    lines = []
    for task_id, planned in minutes.items():
        task = tasks.get(task_id)
        if task is None:
            continue
        due = (
            f", due {task.deadline_at.astimezone(zone):%a %d %b %H:%M}"
            if task.deadline_at is not None
            else ""
        )
        lines.append(f"#{task.id} {task.title} ({_duration(planned)}{due})")
    return "\n".join(lines) if lines else NOTHING_TODAY


def planned_minutes(*, session: Session, user: User, day: date, now: datetime) -> dict[int, int]:
    """Minutes planned per task on the member's ``day``, in the order the plan takes them up:
    from the stored plan, else from a plan the planner builds now and nobody stores."""
    zone = ZoneInfo(user.timezone)
    stored = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == day)
    )
    spans: Iterable[tuple[int, datetime, datetime]]
    if stored is not None:
        spans = [
            (b.task_id, b.start_at, b.end_at)
            for b in planning_service.blocks_of(session=session, plan=stored)
        ]
    else:
        start, _end = day_bounds(user, day)
        if start + timedelta(days=1) <= now:
            return {}  # a day gone by without a plan: nothing to plan now
        inputs = build(
            session=session,
            user=user,
            now=planning_service.plan_start(user, day, now),
            horizon_days=DRAFT_HORIZON_DAYS,
        )
        result = solver.solve(inputs.problem)
        spans = [(int(b.task_id), b.start, b.end) for b in result.blocks]
    minutes: dict[int, int] = {}
    for task_id, start_at, end_at in sorted(spans, key=lambda s: s[1]):
        if start_at.astimezone(zone).date() != day:
            continue
        minutes[task_id] = minutes.get(task_id, 0) + int((end_at - start_at).total_seconds() // 60)
    return minutes


# --- blockers ----------------------------------------------------------------------------------


def open_blockers(*, session: Session, team_id: int, user_id: int | None = None) -> list[Blocker]:
    query = select(Blocker).where(Blocker.team_id == team_id, Blocker.resolved_at.is_(None))
    if user_id is not None:
        query = query.where(Blocker.user_id == user_id)
    return list(session.scalars(query.order_by(Blocker.opened_on, Blocker.id)))


def blocker_items(
    *, session: Session, team: Team, user: User, day: date, now: datetime
) -> list[BlockerItem]:
    """Carried open blockers first, then detected ones not already among them."""
    items = [
        BlockerItem(
            text=b.text,
            task_id=b.task_id,
            blocker_id=b.id,
            opened_on=b.opened_on,
            flagged=b.flagged_at is not None,
        )
        for b in open_blockers(session=session, team_id=team.id, user_id=user.id)
    ]
    seen = {item.text for item in items}
    for text, task_id in detected(session=session, team=team, user=user, now=now):
        if text not in seen:
            seen.add(text)
            items.append(
                BlockerItem(
                    text=text, task_id=task_id, blocker_id=None, opened_on=None, flagged=False
                )
            )
    return items


def detected(*, session: Session, team: Team, user: User, now: datetime) -> list[tuple[str, int]]:
    """(text, blocked task id) for each open task of the member that waits on someone else's
    unfinished task, or on a task past its deadline. The text is stable from day to day, so
    that a blocker carried from yesterday is recognised."""
    rows = session.execute(
        select(Task, TaskDependency.depends_on_id)
        .join(TaskDependency, TaskDependency.task_id == Task.id)
        .where(Task.assignee_id == user.id, Task.status.in_(OPEN), in_scope(team.id))
        .order_by(Task.id, TaskDependency.depends_on_id)
    ).all()
    if not rows:
        return []
    deps = {
        t.id: t
        for t in session.scalars(
            select(Task).where(Task.id.in_({d for _, d in rows}), Task.status.in_(OPEN))
        )
    }
    names = {
        u.id: u.name
        for u in session.scalars(
            select(User).where(User.id.in_({d.assignee_id for d in deps.values() if d.assignee_id}))
        )
    }
    zone = ZoneInfo(team.timezone)
    out: list[tuple[str, int]] = []
    for task, dep_id in rows:
        dep = deps.get(dep_id)
        if dep is None:
            continue  # done or dropped: nothing to wait for
        overdue = dep.deadline_at is not None and dep.deadline_at < now
        late = (
            f", overdue since {dep.deadline_at.astimezone(zone):%a %d %b}"
            if overdue and dep.deadline_at is not None
            else ""
        )
        if dep.assignee_id != user.id:
            who = names.get(dep.assignee_id, "unassigned") if dep.assignee_id else "unassigned"
            out.append(
                (
                    f"#{task.id} {task.title}: waiting on #{dep.id} {dep.title} ({who}{late})",
                    task.id,
                )
            )
        elif overdue:
            out.append(
                (f"#{task.id} {task.title}: depends on #{dep.id} {dep.title}{late}", task.id)
            )
    return out


# --- text --------------------------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a part, without list bullets; "none" and the like are no line."""
    out = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("-*•").strip()
        if line and line.lower().rstrip(".") not in ("none", "nothing", "n/a", "no blockers"):
            out.append(line)
    return out


def _time(minutes: int) -> str:
    return f" ({_duration(minutes)})" if minutes else ""


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"
