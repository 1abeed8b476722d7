"""The timer and the work log: a user's time entries, their totals, and time per task.

A user's entries never overlap, and at most one of them runs (has no end): the service checks
both under a lock on the user's row, and a partial unique index backs the second. Every writer
takes that lock first, so two requests of one user never interleave their checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ScalarSelect,
    and_,
    bindparam,
    case,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from devday import timetext
from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.db import EpochMicroseconds, UTCDateTime
from devday.errors import Conflict, Invalid, NotFound
from devday.project.models import Project
from devday.task import service as task_service
from devday.task.models import Status, Task
from devday.worklog.models import EntrySource, TimeEntry
from devday.worklog.schemas import GroupBy, TimeEntryCreate, TimeEntryUpdate

#: A manual entry longer than this is almost surely a typo (a wrong day or am/pm).
MAX_ENTRY = timedelta(hours=24)
MINUTE = timedelta(minutes=1)


class Total(NamedTuple):
    key: str | None
    label: str
    minutes: int


def minutes_of(entry: TimeEntry, now: datetime) -> int:
    """Whole minutes of ``entry``; a running one counts up to ``now``."""
    end = entry.end_at or now
    return max(timedelta(0), end - entry.start_at) // MINUTE


# --- the timer ---------------------------------------------------------------------------------


def running_entry(*, session: Session, user: User) -> TimeEntry | None:
    return session.scalars(
        select(TimeEntry)
        .where(TimeEntry.user_id == user.id, TimeEntry.end_at.is_(None))
        .execution_options(populate_existing=True)
    ).first()


def start_timer(
    *, session: Session, user: User, task_id: int, now: datetime, note: str = ""
) -> TimeEntry:
    """Starts timing ``task_id`` at ``now``, stopping the running entry first.

    Starting the task that already runs changes nothing and answers the running entry. A task
    still ``todo`` becomes ``doing``.
    """
    _lock_user(session, user)
    task = _visible_task(session, user, task_id)
    current = running_entry(session=session, user=user)
    if current is not None and current.task_id == task_id:
        return current
    start = _second(now)
    if current is not None:
        _stop(current, start)
        start = max(start, current.start_at)
        flush_versioned(session, f"time entry {current.id}")
    _check_overlap(session, user, start, None, exclude_id=None, now=now)
    entry = TimeEntry(
        user_id=user.id,
        task_id=task.id,
        start_at=start,
        end_at=None,
        note=note.strip(),
        source=EntrySource.timer,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    if task.status == Status.todo:
        task.status = Status.doing
        task.updated_at = now
    try:
        session.flush()
    except IntegrityError:
        # Only the one-running-timer index can refuse this insert: another start won a race.
        raise Conflict(
            "another timer started at the same moment; check 'GET /api/v1/timer' and retry",
            field="task_id",
        ) from None
    except StaleDataError:
        raise Conflict(
            f"{task.title!r} was changed by someone else; retry", field="task_id"
        ) from None
    return entry


def stop_timer(*, session: Session, user: User, now: datetime) -> TimeEntry:
    """Stops the running entry at ``now``; an entry shorter than a minute is kept all the same."""
    _lock_user(session, user)
    current = running_entry(session=session, user=user)
    if current is None:
        raise Invalid("no timer is running")
    _stop(current, _second(now))
    flush_versioned(session, f"time entry {current.id}")
    return current


# --- entries -----------------------------------------------------------------------------------


def get_entry(*, session: Session, user: User, entry_id: int) -> TimeEntry:
    """One of the caller's own entries; anyone else's is NotFound, as a missing one is."""
    entry = session.get(TimeEntry, entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound(f"time entry {entry_id} not found")
    return entry


def add_entry(*, session: Session, user: User, data: TimeEntryCreate, now: datetime) -> TimeEntry:
    """A manual entry: over, at most 24 hours, overlapping none of the user's entries."""
    _lock_user(session, user)
    task = _visible_task(session, user, data.task_id)
    _check_span(data.start, data.end, now)
    _check_overlap(session, user, data.start, data.end, exclude_id=None, now=now)
    entry = TimeEntry(
        user_id=user.id,
        task_id=task.id,
        start_at=data.start,
        end_at=data.end,
        note=data.note.strip(),
        source=EntrySource.manual,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def log_worked(
    *, session: Session, user: User, task_id: int, start: datetime, end: datetime, now: datetime
) -> list[TimeEntry]:
    """Logs [start, end) on ``task_id`` as worked (a plan block marked done), in the parts that
    no entry of the user covers (a running one up to ``now``); parts under a minute are left."""
    _lock_user(session, user)
    start, end = _second(start), _second(min(end, now))
    covered = [
        (max(e.start_at, start), min(e.end_at or now, end))
        for e in session.scalars(
            select(TimeEntry).where(_overlapping(user.id, start, end)).order_by(TimeEntry.start_at)
        )
    ]
    gaps, cursor = [], start
    for lo, hi in covered:
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = max(cursor, hi)
    if end > cursor:
        gaps.append((cursor, end))
    entries = [
        TimeEntry(
            user_id=user.id,
            task_id=task_id,
            start_at=lo,
            end_at=hi,
            note="",
            source=EntrySource.plan,
            created_at=now,
            updated_at=now,
        )
        for lo, hi in gaps
        if hi - lo >= MINUTE
    ]
    session.add_all(entries)
    session.flush()
    return entries


def update_entry(
    *,
    session: Session,
    user: User,
    entry_id: int,
    data: TimeEntryUpdate,
    version: int,
    now: datetime,
) -> TimeEntry:
    """Applies the fields sent; a stale ``version`` is a 409. ``end`` stops a running entry."""
    _lock_user(session, user)
    entry = get_entry(session=session, user=user, entry_id=entry_id)
    check_version(entry.version, version, f"time entry {entry_id}")
    sent = data.model_fields_set - {"version"}
    for name in ("task_id", "start"):
        if name in sent and getattr(data, name) is None:
            raise Invalid("may not be null", field=name)
    if "end" in sent and data.end is None and entry.end_at is not None:
        raise Invalid("may not be null; start the timer to track time again", field="end")
    # Every check runs before any attribute changes: a query would autoflush a half-made change
    # (and count one more version).
    task_id = entry.task_id
    if "task_id" in sent and data.task_id is not None and data.task_id != entry.task_id:
        task_id = _visible_task(session, user, data.task_id).id
    start = data.start if "start" in sent and data.start is not None else entry.start_at
    end = data.end if "end" in sent and data.end is not None else entry.end_at
    if start != entry.start_at or end != entry.end_at:
        if end is None:
            if start > now:
                raise Invalid("is in the future", field="start")
        else:
            if end <= start:
                raise Invalid("end must be after start", field="end")
            _check_span(start, end, now)
        _check_overlap(session, user, start, end, exclude_id=entry.id, now=now)
    entry.task_id, entry.start_at, entry.end_at = task_id, start, end
    if "note" in sent:
        entry.note = (data.note or "").strip()
    entry.updated_at = now
    flush_versioned(session, f"time entry {entry_id}")
    return entry


def delete_entry(*, session: Session, user: User, entry_id: int) -> None:
    """Deletes one entry; deleting the running one discards the timer."""
    entry = get_entry(session=session, user=user, entry_id=entry_id)
    session.delete(entry)
    session.flush()


def list_entries(
    *, session: Session, user: User, start: datetime, end: datetime, task_id: int | None = None
) -> Sequence[TimeEntry]:
    """The caller's entries that overlap [start, end), a running one included, oldest first."""
    query = select(TimeEntry).where(
        TimeEntry.user_id == user.id,
        TimeEntry.start_at < end,
        or_(TimeEntry.end_at.is_(None), TimeEntry.end_at > start),
    )
    if task_id is not None:
        query = query.where(TimeEntry.task_id == task_id)
    return session.scalars(query.order_by(TimeEntry.start_at, TimeEntry.id)).all()


class TaskEntry(NamedTuple):
    entry: TimeEntry
    who: str


#: The most entries a task's page lists (newest first).
TASK_ENTRIES_SHOWN = 200


def task_entries(
    *, session: Session, task_id: int, limit: int = TASK_ENTRIES_SHOWN
) -> list[TaskEntry]:
    """Everyone's entries on ``task_id``, newest first, each with its author's name. The caller
    has checked that its user may see the task: whoever sees a task sees who worked on it."""
    rows = session.execute(
        select(TimeEntry, User.name)
        .join(User, User.id == TimeEntry.user_id)
        .where(TimeEntry.task_id == task_id)
        .order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())
        .limit(limit)
    )
    return [TaskEntry(entry, name) for entry, name in rows]


