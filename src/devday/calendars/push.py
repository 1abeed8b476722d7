"""The plan written into a CalDAV calendar, kept in step, touching only what devday wrote.

For a subscription with ``write_plan`` on, every block of the user's plans from yesterday on is
an event in that calendar, with the UID ``devday-plan-<block id>`` (which the busy-time reading
skips, so that the plan never blocks itself). ``plan_export`` rows record what was written
where and its digest: a push PUTs the blocks that are new or changed, and DELETEs the events of
blocks that are gone, only at the addresses in ``plan_export``. Turning ``write_plan`` off (or
unsubscribing) removes them all. Like a refresh, it runs in three steps so that no transaction
is open while the CalDAV server answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import netguard
from devday.account.models import User
from devday.calendars.fetch import TIMEOUT, USER_AGENT, Source, http_url
from devday.calendars.ics import OWN_UID_PREFIX
from devday.calendars.models import CalendarSource, PlanExport, SourceKind
from devday.netguard import OutboundPolicy
from devday.planning.models import DayPlan, PlanBlock
from devday.task.models import Task

UID_PREFIX = OWN_UID_PREFIX
ERROR_MAX = 500


@dataclass(frozen=True)
class Put:
    uid: str
    href: str
    body: bytes
    digest: str


@dataclass(frozen=True)
class Push:
    """What one push writes and removes, decided in a transaction, done outside one."""

    source: Source
    puts: tuple[Put, ...]
    deletes: tuple[tuple[str, str], ...]  # (uid, href)


@dataclass(frozen=True)
class Pushed:
    written: tuple[Put, ...] = ()
    removed: tuple[str, ...] = ()  # uids
    error: str = ""


def _event_body(block: PlanBlock, task: Task, uid: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//devday//plan//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.replace(microsecond=0))
    event.add("summary", task.title)
    event.add("dtstart", block.start_at)
    event.add("dtend", block.end_at)
    event.add("categories", ["devday", task.kind.value])
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def _digest(block: PlanBlock, task: Task) -> str:
    start, end = block.start_at.isoformat(), block.end_at.isoformat()
    text = f"{task.title}\n{task.kind.value}\n{start}\n{end}"
    return hashlib.sha256(text.encode()).hexdigest()


def prepare(session: Session, source: CalendarSource, now: datetime) -> Push | None:
    """What to write and remove now, or None when the calendar is in step."""
    if source.kind != SourceKind.caldav:
        return None
    written = {
        row.uid: row
        for row in session.scalars(select(PlanExport).where(PlanExport.source_id == source.id))
    }
    wanted: dict[str, tuple[PlanBlock, Task]] = {}
    if source.write_plan:
        user = session.get(User, source.user_id)
        assert user is not None
        since = now.astimezone(ZoneInfo(user.timezone)).date() - timedelta(days=1)
        rows = session.execute(
            select(PlanBlock, Task)
            .join(DayPlan, DayPlan.id == PlanBlock.plan_id)
            .join(Task, Task.id == PlanBlock.task_id)
            .where(DayPlan.user_id == source.user_id, DayPlan.plan_date >= since)
        ).all()
        wanted = {f"{UID_PREFIX}{block.id}": (block, task) for block, task in rows}
    base = http_url(source.url).rstrip("/") + "/"
    puts = tuple(
        Put(uid, urljoin(base, f"{uid}.ics"), _event_body(block, task, uid, now), digest)
        for uid, (block, task) in sorted(wanted.items())
        if (digest := _digest(block, task)) != getattr(written.get(uid), "digest", None)
    )
    deletes = tuple((uid, row.href) for uid, row in sorted(written.items()) if uid not in wanted)
    if not puts and not deletes:
        return None
    spec = Source(
        source_id=source.id,
        kind=source.kind.value,
        url=source.url,
        username=source.username,
        password=source.password,
    )
    return Push(spec, puts, deletes)


def push(plan: Push, policy: OutboundPolicy) -> Pushed:
    """Writes and removes as ``plan`` says; never raises for a failure of the far end."""
    auth = (plan.source.username, plan.source.password) if plan.source.username else None
    written: list[Put] = []
    removed: list[str] = []
    try:
        with httpx.Client(
            transport=netguard.GuardedTransport(policy),
            timeout=TIMEOUT,
            auth=auth,
            headers={"User-Agent": USER_AGENT},
        ) as client:
            for uid, href in plan.deletes:
                answer = client.delete(href)
                if answer.status_code not in (200, 204, 404, 410):
                    return Pushed(tuple(written), tuple(removed), _refused(answer, "remove"))
                removed.append(uid)
            for put in plan.puts:
                answer = client.put(
                    put.href,
                    content=put.body,
                    headers={"Content-Type": "text/calendar; charset=utf-8"},
                )
                if answer.status_code not in (200, 201, 204):
                    return Pushed(tuple(written), tuple(removed), _refused(answer, "write"))
                written.append(put)
    except netguard.Refused as exc:
        return Pushed(tuple(written), tuple(removed), f"refused: {exc}")
    except (netguard.Unresolvable, httpx.HTTPError) as exc:
        message = netguard.explain(exc.__cause__ or exc, "the CalDAV server", TIMEOUT)
        return Pushed(tuple(written), tuple(removed), message)
    return Pushed(tuple(written), tuple(removed))


def _refused(answer: httpx.Response, what: str) -> str:
    status = answer.status_code
    if status in (401, 403):
        return f"HTTP {status} from {answer.url.host}: not allowed to {what} events there"
    return f"HTTP {status} from {answer.url.host} when asked to {what} an event"


def record(session: Session, plan: Push, pushed: Pushed, now: datetime) -> None:
    """Notes what was written and removed (a partial push keeps what it did)."""
    source = session.get(CalendarSource, plan.source.source_id)
    if source is None:
        return
    rows = {
        row.uid: row
        for row in session.scalars(select(PlanExport).where(PlanExport.source_id == source.id))
    }
    for uid in pushed.removed:
        if uid in rows:
            session.delete(rows.pop(uid))
    for put in pushed.written:
        row = rows.get(put.uid)
        if row is None:
            row = PlanExport(source_id=source.id, uid=put.uid)
            session.add(row)
            rows[put.uid] = row
        row.href, row.digest, row.written_at = put.href, put.digest, now
    source.push_error = pushed.error[:ERROR_MAX]
    if not pushed.error:
        source.pushed_at = now
    session.flush()
