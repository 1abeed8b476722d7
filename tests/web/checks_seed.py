"""A month of app checks for pages, screenshots and the page benchmark: three apps of a team,
their checks' results recorded through the real check runner (judging, streaks, incidents and
their tasks) on a moved clock, rolled up as the scheduled job does, and raw results pruned.

No network: the probes' answers are made here, deterministic for a given ``now``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from devday.account.models import User
from devday.checks import rollup
from devday.checks import service as checks_service
from devday.checks.models import Check
from devday.checks.probe import ProbeResult
from devday.checks.runner import CheckRunner
from devday.checks.schemas import AppCreate, CheckCreate
from devday.clock import MockClock
from devday.db import make_session_factory, transaction
from devday.netguard import ALLOW_ALL
from devday.wiring import writer_sessions

HOURLY = timedelta(hours=1)
RECENT_STEP = timedelta(minutes=15)
BATCH = timedelta(hours=6)


@dataclass(frozen=True)
class Plan:
    """How one check answers: a base latency (ms) and the minutes (before now) it fails."""

    app: str
    name: str
    path: str
    base_ms: float
    status_when_failing: int | None = 503  # None: no answer at all
    failing: tuple[tuple[int, int], ...] = ()  # (from, to) minutes before now
    grade: tuple[tuple[int, str], ...] = ()  # (minutes before now it starts, grade), oldest first
    fields: dict[str, object] = field(default_factory=dict)


APPS = [
    ("orders-api", "https://orders.example.com"),
    ("billing-web", "https://billing.example.com"),
    ("status-page", "https://status.example.com"),
]
PLANS = [
    Plan("orders-api", "health", "/health", 90, fields={"latency_budget_ms": 800}),
    Plan(
        "orders-api",
        "search",
        "/v2/search?q=shoes",
        240,
        failing=((3 * 1440 + 600, 3 * 1440 + 300),),
        fields={"latency_budget_ms": 1500, "regression_factor": 3.0},
    ),
    Plan(
        "billing-web",
        "home",
        "/",
        160,
        failing=((70, -1),),
        grade=((30 * 1440, "B"), (12 * 1440, "A-"), (3 * 1440, "A")),
        fields={"security": True},
    ),
    Plan("status-page", "page", "/", 60, status_when_failing=None),
]


def _latency(plan: Plan, at: datetime, rng: random.Random) -> float:
    # Busier in the (UTC) afternoon, and a little noise.
    daily = 1 + 0.35 * math.sin((at.hour + at.minute / 60 - 9) / 24 * 2 * math.pi)
    return round(plan.base_ms * daily * rng.uniform(0.8, 1.3), 1)


def _grade(plan: Plan, minutes_ago: int) -> str | None:
    current = None
    for since, grade in plan.grade:
        if minutes_ago <= since:
            current = grade
    return current


def _result(
    plan: Plan, check_id: int, at: datetime, now: datetime, rng: random.Random
) -> ProbeResult:
    minutes_ago = int((now - at).total_seconds() // 60)
    failing = any(to < minutes_ago <= start for start, to in plan.failing)
    result = ProbeResult(
        check_id=check_id,
        due_at=at,
        started_at=at,
        cert_not_after=now + timedelta(days=64),
        cert_days_left=64 + minutes_ago / 1440,
        grade=_grade(plan, minutes_ago),
    )
    if failing and plan.status_when_failing is None:
        result.error = "connection refused"
        return result
    result.latency_ms = _latency(plan, at, rng)
    result.status_code = plan.status_when_failing if failing else 200
    result.body = b'{"status": "ok"}'
    return result


def _times(now: datetime, days: int) -> list[datetime]:
    start = now - timedelta(days=days)
    recent = now - timedelta(hours=24)
    times, at = [], start
    while at < recent:
        times.append(at)
        at += HOURLY
    at = recent
    while at < now:
        times.append(at)
        at += RECENT_STEP
    return times


def seed_checks(
    engine: Engine, *, owner_id: int, team_id: int, now: datetime, days: int = 30
) -> dict[str, int]:
    """Creates the apps and checks of a team, as one of its members (``owner_id``), and
    ``days`` of their results up to ``now``; returns the apps' ids by name. Runs of a failing
    stretch are recorded one by one, so that their incidents open and resolve at the right
    times; the rest in six-hour batches."""
    factory = make_session_factory(engine, writer=True)
    start = now - timedelta(days=days)
    app_ids: dict[str, int] = {}
    check_ids: dict[tuple[str, str], int] = {}
    with transaction(factory) as session:
        user = session.get_one(User, owner_id)
        for name, url in APPS:
            data = AppCreate(team_id=team_id, name=name, base_url=url)
            app = checks_service.create_app(
                session=session, user=user, data=data, now=start, outbound=ALLOW_ALL
            )
            app_ids[name] = app.id
        for plan in PLANS:
            fields = {"name": plan.name, "path": plan.path, "interval_seconds": 900, **plan.fields}
            check = checks_service.create_check(
                session=session,
                user=user,
                app_id=app_ids[plan.app],
                data=CheckCreate.model_validate(fields),
                now=start,
                outbound=ALLOW_ALL,
            )
            check_ids[(plan.app, plan.name)] = check.id
    clock = MockClock(start)
    # Incidents open and resolve their tasks: sessions wired as the worker's are.
    runner = CheckRunner(writer_sessions(engine, clock), clock, "seed", outbound=ALLOW_ALL)
    rng = random.Random(now.isoformat())
    batch: list[ProbeResult] = []
    batch_start = start

    def flush(at: datetime) -> None:
        nonlocal batch, batch_start
        if batch:
            clock.set(at)
            runner.record(batch)
        batch, batch_start = [], at
        with transaction(factory) as session:
            while rollup.roll_up(session, at):
                pass

    for at in _times(now, days):
        results = [_result(plan, check_ids[(plan.app, plan.name)], at, now, rng) for plan in PLANS]
        minutes_ago = (now - at).total_seconds() / 60
        eventful = any(
            start + 60 >= minutes_ago >= to - 60 for plan in PLANS for start, to in plan.failing
        )
        if eventful or at - batch_start >= BATCH:
            flush(at)
        batch.extend(results)
        if eventful:
            flush(at + timedelta(seconds=1))
    flush(now)
    with transaction(factory) as session:
        rollup.prune(session, now)
        for check in session.scalars(select(Check)):
            check.next_run_at = now + timedelta(minutes=15)
    return app_ids
