"""The Today page: the day's timeline, its blocks with their actions, the timer, the risks and
the duty list. A thin adapter over the day, planning and worklog services.

Every action is a form POST that answers 303 back to /today (Post/Redirect/Get); a refused
one re-renders the page with the message and a 4xx status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day import service as day_service
from devday.day.calendar_days import day_bounds
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import DomainError, Invalid, NotFound
from devday.ids import MAX_ID
from devday.planning import service as planning_service
from devday.planning.routine import WEEKDAYS
from devday.planning.schemas import BlockUpdate
from devday.task.models import Status, Task
from devday.web._legacy import form_ok, login_redirect
from devday.web.charts.timeline import Span, hhmm, timeline_svg
from devday.web.forms import FormStr
from devday.web.rendering import duration, render
from devday.worklog import service as worklog_service

router = APIRouter(include_in_schema=False)

PAGE = "web/today.html"
EXPIRED = "Your form expired; please try again."
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


# --- the page ------------------------------------------------------------------------------------


@router.get("/today", response_class=HTMLResponse)
def today_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _page(request, state, session, user)


def _page(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = page_context(session=session, user=user, now=state.clock.now())
    return render(request, state, PAGE, {**context, "error": error}, status=status)


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
    ids = {b.task_id for b in blocks} | ({running.task_id} if running else set())
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
    spans = [
        *_routine_spans(session, user, today.day, zone),
        *(
            Span(start=e.start_at, end=e.end_at, title=e.title, category="busy")
            for e in planning_service.list_busy(
                session=session, user=user, start=day_start, end=day_end
            )
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
            )
            for b in blocks
        ),
    ]
    _inputs, duties = planning_service.duty_list(session=session, user=user, now=now)
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
        "duties": [
            {
                "task_id": item.task.id,
                "priority": 5 - item.task.importance,
                "title": item.task.title,
                "deadline": item.task.deadline,
                "estimate": item.task.estimate_minutes,
                "score": item.score,
                "terms": item.terms,
            }
            for item in duties
        ],
    }


def _routine_spans(session: Session, user: User, day: date, zone: ZoneInfo) -> list[Span]:
    routine, _ = planning_service.get_routine(session=session, user=user)
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


# --- actions -------------------------------------------------------------------------------------


def _act(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    csrf_token: str,
    action: Callable[[User, datetime], object],
) -> Response:
    """Checks the sign-in and the CSRF token, runs ``action``, commits, and goes back to /today;
    a domain error re-renders the page with its message instead."""
    if user is None:
        return RedirectResponse("/login?next=%2Ftoday", status_code=303)
    if not form_ok(request, state, csrf_token):
        return _page(request, state, session, user, error=EXPIRED, status=403)
    try:
        action(user, state.clock.now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _page(request, state, session, user, error=exc.message, status=exc.status_code)
    return RedirectResponse("/today", status_code=303)


def _today_of(user: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(user.timezone)).date()


def _id(text: str, what: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_ID:
        raise NotFound(f"{what} not found")
    return int(text)


def _version(session: Session, user: User, day: date, text: str) -> int:
    """The plan version the form was made from; none sent means the stored one."""
    if text.strip().isdigit():
        return int(text)
    return planning_service.get_plan(session=session, user=user, plan_date=day).version


@router.post("/today/plan")
def plan_day(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    csrf_token: FormStr = "",
) -> Response:
    def action(user: User, now: datetime) -> None:
        planning_service.build_plan(
            session=session, user=user, plan_date=_today_of(user, now), now=now
        )

    return _act(request, state, session, user, csrf_token, action)


@router.post("/today/replan")
def replan_day(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    csrf_token: FormStr = "",
    version: FormStr = "",
) -> Response:
    def action(user: User, now: datetime) -> None:
        day = _today_of(user, now)
        expected = _version(session, user, day, version)
        planning_service.replan(
            session=session, user=user, plan_date=day, now=now, version=expected
        )

    return _act(request, state, session, user, csrf_token, action)


@router.post("/today/timer/start")
def start_timer(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    csrf_token: FormStr = "",
    task_id: FormStr = "",
) -> Response:
    def action(user: User, now: datetime) -> None:
        task = _id(task_id, "task")
        worklog_service.start_timer(session=session, user=user, task_id=task, now=now)

    return _act(request, state, session, user, csrf_token, action)


@router.post("/today/timer/stop")
def stop_timer(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    csrf_token: FormStr = "",
) -> Response:
    def action(user: User, now: datetime) -> None:
        worklog_service.stop_timer(session=session, user=user, now=now)

    return _act(request, state, session, user, csrf_token, action)


def _update_block(
    request: Request,
    state: StateDep,
    session: Session,
    user: User | None,
    csrf_token: str,
    block_id: str,
    version: str,
    change: Callable[[User, date], BlockUpdate],
) -> Response:
    def action(user: User, now: datetime) -> None:
        day = _today_of(user, now)
        block = _id(block_id, "block")
        planning_service.update_block(
            session=session,
            user=user,
            plan_date=day,
            block_id=block,
            data=change(user, day),
            version=_version(session, user, day, version),
            now=now,
        )

    return _act(request, state, session, user, csrf_token, action)


@router.post("/today/blocks/{block_id}/done")
def block_done(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    block_id: str,
    csrf_token: FormStr = "",
    version: FormStr = "",
) -> Response:
    return _update_block(
        request,
        state,
        session,
        user,
        csrf_token,
        block_id,
        version,
        lambda _user, _day: BlockUpdate(done=True),
    )


@router.post("/today/blocks/{block_id}/pin")
def block_pin(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    block_id: str,
    csrf_token: FormStr = "",
    version: FormStr = "",
    pinned: FormStr = "1",
) -> Response:
    """Pins the block (``pinned=1``, the default) or unpins it (``pinned=0``)."""
    return _update_block(
        request,
        state,
        session,
        user,
        csrf_token,
        block_id,
        version,
        lambda _user, _day: BlockUpdate(pinned=pinned.strip() not in ("0", "false", "")),
    )


@router.post("/today/blocks/{block_id}/move")
def block_move(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    block_id: str,
    csrf_token: FormStr = "",
    version: FormStr = "",
    time: FormStr = "",
) -> Response:
    """Moves the block to start at ``time`` (HH:MM, the user's zone) today; it is then pinned."""

    def change(user: User, day: date) -> BlockUpdate:
        return BlockUpdate(start=local_start(day, time, ZoneInfo(user.timezone)))

    return _update_block(request, state, session, user, csrf_token, block_id, version, change)


def local_start(day: date, text: str, zone: ZoneInfo) -> datetime:
    """``text`` (HH:MM) on ``day`` in ``zone``, as an aware instant."""
    match = CLOCK_TIME.match(text.strip())
    if match is None:
        raise Invalid("give the new start time as HH:MM, for example 14:30", field="time")
    hours, minutes = int(match.group(1)), int(match.group(2))
    return datetime.combine(day, wall_time(hours, minutes), tzinfo=zone)
