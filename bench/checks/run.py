"""Benchmark of the check runner: ``python -m bench.checks.run``.

An HTTP/1.1 server on 127.0.0.1 (asyncio, keep-alive, in its own process so it does not share
the runner's interpreter) answers every probe with a small JSON body. The benchmark registers
``--checks`` checks at ``--interval`` seconds (an offered load of checks x 60 / interval per
minute), each asserting on the body, and lets runners work for ``--seconds``:

- ours: one ``CheckRunner`` (claims in batches, probes concurrently, writes in batches);
- the baseline: a naive runner that claims one check, probes it, writes its result, repeats;
- with ``--pg URL``: one and two of our runners, each in its own process, on PostgreSQL.

From the results it reads the checks run per minute (after a warm-up interval), the delay
between each run's slot and its start (p50, p99), and the runs per (check, slot): more than
one would be a duplicate. Each scenario runs ``--repeat`` times; medians are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import Engine, delete, func, insert, select, text, update

from devday.checks.models import App, Check, CheckResult
from devday.checks.probe import ProbeResult, ProbeSpec
from devday.checks.runner import CheckRunner
from devday.checks.slots import next_slot_after
from devday.clock import SystemClock
from devday.db import make_engine, make_session_factory, transaction
from devday.migrate import upgrade
from devday.models import Team, User
from devday.netguard import ALLOW_ALL

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Event as Go

    Cpu = Queue[float]

BODY = b'{"status": "ok", "items": [1, 2, 3]}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


# --- the probed app ---------------------------------------------------------------------------


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                break
            length = 0
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(RESPONSE)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def serve(port_out: multiprocessing.Queue[int], stop: threading.Event | None = None) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_answer, "127.0.0.1", 0, backlog=4096)
        port_out.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- the world ----------------------------------------------------------------------------------


def seed(engine: Engine, base_url: str, checks: int, interval: int) -> None:
    now = datetime.now(UTC)
    with transaction(make_session_factory(engine, writer=True)) as session:
        user = User(email="bench@example.com", name="Bench", password_hash="-")
        team = Team(name="Bench")
        session.add_all([user, team])
        session.flush()
        app = App(team_id=team.id, owner_id=user.id, name="bench", base_url=base_url)
        session.add(app)
        session.flush()
        session.execute(
            insert(Check),
            [
                {
                    "app_id": app.id,
                    "team_id": team.id,
                    "name": f"c{n}",
                    "path": "/health",
                    "headers": {},
                    "accepted_statuses": ["2xx"],
                    "must_contain": "ok",
                    "assertions": ['$.status == "ok"', "len($.items) > 0"],
                    "latency_budget_ms": 1000,
                    "tls": False,
                    "interval_seconds": interval,
                    "timeout_seconds": 5.0,
                    "next_run_at": now,
                    "streaks": {},
                    "created_at": now,
                }
                for n in range(checks)
            ],
        )


def reset(engine: Engine) -> datetime:
    """Empties results and puts every check on its next slot from now; returns now."""
    now = datetime.now(UTC)
    with transaction(make_session_factory(engine, writer=True)) as session:
        session.execute(delete(CheckResult))
        rows = session.execute(select(Check.id, Check.interval_seconds)).all()
        session.execute(
            update(Check),
            [
                {
                    "id": check_id,
                    "next_run_at": next_slot_after(check_id, interval, now),
                    "streaks": {},
                    "state": "pending",
                }
                for check_id, interval in rows
            ],
        )
    return now


# --- runners ------------------------------------------------------------------------------------


def run_ours(url: str, seconds: float, name: str, concurrency: int, go: Go, cpu: Cpu) -> None:
    engine = make_engine(url)
    runner = CheckRunner(
        make_session_factory(engine, writer=True),
        SystemClock(),
        name,
        outbound=ALLOW_ALL,
        concurrency=concurrency,
        poll_seconds=0.05,
    )
    stop = threading.Event()
    go.wait()
    begun = time.process_time()
    threading.Timer(seconds, stop.set).start()
    runner.run_forever(stop)
    cpu.put((time.process_time() - begun) / seconds)
    engine.dispose()


def run_naive(url: str, seconds: float, name: str, concurrency: int, go: Go, cpu: Cpu) -> None:
    """One check at a time: claim it, probe it with a blocking client, write its result."""
    engine = make_engine(url)
    clock = SystemClock()
    runner = CheckRunner(
        make_session_factory(engine, writer=True), clock, name, outbound=ALLOW_ALL, batch=1
    )
    go.wait()
    begun = time.process_time()
    end = time.monotonic() + seconds
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < end:
            specs = runner.claim_due(clock.now(), 1)
            if not specs:
                time.sleep(0.05)
                continue
            runner.record([_blocking_probe(client, specs[0], clock)])
    cpu.put((time.process_time() - begun) / seconds)
    engine.dispose()


def _blocking_probe(client: httpx.Client, spec: ProbeSpec, clock: SystemClock) -> ProbeResult:
    result = ProbeResult(check_id=spec.check_id, due_at=spec.due_at, started_at=clock.now())
    begun = time.perf_counter()
    try:
        response = client.request(spec.method, spec.url)
    except httpx.HTTPError as exc:
        result.error = str(exc)
        return result
    result.latency_ms = (time.perf_counter() - begun) * 1000
    result.status_code = response.status_code
    result.headers = list(response.headers.multi_items())
    result.body = response.content
    return result


Runner = Callable[[str, float, str, int, "Go", "Cpu"], None]


@dataclass
class Outcome:
    per_minute: float
    offered: float
    p50_ms: float
    p99_ms: float
    duplicates: int
    runs: int
    cpu: float  # each worker's CPU time over the wall time, averaged


def scenario(
    engine: Engine, url: str, runner: Runner, workers: int, args: argparse.Namespace
) -> Outcome:
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    cpu: Cpu = context.Queue()
    processes = [
        context.Process(target=runner, args=(url, args.seconds, f"w{n}", args.concurrency, go, cpu))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(args.startup)  # the workers import and connect, then wait for "go"
    started = reset(engine)
    go.set()
    shares = [cpu.get(timeout=args.seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    # Runs started after one interval of warm-up and before the last two seconds (whose runs
    # may still be in flight when the workers stop).
    since = started + timedelta(seconds=args.interval)
    until = started + timedelta(seconds=args.seconds - 2)
    with engine.connect() as conn:
        rows = conn.execute(
            select(CheckResult.due_at, CheckResult.started_at).where(
                CheckResult.started_at >= since, CheckResult.started_at < until
            )
        ).all()
        duplicates = conn.scalar(
            select(func.count()).select_from(
                select(CheckResult.check_id, CheckResult.due_at)
                .group_by(CheckResult.check_id, CheckResult.due_at)
                .having(func.count() > 1)
                .subquery()
            )
        )
        total = conn.scalar(select(func.count()).select_from(CheckResult))
    window = (until - since).total_seconds()
    delays = sorted(max(0.0, (start - due).total_seconds() * 1000) for due, start in rows)
    return Outcome(
        per_minute=len(rows) / window * 60,
        offered=args.checks * 60 / args.interval,
        p50_ms=_quantile(delays, 0.5),
        p99_ms=_quantile(delays, 0.99),
        duplicates=int(duplicates or 0),
        runs=int(total or 0),
        cpu=statistics.mean(shares),
    )


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def median(outcomes: list[Outcome]) -> Outcome:
    def mid(attribute: str) -> float:
        return statistics.median(getattr(o, attribute) for o in outcomes)

    return Outcome(
        per_minute=mid("per_minute"),
        offered=outcomes[0].offered,
        p50_ms=mid("p50_ms"),
        p99_ms=mid("p99_ms"),
        duplicates=max(o.duplicates for o in outcomes),
        runs=int(mid("runs")),
        cpu=mid("cpu"),
    )


def report(name: str, outcome: Outcome) -> None:
    print(
        f"{name:<34} {outcome.per_minute:>9,.0f}/min of {outcome.offered:>7,.0f} offered   "
        f"delay p50 {outcome.p50_ms:>7.1f} ms  p99 {outcome.p99_ms:>8.1f} ms   "
        f"duplicates {outcome.duplicates}   worker CPU {outcome.cpu:.0%} of a core",
        flush=True,
    )


def database(url: str, base_url: str, args: argparse.Namespace) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    seed(engine, base_url, args.checks, args.interval)
    return engine


def on_sqlite(base_url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = database(sqlite, base_url, args)
        ours = median([scenario(engine, sqlite, run_ours, 1, args) for _ in range(args.repeat)])
        report("ours, 1 worker, SQLite", ours)
        if not args.skip_baseline:
            naive = median(
                [scenario(engine, sqlite, run_naive, 1, args) for _ in range(args.repeat)]
            )
            report("naive sequential, 1 worker, SQLite", naive)
            ratio = ours.per_minute / max(naive.per_minute, 1)
            print(f"ratio ours / naive (checks per minute): {ratio:.1f}x")
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--interval", type=int, default=10, help="seconds between runs")
    parser.add_argument("--seconds", type=float, default=40, help="each scenario's length")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--startup", type=float, default=8, help="seconds to let workers load")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--pg", default="", help="a PostgreSQL URL to empty and use for the worker scenarios"
    )
    args = parser.parse_args(argv)

    context = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = context.Queue()
    server = context.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{ports.get(timeout=30)}"
    print(
        f"{args.checks} checks every {args.interval} s against {base_url} "
        f"({args.checks * 60 // args.interval:,} offered per minute); "
        f"{args.repeat} x {args.seconds:g} s per scenario, medians shown",
        flush=True,
    )
    try:
        if not args.skip_sqlite:
            on_sqlite(base_url, args)
        if args.pg:
            url = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
            engine = database(url, base_url, args)
            one = median([scenario(engine, url, run_ours, 1, args) for _ in range(args.repeat)])
            report("ours, 1 worker, PostgreSQL", one)
            # Twice the checks: the load two workers should carry.
            engine.dispose()
            doubled = argparse.Namespace(**{**vars(args), "checks": args.checks * 2})
            engine = database(url, base_url, doubled)
            two = median([scenario(engine, url, run_ours, 2, doubled) for _ in range(args.repeat)])
            report("ours, 2 workers, PostgreSQL", two)
            ratio = two.per_minute / max(one.per_minute, 1)
            print(f"ratio 2 workers / 1 worker (checks per minute): {ratio:.2f}x")
            engine.dispose()
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
