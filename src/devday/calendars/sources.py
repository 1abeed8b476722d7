"""Calendar subscriptions: calendars a user reads from, whose events become busy time.

A refresh runs in three steps, so that no transaction stays open while a calendar server is
slow: ``prepare`` reads what the fetch needs (and moves ``next_at`` on, so that another worker
does not fetch it too), ``fetch.fetch`` talks to the server with no transaction open, and
``record`` stores the outcome. A calendar that fails keeps the busy times of its last good
answer and shows the error and when it last worked. The busy times are ``BusyEvent`` rows with
the calendar's ``source_id``: the planner reads them like any other busy time, and the live
plan re-plans when a refresh changes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.calendars import ics, push
from devday.calendars.fetch import Fetched, Source, fetch, http_url
from devday.calendars.models import CalendarSource, PlanExport, SourceKind
from devday.calendars.schemas import CalendarCreate, CalendarUpdate
from devday.clock import Clock
from devday.concurrency import check_version, flush_versioned
from devday.errors import Invalid, NotFound
from devday.netguard import STRICT, OutboundPolicy, Vetted, vetted
from devday.planning import live
from devday.planning.models import BusyEvent

#: How often the worker reads each calendar.
REFRESH = timedelta(minutes=15)
#: The window of events kept: from a day ago to six weeks ahead (the planner looks two ahead).
BEHIND = timedelta(days=1)
AHEAD = timedelta(days=42)
MAX_PER_USER = 20
CHUNK = 500
ERROR_MAX = 500


def list_sources(*, session: Session, user: User) -> Sequence[CalendarSource]:
    return session.scalars(
        select(CalendarSource).where(CalendarSource.user_id == user.id).order_by(CalendarSource.id)
    ).all()


def get_source(*, session: Session, user: User, source_id: int) -> CalendarSource:
    source = session.get(CalendarSource, source_id)
    if source is None or source.user_id != user.id:
        raise NotFound(f"calendar {source_id} not found")
    return source


def _check_address(outbound: OutboundPolicy | Vetted, url: str) -> None:
    reason = vetted(outbound).reason(http_url(url))
    if reason:
        raise Invalid(reason, field="url")


def create_source(
    *,
    session: Session,
    user: User,
    data: CalendarCreate,
    now: datetime,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> CalendarSource:
    """A new subscription, fetched by the worker at once (``next_at`` is now). An address on an
    internal network is refused unless the administrator allows it, as for app checks."""
    _check_address(outbound, data.url)
    if len(list_sources(session=session, user=user)) >= MAX_PER_USER:
        raise Invalid(f"at most {MAX_PER_USER} calendars per account", field="url")
    source = CalendarSource(
        user_id=user.id,
        name=data.name,
        kind=data.kind,
        url=data.url,
        username=data.username,
        password=data.password,
        all_day_busy=data.all_day_busy,
        write_plan=data.write_plan,
        next_at=now,
        created_at=now,
    )
    session.add(source)
    session.flush()
    return source


def update_source(
    *,
    session: Session,
    user: User,
    source_id: int,
    data: CalendarUpdate,
    version: int,
    now: datetime,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> CalendarSource:
    """Changes what was sent; a new address or new credentials are fetched again at once."""
    source = get_source(session=session, user=user, source_id=source_id)
    check_version(source.version, version, f"calendar {source.name!r}")
    sent = data.model_dump(exclude_unset=True, exclude={"version"})
    if sent.get("url") is not None:
        _check_address(outbound, sent["url"])
    for name, value in sent.items():
        if value is not None:
            setattr(source, name, value)
    if source.kind == SourceKind.caldav and not source.username:
        raise Invalid("a CalDAV calendar needs a user name", field="username")
    if source.write_plan and source.kind != SourceKind.caldav:
        raise Invalid("only a CalDAV calendar can receive the plan", field="write_plan")
    if "write_plan" in sent:
        source.next_at = now
    if {"url", "username", "password"} & sent.keys():
        source.etag = source.last_modified = ""
        source.next_at = now
    flush_versioned(session, f"calendar {source.name!r}")
    return source


def delete_source(*, session: Session, user: User, source_id: int) -> None:
    """Ends the subscription; its busy times go with it."""
    source = get_source(session=session, user=user, source_id=source_id)
    _replace(session, source, [])  # its busy times go, and the plans hear of it
    session.delete(source)
    session.flush()


@dataclass(frozen=True)
class Due:
    """One calendar to fetch, with what reading its answer needs."""

    source: Source
    timezone: str
    email: str
    start: datetime
    end: datetime


def prepare(session: Session, source: CalendarSource, now: datetime) -> Due:
    """What fetching ``source`` needs; moves its next refresh on, in the caller's transaction."""
    user = session.get(User, source.user_id)
    assert user is not None
    source.next_at = now + REFRESH
    spec = Source(
        source_id=source.id,
        kind=source.kind.value,
        url=source.url,
        username=source.username,
        password=source.password,
        etag=source.etag,
        last_modified=source.last_modified,
    )
    return Due(spec, user.timezone, user.email, now - BEHIND, now + AHEAD)


