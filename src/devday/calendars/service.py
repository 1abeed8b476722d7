"""The plan feed: a secret address per user that serves their plan as iCalendar (RFC 5545).

What the feed holds: the work blocks of every day plan built from two weeks ago on, each task's
deadline (as a moment marked free, so that it does not block the calendar), and the daily
meeting of each of the user's teams as one recurring event in the team's time zone. Calendar
apps poll the address; it needs no sign-in, so the secret in it is the only key, stored here as
a SHA-256 digest. Rotating it makes a new secret and ends the old address.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.calendars.models import PlanFeed
from devday.meeting import agenda
from devday.planning.models import DayPlan, PlanBlock
from devday.planning.problem import routine_of
from devday.planning.routine import WEEKDAYS
from devday.project.models import Project
from devday.task.models import Status, Task
from devday.team.models import Team, TeamMember

#: How far back the feed reaches: calendars keep what was planned, not only what is to come.
DAYS_BACK = 14
#: How long the team meeting is in the feed when the routine has no block at the meeting time.
MEETING_MINUTES = 30
#: How often calendar apps are asked to fetch the feed again.
REFRESH = timedelta(minutes=15)
OPEN = (Status.todo, Status.doing)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PRODID = "-//devday//plan feed//EN"


def _digest(secret: str) -> str:
    return hashlib.sha256(b"plan-feed:" + secret.encode()).hexdigest()


def feed_of(*, session: Session, user: User) -> PlanFeed | None:
    return session.get(PlanFeed, user.id)


def rotate(*, session: Session, user: User, now: datetime) -> str:
    """Turns the feed on with a new secret (ending any earlier address) and returns the secret."""
    secret = secrets.token_urlsafe(32)
    row = session.get(PlanFeed, user.id)
    if row is None:
        row = PlanFeed(user_id=user.id)
        session.add(row)
    row.token_hash = _digest(secret)
    row.created_at = now
    session.flush()
    return secret


def turn_off(*, session: Session, user: User) -> None:
    row = session.get(PlanFeed, user.id)
    if row is not None:
        session.delete(row)
        session.flush()


def owner_of(*, session: Session, secret: str) -> User | None:
    """The user whose feed this secret opens, or None (a wrong, old or malformed secret)."""
    if not 20 <= len(secret) <= 100:
        return None
    user_id = session.scalar(select(PlanFeed.user_id).where(PlanFeed.token_hash == _digest(secret)))
    return session.get(User, user_id) if user_id is not None else None


def base_url(public_url: str, request_base: str) -> str:
    """Where calendar apps reach this server: ``DEVDAY_PUBLIC_URL``, else the address the
    request came to."""
    return public_url or request_base


def address(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/calendar/{secret}.ics"


@dataclass(frozen=True)
class _Meeting:
    team: Team
    starts: time
    minutes: int


def plan_calendar(*, session: Session, user: User, now: datetime, base_url: str) -> bytes:
    """The user's plan as an iCalendar document."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"devday: {user.name}")
    calendar.add("x-wr-timezone", user.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    base = base_url.rstrip("/")
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    for event in _blocks(session, user, today - timedelta(days=DAYS_BACK), now, base):
        calendar.add_component(event)
    for event in _deadlines(session, user, now, base):
        calendar.add_component(event)
    for meeting in _meetings(session, user):
        calendar.add_component(_meeting_event(meeting, today - timedelta(days=DAYS_BACK), now))
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()
    return body


def _event(uid: str, summary: str, start: datetime, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@devday")
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", start)
    return event


def _describe(task: Task, project: str | None, base: str) -> tuple[str, str]:
    url = f"{base}/tasks/{task.id}"
    lines = [f"Project: {project}"] if project else []
    lines.append(url)
    return "\n".join(lines), url


def _blocks(session: Session, user: User, since: date, now: datetime, base: str) -> list[Event]:
    rows = session.execute(
        select(PlanBlock, Task, Project.name)
        .join(DayPlan, DayPlan.id == PlanBlock.plan_id)
        .join(Task, Task.id == PlanBlock.task_id)
        .outerjoin(Project, Project.id == Task.project_id)
        .where(DayPlan.user_id == user.id, DayPlan.plan_date >= since)
        .order_by(PlanBlock.start_at, PlanBlock.id)
    ).all()
    events = []
    for block, task, project in rows:
        event = _event(f"plan-block-{block.id}", task.title, block.start_at, now)
        event.add("dtend", block.end_at)
        description, url = _describe(task, project, base)
        event.add("description", description)
        event.add("url", url)
        event.add("categories", [task.kind.value])
        event.add("transp", "OPAQUE")
        if block.done:
            event.add("status", "CONFIRMED")
        events.append(event)
    return events


def _deadlines(session: Session, user: User, now: datetime, base: str) -> list[Event]:
    rows = session.execute(
        select(Task, Project.name)
        .outerjoin(Project, Project.id == Task.project_id)
        .where(
            Task.assignee_id == user.id,
            Task.status.in_(OPEN),
            Task.deadline_at.is_not(None),
        )
        .order_by(Task.deadline_at, Task.id)
    ).all()
    events = []
    for task, project in rows:
        assert task.deadline_at is not None
        event = _event(f"deadline-{task.id}", f"Due: {task.title}", task.deadline_at, now)
        event.add("dtend", task.deadline_at)
        description, url = _describe(task, project, base)
        event.add("description", description)
        event.add("url", url)
        # A deadline is a moment, not busy time: calendars show it without blocking the slot.
        event.add("transp", "TRANSPARENT")
        events.append(event)
    return events


def _meetings(session: Session, user: User) -> list[_Meeting]:
    routine, _ = routine_of(session=session, user=user)
    teams = session.scalars(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user.id)
        .order_by(Team.id)
    ).all()
    meetings = []
    for team in teams:
        starts = agenda.meeting_time(team)
        meetings.append(_Meeting(team, starts, _routine_minutes(routine, starts)))
    return meetings


def _routine_minutes(routine: dict[str, object], starts: time) -> int:
    """The length of the user's routine block that begins at the meeting time, if there is one."""
    blocks = routine.get("blocks")
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("start") == starts.strftime("%H:%M"):
            start_h, start_m = (int(x) for x in str(block["start"]).split(":"))
            end_h, end_m = (int(x) for x in str(block["end"]).split(":"))
            minutes = (end_h * 60 + end_m) - (start_h * 60 + start_m)
            if minutes > 0:
                return minutes
    return MEETING_MINUTES


def _meeting_event(meeting: _Meeting, since: date, now: datetime) -> Event:
    team = meeting.team
    days = {WEEKDAYS.index(day) for day in team.meeting_weekdays}
    first = since
    while first.weekday() not in days:
        first += timedelta(days=1)
    start = datetime.combine(first, meeting.starts, tzinfo=ZoneInfo(team.timezone))
    event = _event(f"team-{team.id}-meeting", f"{team.name}: team meeting", start, now)
    event.add("dtend", start + timedelta(minutes=meeting.minutes))
    event.add("rrule", vRecur(freq="WEEKLY", byday=[WEEKDAY_CODES[d] for d in sorted(days)]))
    event.add("transp", "OPAQUE")
    return event
