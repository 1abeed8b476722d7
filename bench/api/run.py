"""GET /api/v1/tasks under load, against a minimal FastAPI + SQLAlchemy app on the same data.

    python -m bench.api.run [--postgres URL | --sqlite] [--seconds 10] [--connections 32]
                            [--workers 1,2] [--rounds 3] [--tasks 1000] [--rates 50,100,150]

One user with ``--tasks`` tasks (bench/tasks's seed) in a throwaway database; devday
(``devday serve --workers N``) and the baseline (bench/api/baseline.py under ``uvicorn
--workers N``) serve it side by side, and ``wrk`` (``apt-get install wrk``) loads each in turn,
``--rounds`` times, so that a busy machine slows both alike. Printed: requests per second and
p99 latency per run, their medians, and the ratios the targets are stated in: devday against
the baseline (at least 0.5), devday's p99 (at most 100 ms at 32 connections) and two processes
against one (at least 1.8).

wrk keeps every connection busy, so its p99 is the length of the queue at saturation: by
Little's law the mean latency is connections / throughput (32 connections at 250 requests a
second: 128 ms, whatever the server). So latency is also measured below saturation
(bench/api/paced.py): over the same 32 connections, requests due at a steady rate, timed from
when each was due, at each of ``--rates``, one process each; that p99 is the one the target
speaks of.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bench.api.paced import Paced, paced
from bench.tasks.databases import PostgresScratch, Scratch, SqliteScratch
from bench.tasks.seed import seed
from devday.account import service as account_service
from devday.account.models import User
from devday.migrate import upgrade
from devday.task.models import Task

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Load:
    rps: float
    p99_ms: float
    # Cores busy during the run, measured from /proc: the server's processes, PostgreSQL's, wrk.
    server_cores: float = 0.0
    database_cores: float = 0.0
    wrk_cores: float = 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def cpu_snapshot(root: int) -> tuple[dict[int, float], dict[int, float]]:
    """CPU seconds used so far by each process of ``root``'s tree, and by each of PostgreSQL's."""
    stats, names = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        found = _stat(pid)
        if found:
            stats[int(pid)] = found
            try:
                with open(f"/proc/{pid}/comm") as file:
                    names[int(pid)] = file.read().strip()
            except OSError:
                pass
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, (parent, _cpu) in stats.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    server = {pid: stats[pid][1] for pid in tree if pid in stats}
    database = {pid: cpu for pid, (_p, cpu) in stats.items() if names.get(pid) == "postgres"}
    return server, database


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    # Processes that ended during the run took their count with them; new ones started at 0.
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(engine: Engine, tasks: int) -> tuple[int, str]:
    """Seeds the database; returns the user with the most tasks and a token of theirs."""
    upgrade(engine)
    seed(engine, tasks=tasks, users=1, rng=random.Random(7))
    if engine.dialect.name == "postgresql":  # the seed sets ids itself: move the sequences on
        with engine.begin() as conn:
            for table in ("user_account", "team", "project", "task"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
    with Session(engine) as session:
        user_id = session.scalars(
            select(Task.assignee_id)
            .where(Task.assignee_id.is_not(None))
            .group_by(Task.assignee_id)
            .order_by(func.count().desc())
        ).first()
        user = session.get(User, user_id)
        assert user is not None
        _token, secret = account_service.create_token(session=session, user=user, name="bench")
        session.commit()
    return int(user_id), secret


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def served(command: list[str], env: dict[str, str], probe: str) -> Iterator[Served]:
    """Runs ``command`` (which listens on the port it is given) until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} stopped at start")
            try:
                httpx.get(url + probe, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{command[0]} did not start") from None
                time.sleep(0.3)
        yield Served(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def show(load: Load) -> str:
    return (
        f"{load.rps:8.1f} req/s  p99 {load.p99_ms:7.1f} ms   cores: server"
        f" {load.server_cores:.2f}, PostgreSQL {load.database_cores:.2f}, wrk {load.wrk_cores:.2f}"
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, headers: dict[str, str], seconds: int, connections: int, server_pid: int = 0
) -> Load:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    server_before, database_before = cpu_snapshot(server_pid)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after, database_after = cpu_snapshot(server_pid)
    wrk_seconds = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    if "Non-2xx" in text:
        raise SystemExit(f"{url} answered errors under load:\n{text}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return Load(
        rps,
        float(value) * _UNITS[unit],
        server_cores=_used(server_before, server_after) / elapsed,
        database_cores=_used(database_before, database_after) / elapsed,
        wrk_cores=wrk_seconds / elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument(
        "--rates", default="50,100,150", help="steady loads (requests a second) for latency"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api needs wrk: apt-get install wrk")
    workers = [int(n) for n in args.workers.split(",")]
    rates = [float(r) for r in args.rates.split(",") if r]
    steady: dict[tuple[str, float], Paced] = {}
    scratch: Scratch = (
        SqliteScratch() if args.sqlite else PostgresScratch(args.postgres, "devday_bench_api")
    )
    with scratch, tempfile.TemporaryDirectory() as data:
        engine = scratch.fresh("ours")
        user_id, token = prepare(engine, args.tasks)
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        print(f"{args.tasks} tasks; user {user_id}; {'SQLite' if args.sqlite else 'PostgreSQL'}")
        results: dict[tuple[str, int], list[Load]] = {}
        for n in workers:
            with ExitStack() as servers:
                ours = servers.enter_context(
                    served(
                        [
                            str(BIN / "devday"),
                            "serve",
                            "--no-demo",
                            "--no-worker",
                            "--port",
                            "{port}",
                            "--workers",
                            str(n),
                        ],
                        {
                            "DEVDAY_DATABASE_URL": url,
                            "DEVDAY_DATA_DIR": data,
                            "DEVDAY_SECRET_KEY": "bench",
                            "DEVDAY_DEMO": "false",
                        },
                        "/login",
                    )
                )
                base = servers.enter_context(
                    served(
                        [
                            str(BIN / "uvicorn"),
                            "bench.api.baseline:app",
                            "--port",
                            "{port}",
                            "--workers",
                            str(n),
                            "--log-level",
                            "info",
                        ],
                        {"BENCH_DATABASE_URL": url},
                        "/docs",
                    )
                )
                targets = {
                    "devday": (
                        f"{ours.url}/api/v1/tasks?limit=50",
                        {"Authorization": f"Bearer {token}"},
                    ),
                    "baseline": (f"{base.url}/tasks?user_id={user_id}", {}),
                }
                pids = {"devday": ours.pid, "baseline": base.pid}
                for target, headers in targets.values():
                    wrk(target, headers, 2, args.connections)  # warm up
                for round_ in range(args.rounds):
                    order = list(targets) if round_ % 2 == 0 else list(reversed(targets))
                    for name in order:
                        target, headers = targets[name]
                        load = wrk(target, headers, args.seconds, args.connections, pids[name])
                        results.setdefault((name, n), []).append(load)
                        print(f"  {name:8} {n} process(es): {show(load)}")
                for rate in rates if n == 1 else []:
                    for name in targets:
                        target, headers = targets[name]
                        steady[name, rate] = paced(
                            target,
                            headers,
                            rate=rate,
                            seconds=args.seconds,
                            connections=args.connections,
                        )
        print(
            f"\nmedians, {args.rounds} rounds of {args.seconds} s, {args.connections} connections:"
        )
        medians = {
            key: Load(
                statistics.median(x.rps for x in loads),
                statistics.median(x.p99_ms for x in loads),
                statistics.median(x.server_cores for x in loads),
                statistics.median(x.database_cores for x in loads),
                statistics.median(x.wrk_cores for x in loads),
            )
            for key, loads in results.items()
        }
        for (name, n), load in sorted(medians.items()):
            print(f"  {name:8} {n} process(es): {show(load)}")
        for n in workers:
            ratio = medians["devday", n].rps / medians["baseline", n].rps
            print(f"  devday / baseline, {n} process(es): {ratio:.2f} (target at least 0.5)")
        if 1 in workers and 2 in workers:
            scale = medians["devday", 2].rps / medians["devday", 1].rps
            print(f"  devday 2 processes / 1: {scale:.2f} (target at least 1.8)")
            base_scale = medians["baseline", 2].rps / medians["baseline", 1].rps
            print(f"  baseline 2 processes / 1: {base_scale:.2f}")
            print(f"  the machine has {os.cpu_count()} cores for the server, PostgreSQL and wrk")
        if steady:
            print(f"\nlatency at steady rates, 1 process, {args.connections} connections:")
        for (name, rate), run in sorted(steady.items(), key=lambda item: (item[0][1], item[0][0])):
            print(
                f"  {name:8} {rate:5.0f} req/s: p50 {run.p50_ms:6.1f} ms, p99 {run.p99_ms:6.1f} ms"
                + (f", {run.failed} failed" if run.failed else "")
                + ("  (target: p99 at most 100 ms)" if name == "devday" else "")
            )


if __name__ == "__main__":
    main()