def due_sources(session: Session, now: datetime, limit: int) -> list[Due]:
    """The calendars whose refresh is due, oldest first, each claimed until its next slot."""
    rows = session.scalars(
        select(CalendarSource)
        .where(CalendarSource.next_at <= now)
        .order_by(CalendarSource.next_at, CalendarSource.id)
        .limit(limit)
    ).all()
    return [prepare(session, row, now) for row in rows]


def record(session: Session, due: Due, fetched: Fetched, now: datetime) -> CalendarSource | None:
    """Stores a fetch's outcome: the busy times of a good answer (replacing the calendar's
    earlier ones, only where they changed), or the error, keeping the last good busy times."""
    source = session.get(CalendarSource, due.source.source_id)
    if source is None:  # deleted while it was fetched
        return None
    source.last_tried_at = now
    if fetched.error:
        source.last_error = fetched.error[:ERROR_MAX]
        return source
    if fetched.unchanged:
        source.last_ok_at, source.last_error = now, ""
        return source
    try:
        busy = ics.busy_times(
            fetched.documents,
            start=due.start,
            end=due.end,
            timezone=due.timezone,
            email=due.email,
            all_day_busy=source.all_day_busy,
        )
    except ics.NotACalendar as exc:
        source.last_error = f"{exc}; check the address"
        return source
    except (ValueError, KeyError, TypeError) as exc:
        source.last_error = f"the calendar could not be read ({type(exc).__name__})"
        return source
    _replace(session, source, busy)
    source.etag, source.last_modified = fetched.etag, fetched.last_modified
    source.last_ok_at, source.last_error = now, ""
    source.event_count = len(busy)
    session.flush()
    return source


def _replace(session: Session, source: CalendarSource, busy: list[ics.Busy]) -> None:
    """The calendar's busy times become ``busy``: only what changed is deleted and inserted (in
    bulk: a calendar holds hundreds), and the user's plans are re-planned once at commit when
    anything did, with one reason."""
    kept = session.execute(
        select(BusyEvent.id, BusyEvent.start_at, BusyEvent.end_at, BusyEvent.title).where(
            BusyEvent.source_id == source.id
        )
    ).all()
    wanted = {(b.start, b.end, b.title) for b in busy}
    have = {(row.start_at, row.end_at, row.title): row.id for row in kept}
    gone = [event_id for key, event_id in have.items() if key not in wanted]
    new = sorted(wanted - have.keys())
    for at in range(0, len(gone), CHUNK):
        session.execute(delete(BusyEvent).where(BusyEvent.id.in_(gone[at : at + CHUNK])))
    if new:
        session.execute(
            insert(BusyEvent),
            [
                {
                    "user_id": source.user_id,
                    "title": title,
                    "start_at": start,
                    "end_at": end,
                    "source_id": source.id,
                }
                for start, end, title in new
            ],
        )
    if gone or new:
        reason = f"calendar '{source.name}': {len(new)} busy times added, {len(gone)} removed"
        live.touch(session, source.user_id, reason)


# --- steps that talk to the calendar's server --------------------------------------------------
# Each commits what it read before the server is asked, so that no transaction stays open while
# a slow server answers, then stores the outcome in a new transaction (which the caller commits).


def refresh_now(
    *, session: Session, user: User, source_id: int, policy: OutboundPolicy, clock: Clock
) -> CalendarSource | None:
    """Reads a calendar now (and writes the plan into it, when it receives the plan); returns
    it as stored after, or None when it was deleted meanwhile."""
    source = get_source(session=session, user=user, source_id=source_id)
    due = prepare(session, source, clock.now())
    writing = push.prepare(session, source, clock.now())
    session.commit()
    fetched = fetch(due.source, policy, due.start, due.end)
    pushed = push.push(writing, policy) if writing else None
    now = clock.now()
    if writing and pushed:
        push.record(session, writing, pushed, now)
    return record(session, due, fetched, now)


def unsubscribe(
    *, session: Session, user: User, source_id: int, policy: OutboundPolicy, clock: Clock
) -> None:
    """Ends a subscription; the events devday wrote there for the plan are removed first (if
    the server cannot be reached they stay, and nothing else is touched)."""
    source = get_source(session=session, user=user, source_id=source_id)
    source.write_plan = False
    writing = push.prepare(session, source, clock.now())
    session.commit()
    if writing:
        push.record(session, writing, push.push(writing, policy), clock.now())
    delete_source(session=session, user=user, source_id=source_id)


def pushes_due(session: Session, now: datetime) -> list[push.Push]:
    """The CalDAV calendars whose copy of the plan is out of step (``write_plan`` on, or events
    of an earlier write to remove)."""
    written = select(PlanExport.source_id)
    rows = session.scalars(
        select(CalendarSource)
        .where(
            CalendarSource.kind == SourceKind.caldav,
            CalendarSource.write_plan.is_(True) | CalendarSource.id.in_(written),
        )
        .order_by(CalendarSource.id)
    ).all()
    return [plan for row in rows if (plan := push.prepare(session, row, now)) is not None]
