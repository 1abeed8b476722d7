"""What the Today page shows: the day's timeline, its blocks with their actions, the timer, the
risks and the duty list, read from the day, planning and worklog services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day import service as day_service
from devday.day.calendar_days import day_bounds
from devday.errors import Invalid
from devday.planning import busy_view, chances, team_meeting
from devday.planning import service as planning_service
from devday.planning.models import DayPlan
from devday.planning.routine import WEEKDAYS
from devday.task.models import Status, Task
from devday.web.charts.timeline import Span, hhmm, timeline_svg
from devday.web.rendering import duration
from devday.worklog import service as worklog_service

CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class BlockRow:
    id: int
    task_id: int
    title: str
    kind: str
    start: str
    end: str
    minutes: int
    pinned: bool
    done: bool
    running: bool
    task_open: bool


def page_context(*, session: Session, user: User, now: datetime) -> dict[str, Any]:
    """Everything the template shows, read in a handful of queries."""
    zone = ZoneInfo(user.timezone)
    today = day_service.today(session=session, user=user, now=now)
    day_start, day_end = day_bounds(user, today.day)
    plan = today.plan
    blocks = [
        b
        for b in (planning_service.blocks_of(session=session, plan=plan) if plan else [])
        if b.start_at < day_end and b.end_at > day_start
    ]
    running = worklog_service.running_entry(session=session, user=user)
    entries = worklog_service.list_entries(session=session, user=user, start=day_start, end=day_end)
    ids = {b.task_id for b in blocks} | {e.task_id for e in entries}
    ids |= {running.task_id} if running else set()
    tasks = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(ids)))} if ids else {}
    rows = [
        BlockRow(
            id=b.id,
            task_id=b.task_id,
            title=tasks[b.task_id].title,
            kind=tasks[b.task_id].kind.value,
            start=hhmm(b.start_at, zone),
            end=hhmm(b.end_at, zone),
            minutes=int((b.end_at - b.start_at).total_seconds() // 60),
            pinned=b.pinned,
            done=b.done,
            running=running is not None and running.task_id == b.task_id,
            task_open=tasks[b.task_id].status in (Status.todo, Status.doing),
        )
        for b in blocks
    ]
    # Read once: the timeline draws the busy times and the Busy time card lists them.
    busy = planning_service.list_busy(session=session, user=user, start=day_start, end=day_end)
    spans = [
        *_routine_spans(session, user, today.day, zone),
        *(
            # An imported event says which calendar it comes from.
            Span(
                start=e.start_at,
                end=e.end_at,
                title=f"{e.title} · {calendar}" if calendar else e.title,
                category="busy",
            )
            for e, calendar in busy
        ),
        *(
            Span(
                start=b.start_at,
                end=b.end_at,
                title=tasks[b.task_id].title,
                category="task",
                kind=tasks[b.task_id].kind.value,
                task_id=b.task_id,
                block_id=b.id,
                pinned=b.pinned,
                done=b.done,
                past=b.end_at <= now and not b.done,
            )
            for b in blocks
        ),
        *(
            Span(
                start=e.start_at,
                end=e.end_at or now,
                title=tasks[e.task_id].title,
                category="worked",
                task_id=e.task_id,
            )
            for e in entries
        ),
    ]
    duties = planning_service.duty_list(session=session, user=user, now=now)
    label = f"Your day, {today.day:%A %d %B}"
    timer = None
    if running is not None:
        timer = {
            "title": tasks[running.task_id].title,
            "task_id": running.task_id,
            "since": hhmm(running.start_at, zone),
            "elapsed": duration(worklog_service.minutes_of(running, now)),
            "seconds": max(0, int((now - running.start_at).total_seconds())),
        }
    return {
        "user": user,
        "day": today.day,
        "plan": plan,
        "blocks": rows,
        "kinds": sorted({row.kind for row in rows}),
        "timeline": timeline_svg(day=today.day, zone=zone, spans=spans, now=now, label=label),
        "timer": timer,
        "late": [_late(item) for item in plan.late] if plan else [],
        "unscheduled": plan.unscheduled if plan else [],
        "over_estimate": _over_estimate(session, plan),
        "duties": [
            {
                "task_id": item.task.id,
                "importance": item.task.importance,
                "title": item.task.title,
                "deadline": item.task.deadline,
                "estimate": item.task.estimate_minutes,
                "score": item.score,
                "terms": item.terms,
                "chance": duties.chances.get(int(item.task.id)),
                "planned_at": duties.planned_at.get(int(item.task.id)),
            }
            for item in duties.items
        ],
        "duty_note": duties.note,
        "chances": chances.stored(session=session, facts_=plan.facts) if plan else [],
        "deferred": (plan.facts or {}).get("deferred", []) if plan else [],
        "busy": busy_view.rows_of(busy, user.timezone),
    }


def _over_estimate(session: Session, plan: DayPlan | None) -> list[dict[str, Any]]:
    items = (plan.facts or {}).get("over_estimate", []) if plan else []
    titles = worklog_service.task_titles(session=session, task_ids=[i["task_id"] for i in items])
    return [{**item, "title": titles.get(item["task_id"], "")} for item in items]


def _routine_spans(session: Session, user: User, day: date, zone: ZoneInfo) -> list[Span]:
    routine, _ = planning_service.get_routine(session=session, user=user)
    routine = team_meeting.applied(session=session, user_id=user.id, routine=routine)
    weekday = WEEKDAYS[day.weekday()]
    midnight = datetime.combine(day, wall_time(0), tzinfo=zone)
    return [
        Span(
            start=_at(midnight, block["start"]),
            end=_at(midnight, block["end"]),
            title=block["title"],
            category="personal" if block.get("personal") else "slot",
        )
        for block in routine["blocks"]
        if weekday in block["days"]
    ]


def _at(midnight: datetime, clock_time: str) -> datetime:
    hours, minutes = (int(x) for x in clock_time.split(":"))
    # Wall-clock arithmetic in the zone, then normalised: right on daylight-saving days too.
    return (midnight + timedelta(hours=hours, minutes=minutes)).astimezone(midnight.tzinfo)


def _late(item: dict[str, Any]) -> dict[str, Any]:
    finish = item.get("finish")
    return {
        "task_id": item["task_id"],
        "title": item["title"],
        "reason": item["reason"],
        "deadline": datetime.fromisoformat(item["deadline"]),
        "finish": datetime.fromisoformat(finish) if finish else None,
    }


def local_start(day: date, text: str, zone: ZoneInfo) -> datetime:
    """``text`` (HH:MM) on ``day`` in ``zone``, as an aware instant."""
    match = CLOCK_TIME.match(text.strip())
    if match is None:
        raise Invalid("give the new start time as HH:MM, for example 14:30", field="time")
    hours, minutes = int(match.group(1)), int(match.group(2))
    return datetime.combine(day, wall_time(hours, minutes), tzinfo=zone)
