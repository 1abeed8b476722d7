"""devday backup and devday restore on the database the tests run on (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, create_engine, insert, make_url, select, text
from typer.testing import CliRunner

from devday.cli.main import app as cli
from devday.db import make_engine
from devday.migrate import upgrade
from devday.task.models import Task, TaskTag
from tests.conftest import START as seeded_at
from tests.factories import api_task, api_time_entry, sign_up


@pytest.fixture
def empty_target(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database, empty: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    base = make_url(database_url)
    name = f"{base.database}_restored"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run(url: str, tmp_path: Path, *args: str) -> Any:
    env = {"DEVDAY_DATABASE_URL": url, "DEVDAY_DATA_DIR": str(tmp_path / "data")}
    return CliRunner().invoke(cli, list(args), env=env)


def rows(url: str) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, as sets of tuples."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {
                name: {tuple(row) for row in conn.execute(select(table))}
                for name, table in meta.tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


def test_it_backs_up_a_busy_server_and_restores_into_an_empty_database(
    client: TestClient, engine: Engine, database_url: str, empty_target: str, tmp_path: Path
) -> None:
    alex = sign_up(client, "Alex")
    for n in range(5):
        task = api_task(client, alex, f"Task {n}", tags=["seed"], estimate_minutes=30)
        start, end = f"2026-11-30T0{n}:00:00+00:00", f"2026-11-30T0{n}:30:00+00:00"
        api_time_entry(client, alex, task["id"], start, end)
    seeded = rows(database_url)

    # Writes go on while the backup runs: each a task and its tag, in one transaction.
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        writer = make_engine(database_url)
        with writer.connect() as conn:
            while not stop.is_set() and len(written) < 2000:
                with conn.begin():
                    task_id = conn.execute(
                        insert(Task).returning(Task.id),
                        {"owner_id": alex.id, "title": f"busy {len(written)}", "notes": "",
                         "status": "todo", "importance": 2, "splittable": True,
                         "min_chunk_minutes": 30, "kind": "other", "source": "manual",
                         "created_at": seeded_at, "updated_at": seeded_at, "version": 1},
                    ).scalar_one()  # fmt: skip
                    conn.execute(insert(TaskTag), {"task_id": task_id, "tag": "busy"})
                written.append(task_id)
        writer.dispose()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        backup = tmp_path / "devday.backup"
        done = run(database_url, tmp_path, "backup", str(backup))
    finally:
        stop.set()
        thread.join()
    assert done.exit_code == 0, done.output
    assert done.output.startswith("backed up the ")

    restored = run(empty_target, tmp_path, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert restored.output.startswith(f"restored {backup} into ")
    after, now = rows(empty_target), rows(database_url)
    for name, seed in seeded.items():
        assert seed <= after[name], f"{name}: seeded rows missing after the restore"
        assert after[name] <= now[name], f"{name}: rows the source never had"

    # The restored database serves: migrations find it current, and it holds Alex's tasks.
    restored_engine = make_engine(empty_target)
    try:
        upgrade(restored_engine)
        with restored_engine.connect() as conn:
            titles = set(conn.scalars(select(Task.title)))
            busy = set(conn.scalars(select(Task.id).where(Task.title.like("busy %"))))
            tagged = set(conn.scalars(select(TaskTag.task_id).where(TaskTag.tag == "busy")))
        assert {f"Task {n}" for n in range(5)} <= titles
    finally:
        restored_engine.dispose()
    assert busy == tagged, "a task without its tag: the backup was not one snapshot"
    assert len(busy) >= 20

    again = run(empty_target, tmp_path, "restore", str(backup))
    assert again.exit_code == 1
    assert "is not empty" in again.output
    assert "restore only into an empty database" in again.output


def test_it_refuses_what_is_not_a_backup(database_url: str, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    refused = run(database_url, tmp_path, "restore", str(bogus))
    assert refused.exit_code == 1
    assert "is not a devday backup" in refused.output
    missing = run(database_url, tmp_path, "restore", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1
    assert "cannot read" in missing.output
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if database_url.startswith("sqlite") else b"SQLite format 3\x00")
    mixed = run(database_url, tmp_path, "restore", str(other))
    assert mixed.exit_code == 1
    assert "move accounts with devday export and devday import" in mixed.output
