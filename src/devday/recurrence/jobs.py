"""The sweep that makes each series' instance on its day, whether or not anyone is online.

Queued when a worker starts and every quarter of an hour after (one slot per quarter, so any
number of workers queue the same one). Each series is made in a savepoint of its own: one whose
template no longer fits (its project gone from its owner's reach) is logged and left for the
next sweep, and does not hold back the others.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.orm import Session

from devday.errors import DomainError
from devday.jobs import service as jobs_service
from devday.jobs.models import ScheduledJob
from devday.recurrence import service

if TYPE_CHECKING:  # only a type: devday.wiring passes the registry to register()
    from devday.jobs.registry import JobRegistry

SWEEP = "recurrence.sweep"
SWEEP_EVERY = timedelta(minutes=15)
log = logging.getLogger(__name__)


def sweep(session: Session, job: ScheduledJob, now: datetime) -> None:
    """Makes the instance of every series whose day has come and that has none open."""
    make_due(session, now)
    schedule_sweep(session, now + SWEEP_EVERY)


def make_due(session: Session, now: datetime) -> int:
    """One pass over the due series; returns how many instances it made."""
    made = 0
    for series_id in service.due_series(session=session, now=now):
        try:
            with session.begin_nested():
                if service.advance(session=session, series_id=series_id, now=now) is not None:
                    made += 1
        except (DomainError, ValidationError) as exc:
            log.warning("series %s: no instance made: %s", series_id, exc)
    return made


def schedule_sweep(session: Session, now: datetime) -> None:
    slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=SWEEP, due_at=slot, now=now)


def register(registry: JobRegistry) -> None:
    registry.register(SWEEP, sweep)
    registry.on_start(schedule_sweep)
