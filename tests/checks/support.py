"""Building apps and checks through the API, and running the check runner on the test clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.checks.models import Check, CheckResult, Incident
from devday.checks.runner import CheckRunner
from devday.clock import MockClock
from devday.netguard import ALLOW_ALL
from devday.wiring import writer_sessions


def make_runner(engine: Engine, clock: MockClock, name: str = "w1", **options: Any) -> CheckRunner:
    options.setdefault("outbound", ALLOW_ALL)
    return CheckRunner(writer_sessions(engine, clock), clock, name, **options)


def next_run_at(engine: Engine, check_id: int) -> datetime:
    with Session(engine) as session:
        return session.get_one(Check, check_id).next_run_at


def run_next(engine: Engine, clock: MockClock, runner: CheckRunner, check_id: int) -> bool:
    """Moves the clock to the check's next slot and runs one round."""
    clock.set(next_run_at(engine, check_id))
    return runner.run_once()


def results(engine: Engine, check_id: int) -> list[CheckResult]:
    with Session(engine) as session:
        query = select(CheckResult).where(CheckResult.check_id == check_id)
        return list(session.scalars(query.order_by(CheckResult.started_at, CheckResult.id)))


def incidents(engine: Engine, check_id: int) -> list[Incident]:
    with Session(engine) as session:
        query = select(Incident).where(Incident.check_id == check_id).order_by(Incident.id)
        return list(session.scalars(query))


def check_row(engine: Engine, check_id: int) -> Check:
    with Session(engine) as session:
        return session.get_one(Check, check_id)
