"""The worker's part: every few minutes, read the subscribed calendars that are due, and keep
the plan written into the CalDAV calendars that receive it.

``calendars.refresh`` is one job per five-minute slot; it claims the calendars due (each moves
its next refresh 15 minutes on), fetches them with no transaction open, stores what came back,
and queues the next slot. Scheduling is idempotent, so any number of workers may run it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from devday.calendars import fetch, push, sources
from devday.jobs import service as jobs_service
from devday.jobs.models import ScheduledJob
from devday.netguard import OutboundPolicy

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

REFRESH = "calendars.refresh"
EVERY = timedelta(minutes=5)
#: Calendars fetched in one run at the most; the rest are due at the next slot.
BATCH = 50


def schedule(session: Session, now: datetime) -> None:
    minute = now.minute - now.minute % 5
    slot = now.replace(minute=minute, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=REFRESH, due_at=slot, now=now)


@dataclass(frozen=True)
class Work:
    reads: list[sources.Due]
    writes: list[push.Push]


@dataclass(frozen=True)
class Outcome:
    read: list[fetch.Fetched]
    written: list[push.Pushed]


class Refresh:
    """Reads the calendars that are due, and writes the plan into the CalDAV calendars that
    receive it wherever their copy is out of step."""

    def __init__(self, outbound: OutboundPolicy) -> None:
        self.outbound = outbound

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> Work:
        schedule(session, now + EVERY)
        return Work(sources.due_sources(session, now, BATCH), sources.pushes_due(session, now))

    def exchange(self, prepared: Work, sessions: sessionmaker[Session]) -> Outcome:
        with fetch.client(self.outbound) as using:
            read = [
                fetch.fetch(due.source, self.outbound, due.start, due.end, using=using)
                for due in prepared.reads
            ]
        return Outcome(read, [push.push(plan, self.outbound) for plan in prepared.writes])

    def record(
        self, session: Session, job: ScheduledJob, prepared: Work, outcome: Outcome, now: datetime
    ) -> None:
        for due, fetched in zip(prepared.reads, outcome.read, strict=True):
            sources.record(session, due, fetched, now)
        for plan, pushed in zip(prepared.writes, outcome.written, strict=True):
            push.record(session, plan, pushed, now)


def register(registry: JobRegistry) -> None:
    registry.register_network(REFRESH, Refresh(registry.outbound))
    registry.on_start(schedule)
