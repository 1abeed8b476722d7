"""Times filtered first pages of the task list, with the indexes and without them.

    python -m bench.tasks.run [--sqlite] [--postgres URL] [--tasks 100000] [--users 50]
                              [--repeat 50] [--explain [CASE]] [--try-index SQL ...]

Each timed run is what ``GET /api/v1/tasks`` does for one random user: a fresh session, the user
by primary key, ``task.service.list_tasks`` for 51 rows, ``task.views.task_rows`` for 50 and the
page as JSON. "baseline" is a copy of the same database without the list indexes (see
``databases.secondary_indexes``), "try" a copy with the ``--try-index`` DDL applied; their runs
are interleaved with ours, and the ratios are of medians.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.tasks import databases
from bench.tasks.cases import CASES, Case
from bench.tasks.seed import World, seed
from devday.account.models import User
from devday.db import make_session_factory
from devday.migrate import upgrade
from devday.task import service as task_service
from devday.task.models import Task
from devday.task.schemas import TaskPage
from devday.task.views import task_rows

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LIMIT = 50
TARGET_MS = 20.0
WARMUP = 5

Draw = list[tuple[int, task_service.TaskFilter]]


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    rows: float


def _page(factory: sessionmaker[Session], user_id: int, filters: task_service.TaskFilter) -> int:
    with factory() as session:
        user = session.get(User, user_id)
        assert user is not None
        rows = task_service.list_tasks(
            session=session, user=user, filters=filters, limit=LIMIT + 1, offset=0
        )
        page = TaskPage.model_validate(
            {
                "items": task_rows(session, rows[:LIMIT], datetime.now(UTC)),
                "limit": LIMIT,
                "offset": 0,
                "next_offset": LIMIT if len(rows) > LIMIT else None,
            }
        )
        page.model_dump_json()
        return len(page.items)


def _timing(samples: list[float], rows: list[int]) -> Timing:
    samples = sorted(samples)
    p95 = samples[max(0, math.ceil(0.95 * len(samples)) - 1)]
    return Timing(statistics.median(samples), p95, statistics.mean(rows))


def _time(factories: dict[str, sessionmaker[Session]], draw: Draw) -> dict[str, Timing]:
    """Runs the variants in turn for each draw, rotating who goes first, so that a busy machine
    slows them all alike."""
    names = list(factories)
    for name in names:
        for user_id, filters in draw[:WARMUP]:
            _page(factories[name], user_id, filters)
    samples: dict[str, list[float]] = {name: [] for name in names}
    rows: dict[str, list[int]] = {name: [] for name in names}
    for index, (user_id, filters) in enumerate(draw):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            start = time.perf_counter()
            rows[name].append(_page(factories[name], user_id, filters))
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: _timing(samples[name], rows[name]) for name in names}


def _draws(world: World, repeat: int, seed_value: int) -> dict[str, Draw]:
    """The same users and filter values for every variant, so only the indexes differ."""
    draws = {}
    for index, case in enumerate(CASES):
        rng = random.Random(seed_value * 1000 + index)
        users = [rng.choice(world.user_ids) for _ in range(repeat)]
        draws[case.name] = [(u, case.make(rng, world, u)) for u in users]
    return draws


def _measure(engines: dict[str, Engine], draws: dict[str, Draw]) -> dict[str, dict[str, Timing]]:
    factories = {name: make_session_factory(engine) for name, engine in engines.items()}
    results: dict[str, dict[str, Timing]] = {name: {} for name in engines}
    for case_name, draw in draws.items():
        for name, timing in _time(factories, draw).items():
            results[name][case_name] = timing
    return results


def _explain(engine: Engine, world: World, case: Case, title: str) -> None:
    user_id = world.user_ids[0]
    filters = case.make(random.Random(0), world, user_id)
    with databases.capture_list_query(engine) as seen:
        _page(make_session_factory(engine), user_id, filters)
    statement, parameters = seen[0]
    print(f"\n-- plan of {case.name!r} for user {user_id}, {title}")
    print(statement)
    for line in databases.explain(engine, statement, parameters):
        print("   " + line)


def _visible_counts(engine: Engine, user_id: int) -> tuple[int, int]:
    with Session(engine) as session:
        seen = select(func.count()).select_from(Task).where(task_service.visible(user_id))
        total = session.scalar(seen) or 0
        open_ = session.scalar(seen.where(Task.status.in_(task_service.OPEN_STATUSES))) or 0
        return total, open_


def _report(results: dict[str, dict[str, Timing]]) -> None:
    names = list(results)
    header = f"{'query':<28} {'rows':>5}" + "".join(f" {n + ' med':>13} {'p95':>7}" for n in names)
    header += f" {'base/ours':>10}" + (f" {'ours/try':>9}" if "try" in results else "")
    print(header)
    for case in CASES:
        ours = results["ours"][case.name]
        line = f"{case.name:<28} {ours.rows:>5.0f}"
        for name in names:
            timing = results[name][case.name]
            line += f" {timing.median_ms:>13.2f} {timing.p95_ms:>7.2f}"
        line += f" {results['baseline'][case.name].median_ms / ours.median_ms:>9.1f}x"
        if "try" in results:
            line += f" {ours.median_ms / results['try'][case.name].median_ms:>8.2f}x"
        print(line + ("   <-- over target" if ours.median_ms >= TARGET_MS else ""))
    for name in names:
        overall = statistics.median(t.median_ms for t in results[name].values())
        label = "" if name == "ours" else f" ({name})"
        print(f"median of medians{label}: {overall:.2f} ms (target < {TARGET_MS:.0f} ms)")


def bench(scratch: databases.Scratch, args: argparse.Namespace) -> None:
    engine = scratch.fresh("ours")
    print(
        f"\n== {databases.version(engine)}: {args.tasks:,} tasks, {args.users} users, "
        f"{args.repeat} runs per query after {WARMUP} warm-up runs; times in ms"
    )
    started = time.perf_counter()
    upgrade(engine)
    world = seed(engine, tasks=args.tasks, users=args.users, rng=random.Random(args.seed))
    databases.analyze(engine)
    engines = {"ours": engine, "baseline": scratch.clone("baseline", "ours")}
    databases.drop_indexes(engines["baseline"])
    databases.analyze(engines["baseline"])
    if args.try_index:
        engines["try"] = scratch.clone("try", "ours")
        databases.execute(engines["try"], args.try_index)
        databases.analyze(engines["try"])
    total, open_ = _visible_counts(engine, world.user_ids[0])
    print(
        f"seeded and copied in {time.perf_counter() - started:.1f} s; "
        f"user {world.user_ids[0]} sees {total:,} tasks, {open_:,} of them open"
    )
    explain = next((c for c in CASES if c.name.startswith(args.explain or "-")), None)
    if explain:
        for name in ("ours", "try"):
            if name in engines:
                _explain(engines[name], world, explain, name)
    print()
    _report(_measure(engines, _draws(world, args.repeat, args.seed)))


def _targets(args: argparse.Namespace) -> Iterator[databases.Scratch]:
    both = not args.sqlite and args.postgres is None
    if args.sqlite or both:
        yield databases.SqliteScratch()
    url = args.postgres or DEFAULT_POSTGRES
    if args.postgres is not None or both:
        if databases.postgres_reachable(url):
            yield databases.PostgresScratch(url, args.pg_database, keep=args.keep)
        else:
            print(f"\n== PostgreSQL at {url} is not reachable; skipped")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tasks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temporary file")
    parser.add_argument(
        "--postgres", metavar="URL", help=f"server to use (default {DEFAULT_POSTGRES})"
    )
    parser.add_argument(
        "--pg-database",
        default="devday_bench",
        help="database created (and dropped) on that server; copies get suffixes",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain",
        nargs="?",
        const="default",
        metavar="CASE",
        help="print the plan of a query (name prefix; default: the default view)",
    )
    parser.add_argument(
        "--try-index",
        action="append",
        metavar="SQL",
        help="DDL for a copy of the database; adds a 'try' column (repeatable)",
    )
    args = parser.parse_args(argv)
    for target in _targets(args):
        with target as scratch:
            bench(scratch, args)


if __name__ == "__main__":
    main()
