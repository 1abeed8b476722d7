"""The evening reflection: achievements from the day's finished work, what went well, what to
improve, energy and a note; goals become tasks planned for the next working day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.day.calendar_days import day_bounds, next_working_day
from devday.day.models import Reflection
from devday.task.models import Kind, Source, Status, Task

GOAL_IMPORTANCE = 3
GOAL_MINUTES = 30


@dataclass(frozen=True)
class Goal:
    """A goal as the evening reflection sets it: the next working day's first work."""

    title: str
    estimate_minutes: int = GOAL_MINUTES
    kind: Kind = Kind.other


@dataclass(frozen=True)
class ReflectionView:
    day: date
    achievements: list[Task]
    reflection: Reflection | None
    goals: list[Task]
    goal_date: date


def achievements(*, session: Session, user: User, day: date) -> list[Task]:
    start, end = day_bounds(user, day)
    return list(
        session.scalars(
            select(Task)
            .where(
                Task.assignee_id == user.id,
                Task.status == Status.done,
                Task.completed_at >= start,
                Task.completed_at < end,
            )
            .order_by(Task.importance.desc(), Task.completed_at)
        )
    )


def get(*, session: Session, user: User, day: date) -> ReflectionView:
    row = session.scalar(
        select(Reflection).where(Reflection.user_id == user.id, Reflection.day_date == day)
    )
    goal_ids = [int(i) for i in (row.goal_task_ids if row else [])]
    goals = list(session.scalars(select(Task).where(Task.id.in_(goal_ids)))) if goal_ids else []
    goals.sort(key=lambda t: goal_ids.index(t.id))
    return ReflectionView(
        day=day,
        achievements=achievements(session=session, user=user, day=day),
        reflection=row,
        goals=goals,
        goal_date=next_working_day(session=session, user=user, day=day),
    )


def save(
    *,
    session: Session,
    user: User,
    day: date,
    went_well: str,
    improve: str,
    energy: int | None,
    note: str,
    goals: list[Goal],
    version: int | None,
    now: datetime,
    learned: str = "",
) -> ReflectionView:
    """Creates or replaces the day's reflection. New goals become tasks planned for the next
    working day, in the order given (the planner makes them that day's first work); goals
    already created are kept (matched by title) with the estimate and kind given now, so
    saving twice is safe."""
    row = session.scalar(
        select(Reflection).where(Reflection.user_id == user.id, Reflection.day_date == day)
    )
    if row is not None:
        check_version(row.version, version if version is not None else -1, "this reflection")
    goal_date = next_working_day(session=session, user=user, day=day)
    previous_ids = list(row.goal_task_ids) if row is not None else []
    existing = (
        {t.title: t for t in session.scalars(select(Task).where(Task.id.in_(previous_ids)))}
        if previous_ids
        else {}
    )
    ids: list[int] = []
    for goal in goals:
        task = existing.get(goal.title)
        if task is None:
            task = Task(
                owner_id=user.id,
                assignee_id=user.id,
                title=goal.title,
                importance=GOAL_IMPORTANCE,
                planned_date=goal_date,
                estimate_minutes=goal.estimate_minutes,
                kind=goal.kind,
                source=Source.manual,
                created_at=now,
                updated_at=now,
            )
            session.add(task)
            session.flush()
        elif (task.estimate_minutes, task.kind) != (goal.estimate_minutes, goal.kind):
            task.estimate_minutes, task.kind = goal.estimate_minutes, goal.kind
            task.updated_at = now
        ids.append(task.id)
    if row is None:
        row = Reflection(user_id=user.id, day_date=day, created_at=now)
        session.add(row)
    row.went_well, row.improve, row.energy, row.note = went_well, improve, energy, note
    row.learned = learned
    row.goal_task_ids = ids
    row.updated_at = now
    flush_versioned(session, "this reflection")
    return get(session=session, user=user, day=day)
