"""Standup reminders and blocker flags as scheduled jobs.

- the reminder: one job per member of each team, due the team's reminder time (30 minutes by
  default) before its daily meeting (15:00 in the team's timezone by default) on the team's
  meeting days (Monday to Friday unless it set others). It tells the member, in their own
  timezone, when the meeting starts and that their draft waits.
  Members on leave that day, and members who already submitted, get nothing.
- the sweep, queued when a worker starts and every hour after: queues the next reminder of each
  member who has none pending, and flags blockers open for more than two days to the team's
  managers. Scheduling is idempotent (one row per slot), so any number of workers may do it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.jobs import service as jobs_service
from devday.jobs.models import JobStatus, ScheduledJob
from devday.notify import service as notify_service
from devday.standup import service
from devday.standup.models import Standup, StandupStatus
from devday.team.models import Team, TeamMember

if TYPE_CHECKING:  # only a type: devday.wiring passes the registry to register()
    from devday.jobs.registry import JobRegistry

REMINDER = "standup.reminder"
SWEEP = "standup.sweep"
SWEEP_EVERY = timedelta(hours=1)


def reminder_at(team: Team, day: date) -> datetime:
    return service.meeting_at(team, day) - timedelta(minutes=team.standup_reminder_minutes)


def next_reminder(team: Team, after: datetime) -> tuple[datetime, date]:
    """The first reminder instant strictly after ``after`` and the meeting day it is for."""
    start = after.astimezone(ZoneInfo(team.timezone)).date()
    for offset in range(0, 9):
        day = start + timedelta(days=offset)
        if not team.meets_on(day):
            continue
        when = reminder_at(team, day)
        if when > after:
            return when, day
    raise ValueError("no meeting day in the next week")  # pragma: no cover - a team has one


def schedule_next(
    session: Session, team: Team, user_id: int, after: datetime, now: datetime
) -> None:
    when, day = next_reminder(team, after)
    jobs_service.schedule(
        session=session,
        kind=REMINDER,
        due_at=when,
        now=now,
        user_id=user_id,
        team_id=team.id,
        payload={"day": day.isoformat()},
    )


def remind(session: Session, job: ScheduledJob, now: datetime) -> None:
    if job.user_id is None or job.team_id is None:
        return
    team = session.get(Team, job.team_id)
    user = session.get(User, job.user_id)
    if team is None or user is None or session.get(TeamMember, (team.id, user.id)) is None:
        return  # the team or the membership is gone: no more reminders
    after = max(now, job.due_at)
    raw = job.payload.get("day")
    day = (
        date.fromisoformat(raw)
        if isinstance(raw, str)
        else (job.due_at + timedelta(minutes=team.standup_reminder_minutes))
        .astimezone(ZoneInfo(team.timezone))
        .date()
    )
    if team.meets_on(day) and reminder_at(team, day) == job.due_at:
        send_reminder(session, team, user, day, now)
    # A reminder left from old meeting settings (time or days) sends nothing; the next one
    # follows the new.
    schedule_next(session, team, user.id, after, now)


def send_reminder(session: Session, team: Team, user: User, day: date, now: datetime) -> bool:
    """Reminds ``user`` of ``team``'s meeting on ``day``; False when they are on leave or have
    submitted already (then nothing is sent)."""
    if service.on_leave(session=session, user_id=user.id, day=day):
        return False
    submitted = session.scalar(
        select(Standup.id).where(
            Standup.team_id == team.id,
            Standup.user_id == user.id,
            Standup.day == day,
            Standup.status == StandupStatus.submitted,
        )
    )
    if submitted is not None:
        return False
    meeting = service.meeting_at(team, day).astimezone(ZoneInfo(user.timezone))
    own = [
        c
        for c in notify_service.channels_for_user(session=session, user_id=user.id)
        if c.user_id == user.id
    ]
    text = (
        f"The {team.name} meeting starts at {meeting:%H:%M} your time ({meeting:%a %d %b}, "
        f"{user.timezone}). Your standup is drafted from your work log and plan: review it and "
        f"submit it on the team page (/team/{team.id}) or with "
        f"`devday standup --team {team.id} --submit`."
    )
    notify_service.enqueue(
        session=session,
        channels=own,
        subject=f"Standup for {team.name} at {meeting:%H:%M}",
        text=text,
        html=None,
        payload={
            "type": REMINDER,
            "team_id": team.id,
            "user_id": user.id,
            "date": day.isoformat(),
            "meeting_at": meeting.isoformat(),
            "link": f"/team/{team.id}",
        },
        now=now,
        dedupe_key=f"{REMINDER}:{team.id}:{user.id}:{day.isoformat()}",
    )
    return True


def sweep(session: Session, job: ScheduledJob, now: datetime) -> None:
    """Queues the next reminder for members with none pending; flags stale blockers."""
    rows = session.execute(
        select(ScheduledJob.user_id, ScheduledJob.team_id).where(
            ScheduledJob.kind == REMINDER,
            ScheduledJob.status.in_((JobStatus.pending, JobStatus.running)),
        )
    )
    pending = {(user_id, team_id) for user_id, team_id in rows}
    members = session.execute(
        select(TeamMember.user_id, Team).join(Team, Team.id == TeamMember.team_id)
    ).all()
    for user_id, team in members:
        if (user_id, team.id) not in pending:
            schedule_next(session, team, user_id, now, now)
    service.flag_stale_blockers(session=session, now=now)
    schedule_sweep(session, now + SWEEP_EVERY)


def schedule_sweep(session: Session, now: datetime) -> None:
    # One slot per hour, so every worker starting within the hour queues the same sweep.
    slot = now.replace(minute=0, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=SWEEP, due_at=slot, now=now)


def register(registry: JobRegistry) -> None:
    registry.register(REMINDER, remind)
    registry.register(SWEEP, sweep)
    registry.on_start(schedule_sweep)
