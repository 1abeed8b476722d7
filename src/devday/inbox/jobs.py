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
from sqlalchemy.orm import Session, sessionmaker

from devday.inbox import imap, service, setup
from devday.inbox.models import TeamInbox
from devday.jobs import service as jobs_service
from devday.jobs.models import JobStatus, ScheduledJob
from devday.netguard import OutboundPolicy

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

POLL = "inbox.poll"
SWEEP = "inbox.sweep"
SWEEP_EVERY = timedelta(hours=1)


def wake(session: Session, job: ScheduledJob, now: datetime) -> None:
    service.wake_due(session=session, now=now)


class Poll:
    """Polls one team's mailbox (a failure is kept on the setup, not retried here: the next
    poll is the retry) and queues the next poll. No transaction is open while the mail server
    is spoken to (see ``devday.inbox.imap``); a poll already running for the team (its "poll
    now") makes this one a no-op."""

    def __init__(self, outbound: OutboundPolicy) -> None:
        self.outbound = outbound

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> imap.Mailbox | None:
        if job.team_id is None:
            return None
        config = session.get(TeamInbox, job.team_id)
        if config is None or not config.imap_enabled:
            return None
        schedule_poll(session, config, now + timedelta(minutes=config.poll_minutes), now)
        return imap.claim(session, job.team_id, now)

    def exchange(self, prepared: imap.Mailbox, sessions: sessionmaker[Session]) -> imap.Fetched:
        return imap.exchange(prepared, self.outbound, imap.known_in(sessions, prepared.team_id))

    def record(
        self,
        session: Session,
        job: ScheduledJob,
        prepared: imap.Mailbox,
        outcome: imap.Fetched,
        now: datetime,
    ) -> None:
        imap.record(session, prepared, outcome, now)


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
    registry.register_network(POLL, Poll(registry.outbound))
    registry.register(SWEEP, sweep)
    registry.on_start(schedule_sweep)
