"""The forge's scheduled work: polling each connection, and telling the forge a task is done.

``forge.poll`` is one job per connection and slot; it queues the connection's next poll
(``poll_minutes`` later, or after a rate limit's reset). A sweep, queued when a worker starts
and every hour after, queues a poll for every connection that has none pending.
``forge.finish`` closes an issue or comments on it after its task was finished; a failure is
kept as the connection's last error and tried again later (30 s, 2 min, 10 min, 1 h, 6 h),
a rate limit after its reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from devday.forge import client, service, sync
from devday.forge.client import Answer, Listing, Remote
from devday.forge.models import ForgeConnection, ForgeIssue, OnFinish
from devday.jobs import service as jobs_service
from devday.jobs.models import JobStatus, ScheduledJob
from devday.netguard import OutboundPolicy

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

SWEEP = "forge.sweep"
SWEEP_EVERY = timedelta(hours=1)
FINISH_RETRIES = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
COMMENT = "Finished in devday."


class Poll:
    """Syncs one connection (a failure is kept on the connection; the next poll is the retry)
    and queues the next poll. A sync already running (its "sync now"), or a rate limit that
    still lasts, makes this one a no-op."""

    def __init__(self, outbound: OutboundPolicy) -> None:
        self.outbound = outbound

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> Remote | None:
        row = session.get(ForgeConnection, job.payload.get("connection_id"))
        if row is None:
            return None
        service.schedule_poll(session, row, now + timedelta(minutes=row.poll_minutes), now)
        return sync.claim(session, row.id, now)

    def exchange(self, prepared: Remote, sessions: sessionmaker[Session]) -> Listing:
        return client.list_issues(prepared, self.outbound)

    def record(
        self, session: Session, job: ScheduledJob, prepared: Remote, outcome: Listing, now: datetime
    ) -> None:
        sync.record(session, prepared, outcome, now)


@dataclass(frozen=True)
class Finishing:
    remote: Remote
    issue_id: int
    number: int
    action: OnFinish
    attempt: int


class Finish:
    """Closes the issue of a finished task, or comments on it."""

    def __init__(self, outbound: OutboundPolicy) -> None:
        self.outbound = outbound

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> Finishing | None:
        issue = session.get(ForgeIssue, job.payload.get("issue_id"))
        if issue is None:
            return None
        action = OnFinish(job.payload.get("action", OnFinish.nothing))
        if action == OnFinish.nothing or (action == OnFinish.close and issue.state == "closed"):
            return None
        row = session.get_one(ForgeConnection, issue.connection_id)
        return Finishing(
            remote=service.remote_of(row),
            issue_id=issue.id,
            number=issue.number,
            action=action,
            attempt=int(job.payload.get("attempt", 1)),
        )

    def exchange(self, prepared: Finishing, sessions: sessionmaker[Session]) -> Answer:
        if prepared.action == OnFinish.close:
            return client.close_issue(prepared.remote, prepared.number, self.outbound)
        return client.comment_on_issue(prepared.remote, prepared.number, COMMENT, self.outbound)

    def record(
        self,
        session: Session,
        job: ScheduledJob,
        prepared: Finishing,
        outcome: Answer,
        now: datetime,
    ) -> None:
        issue = session.get(ForgeIssue, prepared.issue_id)
        row = session.get(ForgeConnection, prepared.remote.connection_id)
        if issue is None or row is None:
            return
        if outcome.error is None:
            if prepared.action == OnFinish.close:
                issue.state = "closed"
            return
        verb = "closing" if prepared.action == OnFinish.close else "commenting on"
        row.last_error = f"{verb} issue #{prepared.number}: {outcome.error}"
        if prepared.attempt > len(FINISH_RETRIES):
            row.last_error += "; gave up"
            return
        due = outcome.retry_at(now) or now + FINISH_RETRIES[prepared.attempt - 1]
        row.last_error += f"; tried again at {due:%Y-%m-%d %H:%M} UTC"
        service.schedule_finish(session, issue, prepared.action, due, now, prepared.attempt + 1)


def sweep(session: Session, job: ScheduledJob, now: datetime) -> None:
    pending = {
        job.payload.get("connection_id")
        for job in session.scalars(
            select(ScheduledJob).where(
                ScheduledJob.kind == service.POLL,
                ScheduledJob.status.in_((JobStatus.pending, JobStatus.running)),
            )
        )
    }
    for row in session.scalars(select(ForgeConnection)):
        if row.id not in pending:
            service.schedule_poll(session, row, now, now)
    schedule_sweep(session, now + SWEEP_EVERY)


def schedule_sweep(session: Session, now: datetime) -> None:
    slot = now.replace(minute=0, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=SWEEP, due_at=slot, now=now)


def register(registry: JobRegistry) -> None:
    registry.register_network(service.POLL, Poll(registry.outbound))
    registry.register_network(service.FINISH, Finish(registry.outbound))
    registry.register(SWEEP, sweep)
    registry.on_start(schedule_sweep)
