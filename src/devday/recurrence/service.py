"""Recurring tasks: a series makes its instances, one open at a time, exactly once each.

An instance is an ordinary task linked to its series (``SeriesInstance``). The next one is made
when the open one is done or dropped, if its day has come, and otherwise by the worker's sweep
on its day (``recurrence.jobs``), whether or not anyone has the app open. The rules:

- at most one open instance per series: an overdue instance is never duplicated;
- after a pause (the worker down, an instance left open for days) the one made is the latest
  occurrence that is due, never a pile of the missed ones;
- each occurrence is made at most once: every maker locks the series row first, and the key
  (series, occurrence day) of ``SeriesInstance`` refuses a second task for the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Invalid, NotFound
from devday.project import service as project_service
from devday.recurrence import expand
from devday.recurrence.models import Series, SeriesInstance
from devday.recurrence.phrases import AFTER_DONE, RepeatError, parse_repeat
from devday.recurrence.schemas import SeriesUpdate
from devday.recurrence.views import SeriesRow
from devday.task import service as task_service
from devday.task.models import Kind, Status, Task
from devday.task.schemas import TaskCreate, TaskUpdate
from devday.team import service as team_service
from devday.team.models import TeamMember
from devday.timeutil import DEFAULT_WORKDAY_END, end_of_working_day

#: The template fields a series shares with its instances (the same names on both).
TEMPLATE = ("title", "notes", "importance", "kind", "estimate_minutes", "project_id", "assignee_id")


def _parse(text: str) -> tuple[str, str, time | None]:
    try:
        found = parse_repeat(text)
    except RepeatError as exc:
        raise Invalid(str(exc), field="repeat") from None
    return found.mode, found.rule, found.at


def _today(series: Series, now: datetime) -> date:
    return now.astimezone(ZoneInfo(series.timezone)).date()


# --- reading --------------------------------------------------------------------------------------


def visible(user_id: int) -> ColumnElement[bool]:
    """The series ``user_id`` may see and change: theirs, assigned to them, or of their teams."""
    teams = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    return or_(Series.owner_id == user_id, Series.assignee_id == user_id, Series.team_id.in_(teams))


def get_series(*, session: Session, user: User, series_id: int, lock: bool = False) -> Series:
    statement = select(Series).where(Series.id == series_id, visible(user.id))
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    series = session.scalar(statement)
    if series is None:
        raise NotFound(f"series {series_id} not found")
    return series


def list_series(*, session: Session, user: User, ended: bool) -> Sequence[Series]:
    statement = select(Series).where(visible(user.id))
    if not ended:
        statement = statement.where(Series.ended_at.is_(None))
    return session.scalars(statement.order_by(Series.id)).all()


def open_instance(*, session: Session, series_id: int) -> Task | None:
    return session.scalar(
        select(Task)
        .join(SeriesInstance, SeriesInstance.task_id == Task.id)
        .where(SeriesInstance.series_id == series_id, Task.status.in_(task_service.OPEN_STATUSES))
        .order_by(SeriesInstance.occurrence_date.desc())
        .limit(1)
    )


def rows(*, session: Session, series: Sequence[Series]) -> list[SeriesRow]:
    return [
        SeriesRow(
            row=s,
            open_task_id=(
                found.id if (found := open_instance(session=session, series_id=s.id)) else None
            ),
        )
        for s in series
    ]


def series_of_task(*, session: Session, task_id: int) -> Series | None:
    return session.scalar(
        select(Series)
        .join(SeriesInstance, SeriesInstance.series_id == Series.id)
        .where(SeriesInstance.task_id == task_id)
    )


def _lock(session: Session, series_id: int) -> Series | None:
    """The series row, locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return session.scalar(
        select(Series)
        .where(Series.id == series_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# --- starting a series from a task ----------------------------------------------------------------


def repeat_task(
    *, session: Session, user: User, task: Task, text: str | None, now: datetime
) -> None:
    """What a task's ``repeat`` field asks: a phrase makes ``task`` the first instance of a new
    series (or changes the rule of the series it is in); None ends its series."""
    current = series_of_task(session=session, task_id=task.id)
    if text is None:
        if current is not None:
            end_series(session=session, user=user, series_id=current.id, now=now)
        return
    if current is not None:
        _change_rule(session, current, text, now)
        return
    mode, rule, at = _parse(text)
    zone = ZoneInfo(user.timezone)
    start = task.planned_date or now.astimezone(zone).date()
    first = start if mode == AFTER_DONE else expand.first_on_or_after(rule, start, at, start)
    if first is None:
        raise Invalid(f"“{text}” has no date on or after {start.isoformat()}", field="repeat")
    series = Series(
        owner_id=task.owner_id,
        team_id=task.team_id,
        mode=mode,
        rule=rule,
        text=" ".join(text.split()),
        timezone=user.timezone,
        start_date=start,
        at=at,
        title=task.title,
        notes=task.notes,
        importance=task.importance,
        kind=task.kind.value,
        estimate_minutes=task.estimate_minutes,
        tags=task_service.tags_of(session=session, task_ids=[task.id])[task.id],
        project_id=task.project_id,
        assignee_id=task.assignee_id if task.assignee_id != task.owner_id else None,
        created_at=now,
        updated_at=now,
    )
    if task.deadline_at is not None:
        local = task.deadline_at.astimezone(zone)
        series.deadline_days = (local.date() - (task.planned_date or first)).days
        series.deadline_time = local.time().replace(tzinfo=None)
    task.planned_date = first
    if at is not None:
        task.earliest_start_at = expand.instant(first, at, series.timezone)
    series.next_date = expand.next_for(mode, rule, start, at, first)
    session.add(series)
    session.flush()
    session.add(SeriesInstance(series_id=series.id, occurrence_date=first, task_id=task.id))
    session.flush()


def _change_rule(session: Session, series: Series, text: str, now: datetime) -> None:
    """A new rule from today on: the next instance is its first occurrence after the last one
    made (or from today, if that is later)."""
    mode, rule, at = _parse(text)
    today = _today(series, now)
    last = session.scalar(
        select(SeriesInstance.occurrence_date)
        .where(SeriesInstance.series_id == series.id)
        .order_by(SeriesInstance.occurrence_date.desc())
        .limit(1)
    )
    after = max(today, last + timedelta(days=1)) if last else today
    series.mode, series.rule, series.at, series.text = mode, rule, at, " ".join(text.split())
    series.start_date = after
    if series.ended_at is not None:
        return
    if mode == AFTER_DONE:
        pending = open_instance(session=session, series_id=series.id) is not None
        series.next_date = None if pending else today
    else:
        series.next_date = expand.first_on_or_after(rule, after, at, after)


# --- making instances -----------------------------------------------------------------------------


def advance(
    *, session: Session, series_id: int, now: datetime, at_once: bool = False
) -> Task | None:
    """Makes the series' next instance if none is open and its day has come (or, ``at_once``,
    even before it). After a pause, the latest due occurrence, not one per missed day. Returns
    the new instance, or None when there is nothing to make."""
    series = _lock(session, series_id)
    if series is None or series.ended_at is not None:
        return None
    if open_instance(session=session, series_id=series.id) is not None:
        return None
    today = _today(series, now)
    if series.next_date is None and series.mode == AFTER_DONE:
        # Its open one is gone (deleted), not done: the series goes on from today.
        series.next_date = today
    if series.next_date is None:
        return None
    day = series.next_date
    if day > today and not at_once:
        return None
    if day < today and series.mode != AFTER_DONE:
        day = expand.latest_between(series.rule, series.start_date, series.at, day, today) or day
    elif day < today:
        day = today
    return _make(session, series, day, now)


def _make(session: Session, series: Series, day: date, now: datetime) -> Task | None:
    owner = session.get(User, series.owner_id)
    if owner is None:
        return None
    deadline: datetime | None = None
    if series.deadline_days is not None:
        due = day + timedelta(days=series.deadline_days)
        deadline = (
            expand.instant(due, series.deadline_time, series.timezone)
            if series.deadline_time is not None
            else end_of_working_day(due, series.timezone, DEFAULT_WORKDAY_END)
        )
    data = TaskCreate(
        title=series.title,
        notes=series.notes,
        importance=series.importance,
        kind=Kind(series.kind),
        estimate_minutes=series.estimate_minutes,
        tags=list(series.tags),
        project_id=series.project_id,
        assignee_id=series.assignee_id,
        planned_date=day,
        deadline=deadline,
        earliest_start=(
            expand.instant(day, series.at, series.timezone) if series.at is not None else None
        ),
    )
    task = task_service.create_task(session=session, user=owner, data=data, now=now)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    made = session.scalar(
        insert(SeriesInstance)
        .values(series_id=series.id, occurrence_date=day, task_id=task.id)
        .on_conflict_do_nothing(index_elements=["series_id", "occurrence_date"])
        .returning(SeriesInstance.task_id)
    )
    if made is None:  # another maker got this occurrence first: theirs stands
        session.delete(task)
        session.flush()
        return None
    series.next_date = expand.next_for(series.mode, series.rule, series.start_date, series.at, day)
    series.updated_at = now
    session.flush()
    return task


def instance_closed(session: Session, task: Task, now: datetime) -> None:
    """An instance was done or dropped: ``every!`` counts its next day from now, and the next
    instance is made if its day has come (otherwise the sweep makes it on its day)."""
    # Heard in the middle of a task's update: looking is no reason to flush it half-done.
    with session.no_autoflush:
        link = session.scalar(select(SeriesInstance).where(SeriesInstance.task_id == task.id))
    if link is None:
        return
    series = _lock(session, link.series_id)
    if series is None or series.ended_at is not None:
        return
    if series.mode == AFTER_DONE and open_instance(session=session, series_id=series.id) is None:
        series.next_date = expand.after_done(series.rule, series.at, _today(series, now))
        series.updated_at = now
    advance(session=session, series_id=series.id, now=now)


def due_series(*, session: Session, now: datetime) -> list[int]:
    """Series whose next day may have come somewhere on Earth and that have no open instance."""
    horizon = now.date() + timedelta(days=1)
    open_ = (
        select(SeriesInstance.series_id)
        .join(Task, Task.id == SeriesInstance.task_id)
        .where(SeriesInstance.series_id == Series.id, Task.status.in_(task_service.OPEN_STATUSES))
    )
    return list(
        session.scalars(
            select(Series.id)
            .where(
                Series.ended_at.is_(None),
                or_(
                    Series.next_date <= horizon,
                    and_(Series.mode == AFTER_DONE, Series.next_date.is_(None)),
                ),
                ~exists(open_),
            )
            .order_by(Series.id)
        )
    )


# --- what a user does to a series -----------------------------------------------------------------


def skip(*, session: Session, user: User, series_id: int, now: datetime) -> Task | None:
    """Drops the open instance and makes the next one at once; with none open, passes over the
    next occurrence. Returns the new instance, if one was made."""
    series = get_series(session=session, user=user, series_id=series_id, lock=True)
    if series.ended_at is not None:
        raise Invalid("this series has ended; start a new one", field="series")
    current = open_instance(session=session, series_id=series.id)
    if current is None:
        if series.next_date is not None and series.mode != AFTER_DONE:
            series.next_date = expand.first_after(
                series.rule, series.start_date, series.at, series.next_date
            )
        series.updated_at = now
        flush_versioned(session, f"series {series_id}")
        return None
    task_service.set_status(session=session, task=current, status=Status.dropped, now=now)
    session.flush()
    if series.mode == AFTER_DONE:
        series.next_date = expand.after_done(series.rule, series.at, _today(series, now))
    return advance(session=session, series_id=series.id, now=now, at_once=True)


def end_series(*, session: Session, user: User, series_id: int, now: datetime) -> Series:
    """No more instances; the open one stays as it is."""
    series = get_series(session=session, user=user, series_id=series_id, lock=True)
    if series.ended_at is None:
        series.ended_at, series.next_date, series.updated_at = now, None, now
        flush_versioned(session, f"series {series_id}")
    return series


def update_series(
    *, session: Session, user: User, series_id: int, data: SeriesUpdate, version: int, now: datetime
) -> Series:
    """Changes the template (and the rule); the open instance takes each change where it still
    had the series' old value. A stale ``version`` is a 409."""
    series = get_series(session=session, user=user, series_id=series_id)
    check_version(series.version, version, f"series {series_id}")
    sent = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("title", "importance", "kind", "repeat"):
        if name in sent and sent[name] is None:
            raise Invalid("may not be null", field=name)
    if "kind" in sent:
        sent["kind"] = Kind(sent["kind"]).value
    if "notes" in sent:
        sent["notes"] = sent["notes"] or ""
    if "title" in sent:
        sent["title"] = sent["title"].strip()
    if "project_id" in sent and sent["project_id"] is not None:
        try:
            project = project_service.get_project(
                session=session, user=user, project_id=sent["project_id"]
            )
        except NotFound:
            raise Invalid(f"project {sent['project_id']} not found", field="project_id") from None
        series.team_id = project.team_id
    elif "project_id" in sent:
        series.team_id = None
    if sent.get("assignee_id") is not None:
        _check_assignee(session, series, sent["assignee_id"])
    current = open_instance(session=session, series_id=series.id)
    follow: dict[str, object] = {}
    if current is not None:
        tags = task_service.tags_of(session=session, task_ids=[current.id])[current.id]
        for name in (*TEMPLATE, "tags"):
            if name not in sent:
                continue
            old = getattr(series, name)
            mine = tags if name == "tags" else getattr(current, name)
            if name == "kind":
                mine = current.kind.value
            if name == "assignee_id" and old is None:
                old = series.owner_id
            if mine == old:
                follow[name] = sent[name]
    for name in (*TEMPLATE, "tags"):
        if name in sent:
            setattr(series, name, sent[name])
    if "repeat" in sent:
        _change_rule(session, series, sent["repeat"], now)
    series.updated_at = now
    flush_versioned(session, f"series {series_id}")
    if current is not None and follow:
        task_service.update_task(
            session=session,
            user=user,
            task_id=current.id,
            data=TaskUpdate.model_validate(follow),
            version=current.version,
            now=now,
        )
    return series


def _check_assignee(session: Session, series: Series, assignee_id: int) -> None:
    # As for a task: someone of the series' team, or its owner when it is personal.
    if series.team_id is None:
        if assignee_id != series.owner_id:
            raise Invalid(
                "a personal series can only be assigned to its owner; put it in a team project "
                "first",
                field="assignee_id",
            )
    elif (
        team_service.membership(session=session, team_id=series.team_id, user_id=assignee_id)
        is None
    ):
        raise Invalid(
            f"user {assignee_id} is not a member of this series' team", field="assignee_id"
        )


def task_closed(
    session: Session, event: task_service.TaskFinished | task_service.TaskDropped
) -> None:
    """Heard on ``TaskFinished`` and ``TaskDropped`` (wired in ``devday.wiring``)."""
    instance_closed(session, event.task, event.now)
