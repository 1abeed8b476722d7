"""Throwaway benchmark databases and the DDL the benchmark plays with.

The variants (with the indexes, without them, with trial indexes) live in copies of one seeded
database, so that their runs can be interleaved and a busy machine slows them all alike.
PostgreSQL copies are separate databases (``devday_bench``, ``devday_bench_baseline``...),
created and dropped through an autocommit connection to the URL given: the test suite's
``public`` schema is never touched.
"""

from __future__ import annotations

import abc
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Index, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError

from devday.db import make_engine
from devday.task.models import Task, TaskTag


class Scratch(abc.ABC):
    """Throwaway databases on one server, all removed on exit; copies keep data and statistics."""

    def __init__(self) -> None:
        self.engines: dict[str, Engine] = {}

    @abc.abstractmethod
    def fresh(self, name: str) -> Engine: ...

    @abc.abstractmethod
    def clone(self, name: str, source: str) -> Engine: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class SqliteScratch(Scratch):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="devday-bench-")

    def fresh(self, name: str) -> Engine:
        self.engines[name] = make_engine(f"sqlite:///{Path(self.folder.name) / name}.sqlite3")
        return self.engines[name]

    def clone(self, name: str, source: str) -> Engine:
        engine = self.fresh(name)
        with self.engines[source].connect() as src, engine.connect() as dst:
            src.connection.driver_connection.backup(dst.connection.driver_connection)  # type: ignore[union-attr]
        return engine

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        self.folder.cleanup()


class PostgresScratch(Scratch):
    """Databases named ``prefix``, ``prefix_<name>``... created through an autocommit connection
    to ``url``; that database itself is never written to."""

    def __init__(self, url: str, prefix: str, *, keep: bool = False) -> None:
        super().__init__()
        self.url, self.prefix, self.keep = url, prefix, keep
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def _database(self, name: str) -> str:
        return self.prefix if name == "ours" else f"{self.prefix}_{name}"

    def _quoted(self, name: str) -> str:
        return self.admin.dialect.identifier_preparer.quote(self._database(name))

    def _create(self, name: str, template: str | None) -> Engine:
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {self._quoted(name)} WITH (FORCE)"))
            suffix = f" TEMPLATE {self._quoted(template)}" if template else ""
            conn.execute(text(f"CREATE DATABASE {self._quoted(name)}{suffix}"))
        url = make_url(self.url).set(database=self._database(name))
        self.engines[name] = make_engine(url.render_as_string(hide_password=False))
        return self.engines[name]

    def fresh(self, name: str) -> Engine:
        return self._create(name, None)

    def clone(self, name: str, source: str) -> Engine:
        self.engines[source].dispose()  # a template database must have no connections
        return self._create(name, source)

    def close(self) -> None:
        for name, engine in self.engines.items():
            engine.dispose()
            if not self.keep:
                with self.admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {self._quoted(name)} WITH (FORCE)"))
        self.admin.dispose()


def postgres_reachable(url: str) -> bool:
    admin = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            return True
    except OperationalError:
        return False
    finally:
        admin.dispose()


def version(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())
        return "PostgreSQL " + str(conn.exec_driver_sql("SHOW server_version").scalar())


def secondary_indexes() -> list[Index]:
    """The indexes that serve the list filters: the task table's and the tag lookup."""
    return sorted(Task.__table__.indexes, key=lambda ix: str(ix.name)) + [
        ix for ix in TaskTag.__table__.indexes if ix.name == "ix_task_tag_tag"
    ]


def drop_indexes(engine: Engine) -> None:
    with engine.begin() as conn:
        for index in secondary_indexes():
            index.drop(conn)


def execute(engine: Engine, statements: list[str]) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def analyze(engine: Engine) -> None:
    """Fresh planner statistics; on PostgreSQL also a vacuum, so index-only scans are possible
    as they would be on a table that autovacuum has seen."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


@contextmanager
def capture_list_query(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Records the SQL and parameters of task-list SELECTs sent while the block runs."""
    seen: list[tuple[str, Any]] = []

    def _record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT TASK.ID"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    """EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL, one line per plan step."""
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return [str(row[0]) for row in rows]
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _, detail in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        ):
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + str(detail))
        return lines
