"""How fast a check's history reads at any range: ``python -m bench.checks.history``.

One check with a year of data as the runner and the rollup job leave it: a run a minute, the
last 24 hours raw, and minute, hour and day aggregates for the year before (about 535,000
aggregate rows). Each range a chart asks for (the last hour, day, week, month and year, in
about 120 points) is read ``--repeat`` times with ``rollup.history``, which takes the coarsest
tier fine enough, and with the baseline a store with one tier would have: the same buckets
summed from the minute aggregates. Medians are printed with the ratio.

``--pg URL`` runs it on PostgreSQL instead of a temporary SQLite file (that database's public
schema is dropped and re-created).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from devday.checks import rollup
from devday.checks.models import App, Check, CheckResult, CheckRollup, RollupMark
from devday.db import make_engine, make_session_factory, transaction
from devday.migrate import upgrade
from devday.models import Team, User

NOW = datetime(2026, 11, 30, 14, 0, 30, tzinfo=UTC)
RANGES = {
    "1 hour": timedelta(hours=1),
    "24 hours": timedelta(days=1),
    "7 days": timedelta(days=7),
    "30 days": timedelta(days=30),
    "365 days": timedelta(days=365),
}
POINTS = 120
BATCH = 20_000


def latency(rng: random.Random) -> float:
    return round(rng.lognormvariate(4.0, 0.4), 1)  # a median near 55 ms


def seed(engine: Engine) -> int:
    """One check with a year of runs; returns its id."""
    rng = random.Random(7)
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        user = User(email="bench@example.com", name="Bench", password_hash="-")
        team = Team(name="Bench")
        session.add_all([user, team])
        session.flush()
        app = App(team_id=team.id, owner_id=user.id, name="bench", base_url="http://app.test")
        session.add(app)
        session.flush()
        check = Check(
            app_id=app.id,
            team_id=team.id,
            name="health",
            path="/health",
            headers={},
            accepted_statuses=["2xx"],
            assertions=[],
            interval_seconds=60,
            next_run_at=NOW,
            streaks={},
            created_at=NOW - timedelta(days=366),
        )
        session.add(check)
        session.flush()
        check_id = check.id
    raw_from = rollup.floor(NOW - rollup.RAW_KEPT, rollup.MINUTE)
    rolled_until = rollup.floor(NOW - rollup.LAG, rollup.MINUTE)
    with transaction(factory) as session:
        session.add(RollupMark(name=rollup.MARK, done_until=rolled_until))
        _insert(session, CheckResult, _raw(check_id, raw_from, rng))
    start = rollup.floor(NOW - timedelta(days=365), rollup.DAY)
    minutes: dict[datetime, rollup.Aggregate] = {}
    at = start
    while at < rolled_until:
        one = rollup.Aggregate()
        one.add_run(rng.random() > 0.002, latency(rng), None)
        minutes[at] = one
        at += rollup.MINUTE
    for name in ("minute", "hour", "day"):
        size = rollup.SIZES[name]
        groups: dict[tuple[int, datetime], rollup.Aggregate] = {}
        for at, aggregate in minutes.items():
            if name != "minute" and rollup.floor(at, size) + size > rolled_until:
                continue  # a bucket is rolled up once it is whole
            groups.setdefault((check_id, rollup.floor(at, size)), rollup.Aggregate()).add(aggregate)
        with transaction(factory) as session:
            _insert(session, CheckRollup, iter(rollup._rows(name, groups)))
    return check_id


def _raw(check_id: int, start: datetime, rng: random.Random) -> Iterator[dict[str, Any]]:
    at = start
    while at < NOW:
        yield {
            "check_id": check_id,
            "due_at": at,
            "started_at": at,
            "ok": True,
            "problems": [],
            "latency_ms": latency(rng),
            "status_code": 200,
        }
        at += rollup.MINUTE


def _insert(session: Session, model: type[Any], rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(model), batch)
            batch = []
    if batch:
        session.execute(insert(model), batch)


def minutes_only(session: Session, check_id: int, start: datetime, end: datetime) -> int:
    """The baseline: the same chart summed from minute aggregates (raw after the mark)."""
    wanted = (end - start).total_seconds() / POINTS
    step = timedelta(seconds=next((s for s in rollup.NICE_STEPS if s >= wanted), 604800))
    first = rollup.floor(start, step)  # where ``history`` starts its first bucket too
    buckets: dict[datetime, rollup.Aggregate] = {}
    for source, part_start, part_end in rollup._tiers(session, "minute", first, end):
        for at, aggregate in rollup._read(session, check_id, source, part_start, part_end):
            buckets.setdefault(rollup.floor(at, step), rollup.Aggregate()).add(aggregate)
    return sum(a.runs for a in buckets.values())


def timed(function: Any, repeat: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        begun = time.perf_counter()
        value = function()
        times.append((time.perf_counter() - begun) * 1000)
    return statistics.median(times), value


def measure(engine: Engine, repeat: int) -> None:
    began = time.perf_counter()
    check_id = seed(engine)
    with Session(engine) as session:
        rows = session.scalar(text("SELECT count(*) FROM check_rollup"))
    print(
        f"{engine.dialect.name}: a year of one-minute runs, {rows:,} aggregate rows "
        f"(seeded in {time.perf_counter() - began:.0f} s); medians of {repeat} reads"
    )
    print(
        f"{'range':<10} {'source':>7} {'points':>6} {'ours':>10} {'minutes only':>13} {'ratio':>7}"
    )
    for label, span in RANGES.items():
        start = NOW - span
        with Session(engine) as session:
            ours = partial(
                rollup.history,
                session=session,
                check_id=check_id,
                start=start,
                end=NOW,
                points=POINTS,
            )
            ours_ms, read = timed(ours, repeat)
            base = partial(minutes_only, session, check_id, start, NOW)
            base_ms, base_runs = timed(base, repeat)
        runs = sum(p.runs for p in read.points)
        assert runs == base_runs, (label, runs, base_runs)  # both read the same runs
        print(
            f"{label:<10} {read.source:>7} {len(read.points):>6} {ours_ms:>8.1f} ms "
            f"{base_ms:>10.1f} ms {base_ms / ours_ms:>6.1f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL to empty and use")
    args = parser.parse_args(argv)
    if args.pg:
        engine = make_engine(args.pg.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        measure(engine, args.repeat)
        engine.dispose()
        return 0
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'history.sqlite3'}")
        upgrade(engine)
        measure(engine, args.repeat)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
