"""The day's rituals as scheduled jobs, in each user's timezone on their working days.

- the morning plan (the routine's planning time, 10:00 by default): closes a previous day the
  user forgot to wrap up (pending work rolls forward and the report goes out), then builds
  today's plan;
- the wrap-up reminder (17:00) and the reflection prompt (21:00): a message to the user's own
  channels.
A sweep, queued when a worker starts and every hour after, makes sure every user has the next
occurrence of each ritual queued; each handler queues its own next occurrence too. Scheduling
is idempotent (one row per slot), so any number of workers may do it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.day import rituals, service, wrapup
from devday.day.calendar_days import local_today
from devday.jobs import service as jobs_service
from devday.jobs.models import JobStatus, ScheduledJob
from devday.notify import service as notify_service
from devday.planning import service as planning_service

if TYPE_CHECKING:  # only a type: devday.wiring passes the registry to register()
    from devday.jobs.registry import JobRegistry

Handler = Callable[[Session, ScheduledJob, datetime], None]
SWEEP = "day.sweep"
SWEEP_EVERY = timedelta(hours=1)


def schedule_next(session: Session, user: User, kind: str, now: datetime) -> None:
    routine, _ = planning_service.get_routine(session=session, user=user)
    when = rituals.next_occurrence(kind, routine, user.timezone, now)
    jobs_service.schedule(session=session, kind=kind, due_at=when, now=now, user_id=user.id)


def _user(session: Session, job: ScheduledJob) -> User | None:
    return session.get(User, job.user_id) if job.user_id is not None else None


def morning_plan(session: Session, job: ScheduledJob, now: datetime) -> None:
    user = _user(session, job)
    if user is None:
        return
    today = local_today(user, now)
    forgotten = service.unclosed_day(session=session, user=user, today=today)
    if forgotten is not None:
        wrapup.close(
            session=session,
            user=user,
            day=forgotten,
            decisions=[],
            blockers="",
            now=now,
        )
    planning_service.build_plan(session=session, user=user, plan_date=today, now=now)
    schedule_next(session, user, rituals.MORNING_PLAN, now)


def _prompt(kind: str, subject: str, text: str, link: str) -> Handler:
    def handler(session: Session, job: ScheduledJob, now: datetime) -> None:
        user = _user(session, job)
        if user is None:
            return
        day = local_today(user, now).isoformat()
        own = [
            c
            for c in notify_service.channels_for_user(session=session, user_id=user.id)
            if c.user_id == user.id
        ]
        notify_service.enqueue(
            session=session,
            channels=own,
            subject=subject,
            text=text.format(day=day),
            html=None,
            payload={"type": kind, "user_id": user.id, "date": day, "link": link},
            now=now,
            dedupe_key=f"{kind}:{user.id}:{day}",
        )
        schedule_next(session, user, kind, now)

    return handler


wrapup_reminder = _prompt(
    rituals.WRAPUP_REMINDER,
    "Time to wrap up",
    "Time to wrap up {day}: review what is pending and send your report "
    "(`devday wrapup --close`, or the wrap-up page).",
    "/wrapup",
)
reflection_prompt = _prompt(
    rituals.REFLECTION_PROMPT,
    "Evening reflection",
    "How did {day} go? Note what went well, what to improve, and set tomorrow's goals "
    "(`devday reflect`).",
    "/reflect",
)


def sweep(session: Session, job: ScheduledJob, now: datetime) -> None:
    """Queues the next occurrence of every ritual for users who have none pending."""
    rows = session.execute(
        select(ScheduledJob.user_id, ScheduledJob.kind).where(
            ScheduledJob.kind.in_(rituals.RITUALS),
            ScheduledJob.status.in_((JobStatus.pending, JobStatus.running)),
        )
    )
    pending = {(user_id, kind) for user_id, kind in rows}
    for user in session.scalars(select(User)):
        for kind in rituals.RITUALS:
            if (user.id, kind) not in pending:
                schedule_next(session, user, kind, now)
    schedule_sweep(session, now + SWEEP_EVERY)


def schedule_sweep(session: Session, now: datetime) -> None:
    # One slot per hour, so every worker starting within the hour queues the same sweep.
    slot = now.replace(minute=0, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=SWEEP, due_at=slot, now=now)


def register(registry: JobRegistry) -> None:
    registry.register(rituals.MORNING_PLAN, morning_plan)
    registry.register(rituals.WRAPUP_REMINDER, wrapup_reminder)
    registry.register(rituals.REFLECTION_PROMPT, reflection_prompt)
    registry.register(SWEEP, sweep)
    registry.on_start(schedule_sweep)
