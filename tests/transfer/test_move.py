"""devday move-database: a SQLite database, every table holding rows, moved into PostgreSQL.

These tests need a PostgreSQL server whatever database the rest of the suite runs on: its
admin URL is DEVDAY_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), and
they are skipped only when nothing answers there."""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    Time,
    create_engine,
    func,
    insert,
    make_url,
    select,
    text,
)
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import devday.models  # noqa: F401  (every table in Base.metadata)
from devday import demo
from devday.cli.main import app as cli
from devday.db import Base, UTCDateTime, make_engine
from devday.migrate import upgrade
from devday.task.models import Task
from devday.transfer.move import MoveError, move
from tests.conftest import START

ADMIN_URL = os.environ.get(
    "DEVDAY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped after the test."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        conn = admin.connect()
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server at {make_url(ADMIN_URL).host}: {exc}")
    name = f"move_test_{os.getpid()}"
    with conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Rows the generic filler cannot guess: a column's value that a CHECK constraint asks for.
OVERRIDES: dict[str, dict[str, Any]] = {
    "channel": {"team_id": None},
    "project": {"team_id": None},
}


def _value(table: Table, column: Any, conn: Any) -> Any:
    """A value that fits ``column``: the first row of the table a foreign key names, else one
    by type."""
    if column.foreign_keys:
        parent = next(iter(column.foreign_keys)).column
        return conn.scalar(select(parent).order_by(parent).limit(1))
    kind = column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return next(iter(kind.enum_class))
    if isinstance(kind, Enum):
        return kind.enums[0]
    if isinstance(kind, UTCDateTime):
        return START
    if isinstance(kind, DateTime):
        return START.replace(tzinfo=None)
    if isinstance(kind, Date):
        return START.date()
    if isinstance(kind, Time):
        return time(9, 30)
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Float | Numeric):
        return 1.5
    if isinstance(kind, JSON):
        return {"filled": [1, "two"]}
    if isinstance(kind, LargeBinary):
        return b"\x00filled"
    if isinstance(kind, String | Text):
        length = getattr(kind, "length", None) or 20
        return "x" * min(length, 8)
    raise AssertionError(f"{table.name}.{column.name}: no test value for {kind!r}")


def _serial(column: Any) -> bool:
    """A primary key the database numbers itself."""
    return bool(column.primary_key and isinstance(column.type, Integer) and not column.foreign_keys)


def fill_every_table(engine: Engine) -> dict[str, int]:
    """The demo, then one row in each table it leaves empty; rows per table."""
    with Session(engine) as session, session.begin():
        demo.seed(session=session, now=START)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.scalar(select(func.count()).select_from(table)):
                continue
            row = {
                column.name: _value(table, column, conn)
                for column in table.columns
                if not (column.primary_key and column.autoincrement is True)
                and not (
                    column.primary_key
                    and isinstance(column.type, Integer)
                    and not column.foreign_keys
                )
            }
            row.update(OVERRIDES.get(table.name, {}))
            conn.execute(insert(table), row)
        counts = {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
    empty = [name for name, n in counts.items() if not n]
    assert not empty, f"tables with no rows to move: {empty}"
    return counts


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(_normal(v) for v in row) for row in conn.execute(select(table))), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'devday.sqlite3'}"


def test_it_moves_every_row_of_every_table_into_postgresql(
    sqlite_url: str, postgres: str, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    source = make_engine(sqlite_url)
    try:
        upgrade(source)
        counts = fill_every_table(source)
        before = every_row(source)
    finally:
        source.dispose()

    env = {"DEVDAY_DATABASE_URL": sqlite_url, "DEVDAY_DATA_DIR": str(tmp_path / "data")}
    done = CliRunner().invoke(cli, ["move-database", postgres], env=env)
    assert done.exit_code == 0, done.output
    assert "moved SQLite database" in done.stdout
    for name, n in counts.items():
        assert f"  {name}: {n} rows\n" in done.stdout
        assert f"{name}: {n} rows\n" in done.stderr  # the progress, one line a table
    assert f"{sum(counts.values())} rows in {len(counts)} tables" in done.stdout

    target = make_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        after = every_row(target)
        for name in before:
            assert after[name] == before[name], f"{name}: rows differ after the move"
        # The sequences are past the largest id: a new task gets the next one.
        with target.begin() as conn:
            largest = conn.scalar(select(func.max(Task.id)))
            row = conn.execute(select(Task).limit(1)).mappings().one()
            new = {k: v for k, v in row.items() if k != "id"} | {"title": "after the move"}
            new_id = conn.execute(insert(Task).returning(Task.id), new).scalar_one()
        assert largest is not None and new_id > largest
        with target.connect() as conn:
            version = conn.scalar(text("SELECT version_num FROM alembic_version"))
        assert version
    finally:
        target.dispose()

    again = CliRunner().invoke(cli, ["move-database", postgres], env=env)
    assert again.exit_code == 1
    assert "the target is not empty: its table " in again.output
    assert "has rows" in again.output


def test_a_failure_part_way_leaves_the_target_as_it_was(
    sqlite_url: str, postgres: str, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    source = make_engine(sqlite_url)
    try:
        upgrade(source)
        with Session(source) as session, session.begin():
            demo.seed(session=session, now=START)
        # A row PostgreSQL refuses (a NUL character in text), in a table copied late.
        with source.begin() as conn:
            conn.execute(text("UPDATE task SET notes = 'bad' || char(0) || 'byte' WHERE id = 2"))
    finally:
        source.dispose()

    def progress(table: str, done: int, total: int) -> None:
        pass

    with pytest.raises(MoveError) as failed:
        move(sqlite_url, postgres, progress)
    message = str(failed.value)
    assert "the move failed while copying task" in message
    assert "nothing was written to PostgreSQL database move_test_" in message

    target = make_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with target.connect() as conn:
            tables = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
        assert tables == [], "a failed move left tables behind"
    finally:
        target.dispose()


def test_it_refuses_what_it_cannot_move(sqlite_url: str, tmp_path: Path) -> None:
    env = {"DEVDAY_DATABASE_URL": sqlite_url, "DEVDAY_DATA_DIR": str(tmp_path / "data")}
    missing = CliRunner().invoke(cli, ["move-database", "postgresql://u@127.0.0.1/x"], env=env)
    assert missing.exit_code == 1
    assert "there is no database at" in missing.output
    (tmp_path / "data").mkdir(exist_ok=True)
    engine = make_engine(sqlite_url)
    upgrade(engine)
    engine.dispose()
    to_sqlite = CliRunner().invoke(cli, ["move-database", "sqlite:///other.db"], env=env)
    assert to_sqlite.exit_code == 1
    assert "the target must be a PostgreSQL database" in to_sqlite.output
    unreachable = CliRunner().invoke(
        cli, ["move-database", "postgresql://u@127.0.0.1:1/nowhere"], env=env
    )
    assert unreachable.exit_code == 1
    assert "cannot connect to PostgreSQL database nowhere on 127.0.0.1" in unreachable.output
