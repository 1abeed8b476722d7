"""Wrap-up: what was done, what is in progress, what was planned and not done; then close the
day: each pending task gets a decision, and the end-of-day report goes to the team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day import report as report_module
from devday.day.calendar_days import day_bounds, next_working_day
from devday.day.models import DayClose
from devday.errors import Conflict, Invalid
from devday.planning.models import DayPlan
from devday.task.models import Status, Task

DECISIONS = ("tomorrow", "date", "backlog", "drop")


@dataclass(frozen=True)
class Item:
    task: Task
    minutes: int


@dataclass(frozen=True)
class Wrapup:
    day: date
    done: list[Item]
    in_progress: list[Item]
    pending: list[Item]
    time_by_kind: list[tuple[str, int]]
    closed: DayClose | None
    next_day: date


def _minutes_by_task(session: Session, user: User, day: date, now: datetime) -> dict[int, int]:
    from devday.worklog import service as worklog_service

    start, end = day_bounds(user, day)
    return worklog_service.minutes_by_task(
        session=session, user_id=user.id, start=start, end=min(end, max(start, now)), now=now
    )


def build(*, session: Session, user: User, day: date, now: datetime) -> Wrapup:
    start, end = day_bounds(user, day)
    minutes = _minutes_by_task(session, user, day, now)
    done = list(
        session.scalars(
            select(Task)
            .where(
                Task.assignee_id == user.id,
                Task.status == Status.done,
                Task.completed_at >= start,
                Task.completed_at < end,
            )
            .order_by(Task.completed_at)
        )
    )
    doing = list(
        session.scalars(
            select(Task)
            .where(Task.assignee_id == user.id, Task.status == Status.doing)
            .order_by(Task.id)
        )
    )
    plan = session.scalar(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date == day)
    )
    planned_ids = {int(i) for i in plan.planned_task_ids} if plan is not None else set()
    planned = list(
        session.scalars(
            select(Task)
            .where(
                Task.assignee_id == user.id,
                Task.status == Status.todo,
                (Task.id.in_(planned_ids) if planned_ids else Task.id.is_(None))
                | (Task.planned_date == day),
            )
            .order_by(Task.deadline_at.is_(None), Task.deadline_at, Task.importance.desc())
        )
    )
    worked = {t.id for t in done} | {t.id for t in doing} | {t.id for t in planned}
    others = [tid for tid in minutes if tid not in worked]
    extra = list(session.scalars(select(Task).where(Task.id.in_(others)))) if others else []
    by_kind: dict[str, int] = {}
    for task in [*done, *doing, *planned, *extra]:
        if minutes.get(task.id):
            by_kind[task.kind.value] = by_kind.get(task.kind.value, 0) + minutes[task.id]
    closed = session.scalar(
        select(DayClose).where(DayClose.user_id == user.id, DayClose.day_date == day)
    )
    return Wrapup(
        day=day,
        done=[Item(t, minutes.get(t.id, 0)) for t in done],
        in_progress=[Item(t, minutes.get(t.id, 0)) for t in doing],
        pending=[Item(t, minutes.get(t.id, 0)) for t in planned],
        time_by_kind=sorted(by_kind.items(), key=lambda kv: -kv[1]),
        closed=closed,
        next_day=next_working_day(session=session, user=user, day=day),
    )


def close(
    *,
    session: Session,
    user: User,
    day: date,
    decisions: list[dict[str, Any]],
    blockers: str,
    now: datetime,
) -> tuple[DayClose, int]:
    """Applies each pending task's decision (tomorrow by default, keeping its deadline), stores
    the report and queues it for the user's and their teams' channels; returns how many."""
    from devday.notify import service as notify_service

    view = build(session=session, user=user, day=day, now=now)
    if view.closed is not None:
        raise Conflict(f"{day.isoformat()} is already closed", field="date")
    chosen = {int(d["task_id"]): d for d in decisions}
    pending_ids = {item.task.id for item in [*view.pending, *view.in_progress]}
    unknown = set(chosen) - pending_ids
    if unknown:
        raise Invalid(f"task {min(unknown)} is not pending on {day.isoformat()}", field="decisions")
    applied = []
    for item in [*view.in_progress, *view.pending]:
        decision = chosen.get(item.task.id, {"decision": "tomorrow"})
        applied.append(_apply(item.task, decision, view.next_day, now))
    report = report_module.Report(
        who=user.name,
        day=day,
        done=tuple(_line(i) for i in view.done),
        in_progress=tuple(_line(i) for i in view.in_progress),
        pending=tuple(
            report_module.ReportLine(i.task.id, i.task.title, note=_describe(a))
            for i, a in zip([*view.in_progress, *view.pending], applied, strict=True)
            if i.task.status != Status.doing
        ),
        time_by_kind=tuple(view.time_by_kind),
        blockers=blockers,
        tomorrow=tuple(
            report_module.ReportLine(i.task.id, i.task.title)
            for i, a in zip([*view.in_progress, *view.pending], applied, strict=True)
            if a["decision"] == "tomorrow"
        )[:5],
    )
    markdown_text = report_module.render_markdown(report)
    html = report_module.render_html(report)
    row = DayClose(
        user_id=user.id,
        day_date=day,
        closed_at=now,
        decisions=applied,
        blockers=blockers,
        report_markdown=markdown_text,
        report_html=html,
    )
    session.add(row)
    session.flush()
    channels = notify_service.channels_for_user(session=session, user_id=user.id)
    messages = notify_service.enqueue(
        session=session,
        channels=channels,
        subject=f"End of day: {user.name}, {day.strftime('%a %d %b')}",
        text=markdown_text,
        html=html,
        payload={"type": "day.report", "user_id": user.id, "date": day.isoformat()},
        now=now,
        dedupe_key=f"day-report:{user.id}:{day.isoformat()}",
    )
    row.sent_to = len(messages)
    session.flush()
    return row, len(messages)


def _line(item: Item) -> report_module.ReportLine:
    return report_module.ReportLine(item.task.id, item.task.title, item.minutes)


def _apply(task: Task, decision: dict[str, Any], next_day: date, now: datetime) -> dict[str, Any]:
    kind = decision.get("decision", "tomorrow")
    if kind == "tomorrow":
        task.planned_date = next_day
    elif kind == "date":
        when = decision.get("date")
        if not isinstance(when, date):
            raise Invalid("a 'date' decision needs a date", field="decisions")
        task.planned_date = when
    elif kind == "backlog":
        task.planned_date = None
    elif kind == "drop":
        task.status, task.completed_at = Status.dropped, None
    task.updated_at = now  # the ORM bumps the task's version with this change
    return {
        "task_id": task.id,
        "decision": kind,
        "date": task.planned_date.isoformat() if task.planned_date else None,
    }


def _describe(applied: dict[str, Any]) -> str:
    if applied["decision"] == "drop":
        return "dropped"
    if applied["decision"] == "backlog":
        return "back to the list"
    return f"moved to {applied['date']}"
