"""Times moving tasks in and out: a Taskwarrior import and export, and a whole SQLite database
moved into PostgreSQL.

    python -m bench.transfer.run [--quick] [--tasks 10000] [--move-tasks 100000]
                                 [--postgres URL] [--no-taskwarrior]

The import is ``devday import taskwarrior``'s work on the server (``transfer.taskwarrior``
with its own session on a SQLite file): once into an empty account, then the same file again
(every task found by its UUID, unchanged), then the export. Taskwarrior 2.6's own ``task
import`` of the same file is the baseline, when ``task`` is installed. The move is
``devday move-database`` from a SQLite file of ``--move-tasks`` tasks (one tag each) into a new
PostgreSQL database made next to ``--postgres`` (an admin URL) and dropped after; it is skipped,
and says so, when no PostgreSQL answers there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, text
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.db import make_engine
from devday.migrate import upgrade
from devday.task.models import Task
from devday.transfer import taskwarrior
from devday.transfer.move import MoveError, move

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
BATCH = 10_000


def records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``task export``'s JSON for ``count`` tasks: projects, tags, priorities, dates,
    annotations, dependencies on earlier tasks, some completed."""
    rng = random.Random(seed)
    made: list[dict[str, Any]] = []
    for n in range(count):
        entry = NOW - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 1440))
        record: dict[str, Any] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "description": f"Task {n}: {rng.choice(['fix', 'write', 'review', 'plan'])} "
            f"{rng.choice(['the login', 'the docs', 'the release', 'a test'])}",
            "status": "completed" if rng.random() < 0.2 else "pending",
            "entry": entry.strftime("%Y%m%dT%H%M%SZ"),
            "modified": entry.strftime("%Y%m%dT%H%M%SZ"),
            "project": f"project{rng.randint(1, 20)}",
        }
        if record["status"] == "completed":
            record["end"] = (entry + timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
        if rng.random() < 0.7:
            record["tags"] = rng.sample([f"tag{i}" for i in range(10)], rng.randint(1, 3))
        if rng.random() < 0.5:
            record["priority"] = rng.choice("HML")
        if rng.random() < 0.4:
            due = NOW + timedelta(days=rng.randint(-10, 60))
            record["due"] = due.strftime("%Y%m%dT%H%M%SZ")
        if rng.random() < 0.2:
            note = {"entry": record["entry"], "description": "Noted: " + "x" * rng.randint(5, 200)}
            record["annotations"] = [note]
        if made and rng.random() < 0.1:
            record["depends"] = [made[rng.randrange(len(made))]["uuid"]]
        made.append(record)
    return made


def _rate(rows: int, seconds: float) -> str:
    return f"{rows:>8,} rows in {seconds:7.2f} s = {rows / seconds:>9,.0f} rows/s"


def bench_taskwarrior(count: int, folder: Path, with_task: bool) -> None:
    print(f"== Taskwarrior import and export, {count:,} tasks (SQLite)")
    data = records(count)
    url = f"sqlite:///{folder / 'import.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        user = User(email="bench@example.com", name="Bench", password_hash="-", timezone="UTC")
        session.add(user)
        session.commit()
        for label in ("import into an empty account", "import again (all unchanged)"):
            started = time.perf_counter()
            report = taskwarrior.import_tasks(session=session, user=user, records=data, now=NOW)
            session.commit()
            took = time.perf_counter() - started
            done = report.created + report.updated + report.unchanged
            print(f"  {label:<32} {_rate(done, took)}")
        started = time.perf_counter()
        exported = taskwarrior.export_tasks(session=session, user=user)
        body = json.dumps(exported)
        took = time.perf_counter() - started
        print(f"  {'export (to JSON)':<32} {_rate(len(exported), took)}")
    engine.dispose()
    assert len(exported) == count, (len(exported), count)

    if not with_task:
        return
    if shutil.which("task") is None:
        print("  baseline skipped: Taskwarrior not found (apt-get install taskwarrior)")
        return
    home = folder / "taskwarrior"
    home.mkdir()
    rc = home / "taskrc"
    rc.write_text(f"data.location={home}\nconfirmation=off\nhooks=off\nverbose=nothing\n")
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(home), "TZ": "UTC"}
    source = folder / "tasks.json"
    source.write_text(json.dumps(data))
    started = time.perf_counter()
    subprocess.run(
        ["task", "rc.confirmation=off", "import", str(source)],
        env=env, capture_output=True, check=True, timeout=3600,
    )  # fmt: skip
    took = time.perf_counter() - started
    print(f"  {'baseline: Taskwarrior import':<32} {_rate(count, took)}")
    started = time.perf_counter()
    subprocess.run(["task", "export"], env=env, capture_output=True, check=True, timeout=3600)
    took = time.perf_counter() - started
    print(f"  {'baseline: Taskwarrior export':<32} {_rate(count, took)}")
    del body


