"""The inbox's scheduled work: snoozed requests waking up, and polling teams' IMAP mailboxes.

``inbox.wake`` is queued for each snooze instant and wakes every item due by then.
``inbox.poll`` is one job per team and slot, which queues the team's next poll; a sweep,
queued when a worker starts and every hour after, queues a poll for every team that polls and
has none pending. Scheduling is idempotent, so any number of workers may do it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.inbox import mail, service, setup
from devday.inbox.models import TeamInbox
from devday.jobs import service as jobs_service
from devday.jobs.models import JobStatus, ScheduledJob

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

POLL = "inbox.poll"
SWEEP = "inbox.sweep"
SWEEP_EVERY = timedelta(hours=1)


def wake(session: Session, job: ScheduledJob, now: datetime) -> None:
    service.wake_due(session=session, now=now)


def poll(session: Session, job: ScheduledJob, now: datetime) -> None:
    """Polls one team's mailbox (a failure is kept on the setup, not retried here: the next
    poll is the retry) and queues the next poll."""
    if job.team_id is None:
        return
    config = session.get(TeamInbox, job.team_id)
    if config is None or not config.imap_enabled:
        return
    mail.poll(session, config, now)
    schedule_poll(session, config, now + timedelta(minutes=config.poll_minutes), now)


def schedule_poll(session: Session, config: TeamInbox, due_at: datetime, now: datetime) -> None:
    # Whole minutes, so that two workers queueing "the next poll" pick the same slot.
    slot = due_at.replace(second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=POLL, due_at=slot, now=now, team_id=config.team_id)


def sweep(session: Session, job: ScheduledJob, now: datetime) -> None:
    pending = set(
        session.scalars(
            select(ScheduledJob.team_id).where(
                ScheduledJob.kind == POLL,
                ScheduledJob.status.in_((JobStatus.pending, JobStatus.running)),
            )
        )
    )
    for config in setup.polled_teams(session=session):
        if config.team_id not in pending:
            schedule_poll(session, config, now, now)
    schedule_sweep(session, now + SWEEP_EVERY)


def schedule_sweep(session: Session, now: datetime) -> None:
    slot = now.replace(minute=0, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=SWEEP, due_at=slot, now=now)


def register(registry: JobRegistry) -> None:
    registry.register(service.WAKE, wake)
    registry.register(POLL, poll)
    registry.register(SWEEP, sweep)
    registry.on_start(schedule_sweep)
