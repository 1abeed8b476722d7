"""Rollups into minute, hour and day aggregates, pruning, history at any range, regressions."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from devday.checks import jobs as checks_jobs
from devday.checks import rollup
from devday.checks.models import CheckResult, CheckRollup
from devday.checks.schemas import HistoryRead
from devday.clock import MockClock
from devday.db import make_session_factory, transaction
from devday.wiring import writer_sessions
from tests.checks.servers import TestServer
from tests.checks.support import incidents
from tests.conftest import START
from tests.factories import Account, api_app, api_check, api_team


def add_results(
    engine: Engine, check_id: int, start: datetime, end: datetime, every: timedelta, latency: float
) -> int:
    rows = []
    at, n = start, 0
    while at < end:
        ok = n % 10 != 9  # one run in ten fails
        rows.append(
            {
                "check_id": check_id,
                "due_at": at,
                "started_at": at,
                "ok": ok,
                "latency_ms": latency,
                "status_code": 200 if ok else 500,
                "problems": [] if ok else ["down"],
            }
        )
        at += every
        n += 1
    with transaction(make_session_factory(engine, writer=True)) as session:
        session.execute(insert(CheckResult), rows)
    return len(rows)


def make(client: TestClient, alice: Account, target: TestServer, **fields: object) -> int:
    app = api_app(client, alice, api_team(client, alice, timezone=None), target.url)
    return int(api_check(client, alice, app["id"], **fields)["id"])


def count(engine: Engine, resolution: str) -> tuple[int, int]:
    with Session(engine) as session:
        rows, runs = session.execute(
            select(func.count(), func.coalesce(func.sum(CheckRollup.runs), 0)).where(
                CheckRollup.resolution == resolution
            )
        ).one()
    return int(rows), int(runs)


def test_it_rolls_results_up_into_minutes_and_hours_and_reads_any_range(
    client: TestClient, engine: Engine, alice: Account, target: TestServer
) -> None:
    check_id = make(client, alice, target)
    early = add_results(
        engine,
        check_id,
        START - timedelta(hours=3),
        START - timedelta(hours=1),
        timedelta(seconds=10),
        100,
    )
    late = add_results(
        engine, check_id, START - timedelta(hours=1), START, timedelta(seconds=10), 300
    )
    total = early + late
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        assert rollup.roll_up(session, START + timedelta(minutes=2)) == 180
    with transaction(factory) as session:  # nothing new: a second run does nothing
        assert rollup.roll_up(session, START + timedelta(minutes=2)) == 0
    assert count(engine, "minute") == (180, total)
    assert count(engine, "hour") == (3, total)
    assert count(engine, "day") == (0, 0)  # the day is not over

    with Session(engine) as session:

        def read(start: datetime, end: datetime, points: int) -> HistoryRead:
            return rollup.history(
                session=session, check_id=check_id, start=start, end=end, points=points
            )

        fine = read(START - timedelta(minutes=30), START, 180)
        assert fine.source == "raw" and fine.step_seconds == 10
        assert sum(p.runs for p in fine.points) == 180
        minutes = read(START - timedelta(hours=3), START, 18)
        assert minutes.source == "minute" and minutes.step_seconds == 600
        assert sum(p.runs for p in minutes.points) == total
        assert minutes.points[0].uptime == 0.9 and minutes.points[0].p95_ms == 100
        assert minutes.points[-1].p50_ms == 300 and minutes.points[-1].max_ms == 300
        hours = read(START - timedelta(hours=24), START + timedelta(minutes=2), 25)
        assert hours.source == "hour" and hours.step_seconds == 3600
        assert sum(p.runs for p in hours.points) == total
        assert [p.runs for p in hours.points if p.runs] == [360, 360, 360]
        days = read(START - timedelta(days=30), START + timedelta(minutes=2), 31)
        assert days.source == "day" and days.step_seconds == 86400
        assert sum(p.runs for p in days.points) == total  # today read from hours
        assert days.points[-1].failures == total // 10


def test_it_prunes_raw_results_after_a_day_and_minutes_after_two_weeks(
    client: TestClient, engine: Engine, alice: Account, target: TestServer
) -> None:
    check_id = make(client, alice, target)
    total = add_results(
        engine, check_id, START - timedelta(hours=2), START, timedelta(minutes=1), 50
    )
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        rollup.roll_up(session, START + timedelta(minutes=5))
    caught_up = False
    while not caught_up:  # a day later: a few runs, 180 minutes each, catch up
        with transaction(factory) as session:
            caught_up = rollup.roll_up(session, START + timedelta(days=1)) == 0
    assert count(engine, "day") == (1, total)
    with transaction(factory) as session:
        rollup.prune(session, START + timedelta(hours=25))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(CheckResult)) == 0
    assert count(engine, "minute") == (120, total)
    with transaction(factory) as session:
        rollup.prune(session, START + timedelta(days=364))
    assert count(engine, "minute") == (120, total)  # every aggregate is kept a year
    assert count(engine, "hour") == (2, total)
    with Session(engine) as session:  # the history still reads, from hours and days
        history = rollup.history(
            session=session,
            check_id=check_id,
            start=START - timedelta(days=7),
            end=START + timedelta(days=15),
            points=22,
        )
    assert sum(p.runs for p in history.points) == total
    with transaction(factory) as session:
        rollup.prune(session, START + timedelta(days=366))
    assert count(engine, "hour") == (0, 0) and count(engine, "day") == (0, 0)


def test_it_opens_a_regression_incident_when_the_last_hour_is_slower_than_the_week(
    client: TestClient, engine: Engine, alice: Account, target: TestServer, clock: MockClock
) -> None:
    check_id = make(client, alice, target, regression_factor=2.0)
    add_results(
        engine,
        check_id,
        START - timedelta(days=2),
        START - timedelta(hours=1),
        timedelta(minutes=10),
        100,
    )
    add_results(engine, check_id, START - timedelta(hours=1), START, timedelta(minutes=1), 450)
    # As in the worker: resolving the incident finishes its task, which raises an event.
    factory = writer_sessions(engine, clock)
    with transaction(factory) as session:
        assert checks_jobs.check_regressions(session, START) == 1
    [incident] = incidents(engine, check_id)
    assert incident.problem == "regression" and incident.status == "open"
    assert incident.evidence["p95_previous_7_days_ms"] == 100
    assert incident.evidence["p95_last_hour_ms"] == 450
    assert "4.5x" in incident.summary
    with transaction(factory) as session:  # the same hour again: no second incident
        assert checks_jobs.check_regressions(session, START) == 0
    later = START + timedelta(hours=2)
    add_results(engine, check_id, later - timedelta(hours=1), later, timedelta(minutes=1), 110)
    with transaction(factory) as session:
        checks_jobs.check_regressions(session, later)
    assert [i.status for i in incidents(engine, check_id)] == ["resolved"]