def seed_sqlite(url: str, count: int) -> None:
    """A SQLite database with ``count`` tasks of one user, a tag on each, by Core inserts."""
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(11)
    with engine.begin() as conn:
        user_id = conn.execute(
            insert(User).returning(User.id),
            {"email": "bench@example.com", "name": "Bench", "password_hash": "-",
             "timezone": "UTC", "created_at": NOW},
        ).scalar_one()  # fmt: skip
        for start in range(0, count, BATCH):
            rows = [
                {"owner_id": user_id, "assignee_id": user_id, "title": f"Task {n}",
                 "notes": "x" * rng.randint(0, 200), "status": rng.choice(["todo", "done"]),
                 "importance": rng.randint(1, 4), "splittable": True, "min_chunk_minutes": 30,
                 "kind": "other", "source": "manual", "estimate_minutes": rng.randint(15, 240),
                 "deadline": NOW + timedelta(hours=rng.randint(1, 2000)),
                 "created_at": NOW, "updated_at": NOW, "version": 1}
                for n in range(start, min(count, start + BATCH))
            ]  # fmt: skip
            conn.execute(insert(Task), rows)
        conn.execute(text("INSERT INTO task_tag (task_id, tag) SELECT id, 'bench' FROM task"))
    engine.dispose()


def bench_move(count: int, folder: Path, admin_url: str) -> None:
    print(f"== moving a SQLite database of {count:,} tasks into PostgreSQL")
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        conn = admin.connect()
    except Exception as exc:
        print(f"  skipped: no PostgreSQL at {make_url(admin_url).host}: {str(exc).splitlines()[0]}")
        admin.dispose()
        return
    name = f"bench_move_{os.getpid()}"
    with conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        source = f"sqlite:///{folder / 'move.sqlite3'}"
        started = time.perf_counter()
        seed_sqlite(source, count)
        print(f"  (seeded in {time.perf_counter() - started:.1f} s)")
        target = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        started = time.perf_counter()
        try:
            moved = move(source, target)
        except MoveError as exc:
            print(f"  failed: {exc}")
            return
        took = time.perf_counter() - started
        rows = sum(each.rows for each in moved)
        tasks = next(each.rows for each in moved if each.table == "task")
        print(f"  {'move-database, all tables':<32} {_rate(rows, took)}")
        print(f"  {'of which tasks':<32} {tasks:>8,} rows ({tasks / took:,.0f} tasks/s)")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 tasks")
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks to import and export")
    parser.add_argument("--move-tasks", type=int, default=100_000, help="tasks to move")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DEVDAY_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="an admin URL: the target database is made next to it",
    )
    parser.add_argument("--no-taskwarrior", action="store_true", help="skip the baseline")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks, args.move_tasks = 2_000, 20_000
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as folder:
        bench_taskwarrior(args.tasks, Path(folder), not args.no_taskwarrior)
        bench_move(args.move_tasks, Path(folder), args.postgres)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