def task_titles(*, session: Session, task_ids: Iterable[int]) -> dict[int, str]:
    """Titles of the tasks the caller's entries point at (their own log, so no visibility rule)."""
    ids = list(set(task_ids))
    if not ids:
        return {}
    rows = session.execute(select(Task.id, Task.title).where(Task.id.in_(ids)))
    return {task_id: title for task_id, title in rows}


# --- totals: what other domains build on -------------------------------------------------------


def totals(
    *,
    session: Session,
    user: User,
    start: datetime,
    end: datetime,
    group_by: GroupBy,
    timezone: str,
    now: datetime,
) -> list[Total]:
    """The caller's time in [start, end) grouped by task, project, kind or local day.

    Entries are clipped to the window, a running one counts up to ``now``, and with
    ``group_by="day"`` an entry that crosses midnight in ``timezone`` is split between the two
    days. Days come in date order; other groups by most time first. Groups under a minute
    are left out.
    """
    zone = ZoneInfo(timezone)
    spent: dict[str | None, timedelta] = defaultdict(timedelta)
    labels: dict[str | None, str] = {}
    query = (
        select(TimeEntry.start_at, TimeEntry.end_at, Task.id, Task.title, Task.kind, Project)
        .join(Task, Task.id == TimeEntry.task_id)
        .outerjoin(Project, Project.id == Task.project_id)
        .where(_overlapping(user.id, start, end))
    )
    for entry_start, entry_end, task_id, title, kind, project in session.execute(query):
        lo, hi = max(entry_start, start), min(entry_end or now, end)
        if hi <= lo:
            continue
        if group_by == "day":
            for day, part in _split_days(lo, hi, zone):
                key = day.isoformat()
                spent[key] += part
                labels[key] = timetext.day(day, timezone, now)
            continue
        if group_by == "task":
            key, label = str(task_id), title
        elif group_by == "project":
            key = None if project is None else str(project.id)
            label = "(no project)" if project is None else project.name
        else:
            key, label = kind.value, kind.value
        spent[key] += hi - lo
        labels[key] = label
    rows = [Total(key, labels[key], spent[key] // MINUTE) for key in spent]
    rows = [row for row in rows if row.minutes > 0]
    if group_by == "day":
        return sorted(rows, key=lambda row: row.key or "")
    return sorted(rows, key=lambda row: (-row.minutes, row.label.lower(), row.key or ""))


def actual_minutes(*, session: Session, task_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """Minutes everyone has logged on each of ``task_ids`` (0 when none); running entries count
    up to ``now``. One query for the lot: meant for task lists beside their estimates."""
    ids = list(dict.fromkeys(task_ids))
    spent: dict[int, timedelta] = {task_id: timedelta(0) for task_id in ids}
    for chunk in _chunks(ids, 1000):
        rows = session.execute(
            select(TimeEntry.task_id, TimeEntry.start_at, TimeEntry.end_at).where(
                TimeEntry.task_id.in_(chunk)
            )
        )
        for task_id, entry_start, entry_end in rows:
            spent[task_id] += max(timedelta(0), (entry_end or now) - entry_start)
    return {task_id: total // MINUTE for task_id, total in spent.items()}


def logged_microseconds(task_id: ColumnElement[int]) -> ScalarSelect[int]:
    """A scalar subquery: the microseconds everyone has logged on task ``task_id`` (a column of
    the enclosing query), running entries up to the bound parameter ``now``; the same sum as
    ``actual_minutes`` before its division, for a task list read in one statement."""
    entry = TimeEntry.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    elapsed = EpochMicroseconds(func.coalesce(entry.end_at, now)) - EpochMicroseconds(
        entry.start_at
    )
    return (
        # PostgreSQL sums integers as numeric: the cast keeps it an integer.
        select(cast(func.coalesce(func.sum(case((elapsed > 0, elapsed), else_=0)), 0), BigInteger))
        .where(entry.task_id == task_id)
        .scalar_subquery()
    )


MICROSECONDS_PER_MINUTE = 60_000_000


def minutes_by_task(
    *, session: Session, user_id: int, start: datetime, end: datetime, now: datetime
) -> dict[int, int]:
    """Minutes user ``user_id`` logged per task within [start, end), clipped to the window, a
    running entry up to ``now``. Tasks with less than a minute in the window are left out."""
    spent: dict[int, timedelta] = defaultdict(timedelta)
    rows = session.execute(
        select(TimeEntry.task_id, TimeEntry.start_at, TimeEntry.end_at).where(
            *_overlapping(user_id, start, end)
        )
    )
    for task_id, entry_start, entry_end in rows:
        lo, hi = max(entry_start, start), min(entry_end or now, end)
        if hi > lo:
            spent[task_id] += hi - lo
    return {task_id: total // MINUTE for task_id, total in spent.items() if total >= MINUTE}


# --- the pieces --------------------------------------------------------------------------------


def _lock_user(session: Session, user: User) -> None:
    # Serialises one user's work-log writes on PostgreSQL (SQLite writers are serial already),
    # so that two overlap checks cannot both pass. NO KEY UPDATE leaves inserts that only
    # reference the user (foreign keys) unblocked.
    session.execute(
        select(User.id).where(User.id == user.id).with_for_update(key_share=True)
    ).first()


def _visible_task(session: Session, user: User, task_id: int) -> Task:
    try:
        return task_service.get_task(session=session, user=user, task_id=task_id)
    except NotFound:
        raise Invalid(f"task {task_id} not found", field="task_id") from None


def _second(now: datetime) -> datetime:
    return now.replace(microsecond=0)


def _stop(entry: TimeEntry, at: datetime) -> None:
    entry.end_at = max(at, entry.start_at)
    entry.updated_at = at


def _check_span(start: datetime, end: datetime, now: datetime) -> None:
    if end <= start:
        raise Invalid("end must be after start", field="end")
    if end > now:
        raise Invalid(
            "is in the future; log time once it is spent, or start the timer", field="end"
        )
    if end - start > MAX_ENTRY:
        raise Invalid("an entry may last at most 24 hours; split longer work", field="end")


def _overlapping(user_id: int, start: datetime, end: datetime | None) -> ColumnElement[bool]:
    """Entries of ``user_id`` that overlap [start, end); ``end`` None means open-ended."""
    clause = and_(
        TimeEntry.user_id == user_id,
        or_(TimeEntry.end_at.is_(None), TimeEntry.end_at > start),
    )
    return clause if end is None else and_(clause, TimeEntry.start_at < end)


def _check_overlap(
    session: Session,
    user: User,
    start: datetime,
    end: datetime | None,
    *,
    exclude_id: int | None,
    now: datetime,
) -> None:
    """Refuses [start, end) (end None: running) if it overlaps another entry of the user, naming
    that entry's task by title and its time in the user's timezone."""
    query = select(TimeEntry).where(_overlapping(user.id, start, end))
    if exclude_id is not None:
        query = query.where(TimeEntry.id != exclude_id)
    clash = session.scalars(query.order_by(TimeEntry.start_at).limit(1)).first()
    if clash is not None:
        task = session.get(Task, clash.task_id)
        title = repr(task.title) if task is not None else "a task"
        span = _span(clash, user.timezone, now)
        raise Conflict(
            f"overlaps your time on {title} ({span}); change or delete that entry first",
            field="start",
        )


def _span(entry: TimeEntry, timezone: str, now: datetime) -> str:
    start = timetext.moment(entry.start_at, timezone, now)
    if entry.end_at is None:
        return f"the timer running since {start} {timezone}"
    zone = ZoneInfo(timezone)
    if entry.end_at.astimezone(zone).date() == entry.start_at.astimezone(zone).date():
        return f"{start}-{entry.end_at.astimezone(zone):%H:%M} {timezone}"
    return f"{start} - {timetext.moment(entry.end_at, timezone, now)} {timezone}"


def _split_days(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[tuple[date, timedelta]]:
    """[start, end) cut at each local midnight in ``zone``: (local date, time on that date)."""
    cursor = start
    while cursor < end:
        day = cursor.astimezone(zone).date()
        midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
        stop = min(end, max(midnight, cursor + MINUTE))  # the max guards odd zone rules
        yield day, stop - cursor
        cursor = stop


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]
