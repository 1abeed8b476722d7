"""What the Week page shows: today's plan over the next seven days as an SVG chart with the
deadlines that fall in them, tomorrow's blocks, the tasks the planner could not fit, and the
time logged per kind over the past seven days, read from the planning, worklog and task
services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day.calendar_days import day_bounds, local_today, next_working_day
from devday.learning import service as learning_service
from devday.planning import busy_view, chances
from devday.planning import service as planning_service
from devday.planning.models import DayPlan
from devday.planning.routine import WEEKDAYS, clock_minutes
from devday.task import service as task_service
from devday.task.models import Kind, Task
from devday.web.charts.week import DeadlineMark, Series, WeekBlock, stacked_bars, week_blocks
from devday.worklog import service as worklog_service

DAYS = 7
#: How far ``?start=`` may move from today: the stored plan looks two weeks ahead at most.
MAX_OFFSET_DAYS = 366
MAX_DEADLINES = 200


@dataclass(frozen=True)
class BlockRow:
    day: date
    title: str
    kind: str
    start: str
    end: str
    minutes: int
    done: bool


def start_date(text: str, today: date) -> date | None:
    if not text.strip():
        return today
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if abs((value - today).days) <= MAX_OFFSET_DAYS else None


def todays_plan(session: Session, user: User, today: date) -> DayPlan | None:
    """The stored plan of today, or None: reading the week never builds or changes a plan."""
    return planning_service.find_plan(session=session, user=user, plan_date=today)


def page_context(
    *, session: Session, user: User, plan: DayPlan | None, first: date, now: datetime
) -> dict[str, Any]:
    """Everything the Week template shows for the seven days from ``first``."""
    zone = ZoneInfo(user.timezone)
    today = local_today(user, now)
    days = [first + timedelta(days=i) for i in range(DAYS)]
    window_start, _ = day_bounds(user, days[0])
    _, window_end = day_bounds(user, days[-1])
    rows = _block_rows(session, plan, zone, window_start, window_end) if plan else []
    deadlines = _deadlines(session, user, zone, window_start, window_end)
    routine, _ = planning_service.get_routine(session=session, user=user)
    hours = {
        day: [
            (clock_minutes(a), clock_minutes(b))
            for a, b in routine["working_hours"].get(WEEKDAYS[day.weekday()], [])
        ]
        for day in days
    }
    blocks = [
        WeekBlock(
            day=row.day,
            start_minute=clock_minutes(row.start),
            end_minute=clock_minutes(row.start) + row.minutes,
            title=row.title,
            kind=row.kind,
            times=f"{row.start}\u2013{row.end}",
            done=row.done,
        )
        for row in rows
    ]
    label = f"Plan for {days[0]:%a %d %b} to {days[-1]:%a %d %b}"
    chart = week_blocks(
        days=days, hours=hours, blocks=blocks, deadlines=deadlines, label=label, today=today
    )
    tomorrow = next_working_day(session=session, user=user, day=today)
    tomorrow_rows = (
        _block_rows(session, plan, zone, *day_bounds(user, tomorrow)) if plan is not None else []
    )
    past_end = min(days[-1], today)
    past_days = [past_end - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    kinds, table = _time_by_kind(session, user, past_days, now)
    bar_labels = [day.strftime("%a %d") for day in past_days]
    return {
        "user": user,
        "error": None,
        "plan": plan,
        "days": days,
        "today": today,
        "previous_start": days[0] - timedelta(days=DAYS),
        "next_start": days[0] + timedelta(days=DAYS),
        "week_chart": chart,
        "week_kinds": sorted({row.kind for row in rows}),
        "blocks_by_day": [(day, [r for r in rows if r.day == day]) for day in days],
        "deadlines": deadlines,
        "tomorrow": tomorrow,
        "tomorrow_blocks": tomorrow_rows,
        "busy": busy_view.busy_rows(session=session, user=user, start=window_start, end=window_end),
        "late": [_late(item, zone) for item in plan.late] if plan else [],
        "unscheduled": list(plan.unscheduled) if plan else [],
        "kinds": kinds,
        "past_days": past_days,
        "time_table": table,
        "time_total": sum(sum(values) for values in table.values()),
        "time_chart": stacked_bars(
            days=bar_labels,
            series=[Series(key=k, label=k, values=tuple(table[k])) for k in kinds],
            label=f"Time by kind per day, {past_days[0]:%a %d %b} to {past_days[-1]:%a %d %b}",
        ),
        "calibration": chances.calibration(session=session, user_id=user.id),
        "chance_basis": chances.basis(session=session, user_id=user.id),
    }


def _block_rows(
    session: Session, plan: DayPlan, zone: ZoneInfo, start: datetime, end: datetime
) -> list[BlockRow]:
    blocks = [
        b
        for b in planning_service.blocks_of(session=session, plan=plan)
        if b.start_at < end and b.end_at > start
    ]
    ids = {b.task_id for b in blocks}
    tasks = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(ids)))} if ids else {}
    rows = []
    for block in blocks:
        begin, finish = block.start_at.astimezone(zone), block.end_at.astimezone(zone)
        if finish.date() != begin.date():  # never across midnight: keep the first day's part
            finish = datetime.combine(begin.date() + timedelta(days=1), datetime.min.time(), zone)
        task = tasks[block.task_id]
        rows.append(
            BlockRow(
                day=begin.date(),
                title=task.title,
                kind=task.kind.value,
                start=f"{begin:%H:%M}",
                end="24:00" if finish.date() != begin.date() else f"{finish:%H:%M}",
                minutes=int((finish - begin).total_seconds() // 60),
                done=block.done,
            )
        )
    return rows


def _deadlines(
    session: Session, user: User, zone: ZoneInfo, start: datetime, end: datetime
) -> list[DeadlineMark]:
    tasks = task_service.list_tasks(
        session=session,
        user=user,
        filters=task_service.TaskFilter(
            status=task_service.OPEN_STATUSES,
            assignee_id=user.id,
            deadline_after=start,
            deadline_before=end,
        ),
        limit=MAX_DEADLINES,
        offset=0,
    )
    marks = []
    for task in tasks:
        if task.deadline_at is None:  # pragma: no cover - the filter asks for a deadline
            continue
        local = task.deadline_at.astimezone(zone)
        marks.append(
            DeadlineMark(
                day=local.date(),
                minute=local.hour * 60 + local.minute,
                title=task.title,
                when=f"{local:%a %d %b %H:%M}",
            )
        )
    return marks


def _time_by_kind(
    session: Session, user: User, days: list[date], now: datetime
) -> tuple[list[str], dict[str, list[int]]]:
    """Minutes per kind on each of ``days``; kinds in the order of ``Kind``, unused ones out."""
    table: dict[str, list[int]] = {kind.value: [0] * len(days) for kind in Kind}
    for i, day in enumerate(days):
        start, end = day_bounds(user, day)
        for total in worklog_service.totals(
            session=session,
            user=user,
            start=start,
            end=end,
            group_by="kind",
            timezone=user.timezone,
            now=now,
        ):
            table.setdefault(total.key or "other", [0] * len(days))[i] += total.minutes
        # Time on the learning list (learning.service) counts beside work, as one kind.
        learned = learning_service.minutes_by_kind(
            session=session, user_id=user.id, start=start, end=end
        )
        table.setdefault("learning", [0] * len(days))[i] += sum(learned.values())
    kinds = [kind for kind, values in table.items() if any(values)]
    return kinds, {kind: table[kind] for kind in kinds}


def _late(item: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    finish = item.get("finish")
    return {
        "task_id": item["task_id"],
        "title": item["title"],
        "reason": item["reason"],
        "deadline": datetime.fromisoformat(item["deadline"]).astimezone(zone),
        "finish": datetime.fromisoformat(finish).astimezone(zone) if finish else None,
    }
