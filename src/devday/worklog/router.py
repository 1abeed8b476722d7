"""The timer and the work log: /api/v1/timer, /api/v1/time-entries, /api/v1/time-report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Response, status
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, IdQuery, SessionDep
from devday.errors import Invalid
from devday.task.schemas import Instant
from devday.worklog import service
from devday.worklog.models import TimeEntry
from devday.worklog.schemas import (
    GroupBy,
    TimeEntryCreate,
    TimeEntryRead,
    TimeEntryUpdate,
    TimeReport,
    TimerRead,
    TimerStart,
    TimeTotal,
)

router = APIRouter(prefix="/api/v1", tags=["time"])

#: The longest window a list or a report covers, so that one request stays cheap.
MAX_WINDOW = timedelta(days=366)

WindowStart = Annotated[
    Instant | None,
    Query(description="From this instant (default: the start of your local today)"),
]
WindowEnd = Annotated[
    Instant | None, Query(description="Until this instant (default: a day after start)")
]


def to_read(session: Session, entries: Sequence[TimeEntry], now: datetime) -> list[TimeEntryRead]:
    titles = service.task_titles(session=session, task_ids=(e.task_id for e in entries))
    return [
        TimeEntryRead(
            id=e.id,
            task_id=e.task_id,
            task_title=titles.get(e.task_id, ""),
            start=e.start_at,
            end=e.end_at,
            minutes=service.minutes_of(e, now),
            note=e.note,
            source=e.source,
            created_at=e.created_at,
            updated_at=e.updated_at,
            version=e.version,
        )
        for e in entries
    ]


def window(
    user: User, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """[start, end) as asked; with neither, the caller's local today."""
    if start is None and end is None:
        today = now.astimezone(ZoneInfo(user.timezone)).date()
        start = datetime.combine(today, time(), tzinfo=ZoneInfo(user.timezone))
        end = datetime.combine(today + timedelta(days=1), time(), tzinfo=ZoneInfo(user.timezone))
    elif start is None:
        assert end is not None
        start = end - timedelta(days=1)
    elif end is None:
        end = start + timedelta(days=1)
    if end <= start:
        raise Invalid("end must be after start", field="end")
    if end - start > MAX_WINDOW:
        raise Invalid("a window may span at most 366 days", field="end")
    return start, end


def _timer(
    session: Session, running: TimeEntry | None, stopped: TimeEntry | None, now: datetime
) -> TimerRead:
    shown = to_read(session, [e for e in (running, stopped) if e is not None], now)
    running_read = shown.pop(0) if running is not None else None
    return TimerRead(
        running=running_read,
        elapsed_minutes=running_read.minutes if running_read is not None else None,
        stopped=shown[0] if shown else None,
    )


@router.get("/timer", response_model=TimerRead)
def read_timer(user: CurrentUser, session: SessionDep, clock: ClockDep) -> TimerRead:
    """Your running timer with the minutes since it started; `running` is null when none runs."""
    now = clock.now()
    return _timer(session, service.running_entry(session=session, user=user), None, now)


@router.post("/timer/start", response_model=TimerRead)
def start_timer(
    data: TimerStart, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> TimerRead:
    """Start timing a task now. A timer already running on another task is stopped first (and
    answered as `stopped`); starting the task that runs changes nothing. A task still `todo`
    becomes `doing`."""
    now = clock.now()
    previous = service.running_entry(session=session, user=user)
    entry = service.start_timer(
        session=session, user=user, task_id=data.task_id, now=now, note=data.note
    )
    session.commit()
    stopped = None
    if previous is not None and previous.id != entry.id and previous.end_at is not None:
        stopped = previous
    return _timer(session, entry, stopped, now)


@router.post("/timer/stop", response_model=TimeEntryRead)
def stop_timer(user: CurrentUser, session: SessionDep, clock: ClockDep) -> TimeEntryRead:
    """Stop the running timer now and answer the finished entry; 422 when none runs."""
    now = clock.now()
    entry = service.stop_timer(session=session, user=user, now=now)
    session.commit()
    return to_read(session, [entry], now)[0]


@router.get("/time-entries", response_model=list[TimeEntryRead])
def list_entries(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: WindowStart = None,
    end: WindowEnd = None,
    task_id: IdQuery = None,
) -> list[TimeEntryRead]:
    """Your time entries that overlap the window (a running one included), oldest first. The
    window is at most 366 days; with no bounds it is your local today."""
    now = clock.now()
    lo, hi = window(user, start, end, now)
    entries = service.list_entries(session=session, user=user, start=lo, end=hi, task_id=task_id)
    return to_read(session, entries, now)


@router.post("/time-entries", status_code=status.HTTP_201_CREATED, response_model=TimeEntryRead)
def add_entry(
    data: TimeEntryCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
) -> TimeEntryRead:
    """Log time you forgot to track. It must be over (not in the future), last at most 24 hours
    and overlap none of your entries; a clash is refused with 409 naming the other entry."""
    now = clock.now()
    entry = service.add_entry(session=session, user=user, data=data, now=now)
    session.commit()
    response.headers["ETag"] = etag(entry.version)
    return to_read(session, [entry], now)[0]


@router.get("/time-entries/{entry_id}", response_model=TimeEntryRead)
def read_entry(
    entry_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> TimeEntryRead:
    """One of your time entries; its ETag is the version to send back when changing it."""
    entry = service.get_entry(session=session, user=user, entry_id=entry_id)
    response.headers["ETag"] = etag(entry.version)
    return to_read(session, [entry], clock.now())[0]


@router.patch("/time-entries/{entry_id}", response_model=TimeEntryRead)
def update_entry(
    entry_id: IdPath,
    data: TimeEntryUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> TimeEntryRead:
    """Change the fields sent; `end` on a running entry stops it then. Send the version you
    read (If-Match or `version`): a stale one gets 409 and nothing changes."""
    version = expected_version(if_match, data.version)
    now = clock.now()
    entry = service.update_entry(
        session=session, user=user, entry_id=entry_id, data=data, version=version, now=now
    )
    session.commit()
    response.headers["ETag"] = etag(entry.version)
    return to_read(session, [entry], now)[0]


@router.delete("/time-entries/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_entry(entry_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a time entry; deleting the running one discards the timer."""
    service.delete_entry(session=session, user=user, entry_id=entry_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/time-report", response_model=TimeReport)
def time_report(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    start: WindowStart = None,
    end: WindowEnd = None,
    group_by: Annotated[
        GroupBy, Query(description="task, project, kind, or day (your local days)")
    ] = "task",
) -> TimeReport:
    """Your time in the window, grouped. Entries are clipped to the window, a running one
    counts up to now, and by day an entry across midnight is split between your local days."""
    now = clock.now()
    lo, hi = window(user, start, end, now)
    rows = service.totals(
        session=session,
        user=user,
        start=lo,
        end=hi,
        group_by=group_by,
        timezone=user.timezone,
        now=now,
    )
    return TimeReport(
        start=lo,
        end=hi,
        group_by=group_by,
        timezone=user.timezone,
        total_minutes=sum(row.minutes for row in rows),
        rows=[TimeTotal(key=row.key, label=row.label, minutes=row.minutes) for row in rows],
    )
