"""The worker's part: every few minutes, fetch the subscribed calendars that are due.

``calendars.refresh`` is one job per five-minute slot; it claims the calendars due (each moves
its next refresh 15 minutes on), fetches them with no transaction open, stores what came back,
and queues the next slot. Scheduling is idempotent, so any number of workers may run it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from devday.calendars import fetch, sources
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


class Refresh:
    def __init__(self, outbound: OutboundPolicy) -> None:
        self.outbound = outbound

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> list[sources.Due]:
        schedule(session, now + EVERY)
        return sources.due_sources(session, now, BATCH)

    def exchange(
        self, prepared: list[sources.Due], sessions: sessionmaker[Session]
    ) -> list[fetch.Fetched]:
        return [fetch.fetch(due.source, self.outbound, due.start, due.end) for due in prepared]

    def record(
        self,
        session: Session,
        job: ScheduledJob,
        prepared: list[sources.Due],
        outcome: list[fetch.Fetched],
        now: datetime,
    ) -> None:
        for due, fetched in zip(prepared, outcome, strict=True):
            sources.record(session, due, fetched, now)


def register(registry: JobRegistry) -> None:
    registry.register_network(REFRESH, Refresh(registry.outbound))
    registry.on_start(schedule)
