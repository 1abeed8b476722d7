"""Moving a whole server from SQLite to PostgreSQL.

The target must be an empty PostgreSQL database. Everything happens in one transaction on it:
the schema is made by the migrations, the rows are copied table by table (parents first, in
batches), every id sequence is set past the largest id, and the row counts are checked against
the source. If any step fails the transaction is rolled back and the target is as it was.
The source is read in one transaction too, so it may keep serving meanwhile; rows written
after the move began are not moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Integer,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    make_url,
    select,
    type_coerce,
)
from sqlalchemy import table as sql_table
from sqlalchemy import text as sql_text

from devday.db import Base, make_engine

BATCH = 5000


class MoveError(Exception):
    """Why a move could not be done, in words for the person running it."""


@dataclass(frozen=True)
class Moved:
    """What one table held, in the source and in the target after the move."""

    table: str
    rows: int


Progress = Callable[[str, int, int], None]
"""Called as rows go: (table, rows copied so far, rows in the table)."""


def postgres_url(url: str) -> str:
    """``url`` with the driver devday uses for PostgreSQL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe(url: str) -> str:
    """The database at ``url`` in words, without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite database {parsed.database}"
    return f"PostgreSQL database {parsed.database} on {parsed.host or 'localhost'}"


def move(source_url: str, target_url: str, progress: Progress | None = None) -> list[Moved]:
    """Copies the SQLite database at ``source_url`` into the empty PostgreSQL database at
    ``target_url``; what each table holds. Raises MoveError and leaves the target untouched
    if anything fails."""
    import devday.models  # noqa: F401  (every table in Base.metadata)

    source_parsed = make_url(source_url)
    if source_parsed.get_backend_name() != "sqlite":
        raise MoveError(
            f"the configured database is {describe(source_url)}, not SQLite: there is nothing "
            "to move (use devday backup and devday restore to copy a PostgreSQL database)"
        )
    try:
        target_parsed = make_url(target_url)
    except Exception:
        raise MoveError(
            f"{target_url!r} is not a database URL: use postgresql://user:password@host/name"
        ) from None
    if target_parsed.get_backend_name() != "postgresql":
        raise MoveError(
            "the target must be a PostgreSQL database: postgresql://user:password@host/name"
        )
    database = source_parsed.database
    if not database or database == ":memory:":
        raise MoveError("the configured database is in memory: there is nothing to move")
    from pathlib import Path

    if not Path(database).exists():
        raise MoveError(f"there is no database at {database}")

    source = make_engine(source_url)
    target = make_engine(postgres_url(target_url))
    try:
        return _move(source, target, progress)
    finally:
        source.dispose()
        target.dispose()


def _move(source: Engine, target: Engine, progress: Progress | None) -> list[Moved]:
    from devday.migrate import is_current

    try:
        current = is_current(source)
    except Exception as exc:
        raise MoveError(f"cannot read {describe(str(source.url))}: {exc}") from None
    if not current:
        raise MoveError(
            f"{describe(str(source.url))} is not at this version's schema: start devday once "
            "with it (it updates its schema on start), then move it"
        )
    try:
        target_conn = target.connect()
    except Exception as exc:
        raise MoveError(
            f"cannot connect to {describe(str(target.url))}: {_first_line(exc)}"
        ) from None
    moved: list[Moved] = []
    step = "checking that it is empty"
    try:
        with source.connect() as source_conn, source_conn.begin(), target_conn.begin():
            _refuse_non_empty(target_conn)
            step = "creating the schema"
            _schema(target_conn)
            for table in Base.metadata.sorted_tables:
                step = f"copying {table.name}"
                rows = _copy(source_conn, target_conn, table, progress)
                moved.append(Moved(table.name, rows))
            step = "setting the id sequences"
            _sequences(target_conn)
            step = "checking the row counts"
            for each in moved:
                table = Base.metadata.tables[each.table]
                there = target_conn.scalar(select(func.count()).select_from(table)) or 0
                if there != each.rows:
                    raise MoveError(
                        f"{each.table}: {each.rows} rows in the source but {there} in the target"
                    )
            step = "committing"
    except MoveError as exc:
        raise MoveError(f"{exc}; nothing was written to {describe(str(target.url))}") from None
    except Exception as exc:
        raise MoveError(
            f"the move failed while {step}: {_first_line(exc)}; nothing was written to "
            f"{describe(str(target.url))}"
        ) from None
    finally:
        target_conn.close()
    return moved


def _first_line(exc: Exception) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]


def _refuse_non_empty(conn: Connection) -> None:
    names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
    for name in sorted(names):
        if conn.scalar(select(func.count()).select_from(sql_table(name))):
            raise MoveError(
                f"the target is not empty: its table {name} has rows; move only into an "
                "empty database, so that no data is mixed or lost"
            )


def _schema(conn: Connection) -> None:
    """The migrations, run inside the transaction the move owns (PostgreSQL's DDL is
    transactional, so a failed move leaves no tables behind either)."""
    from alembic import command

    from devday.migrate import alembic_config

    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "heads")


def _copy(source: Connection, target: Connection, table: Table, progress: Progress | None) -> int:
    total = source.scalar(select(func.count()).select_from(table)) or 0
    if progress is not None:
        progress(table.name, 0, total)
    order = list(table.primary_key.columns) or list(table.columns)
    # JSON goes over as its text, so that SQL NULL stays NULL (not the JSON value null) and
    # the document is not parsed and written again.
    json = {column.name for column in table.columns if isinstance(column.type, JSON)}
    columns = [
        type_coerce(column, Text).label(column.name) if column.name in json else column
        for column in table.columns
    ]
    statement = insert(table).values(
        {name: cast(bindparam(name, type_=Text), JSON) for name in json}
    )
    result = source.execution_options(yield_per=BATCH).execute(select(*columns).order_by(*order))
    done = 0
    for batch in result.partitions():
        target.execute(statement, [row._asdict() for row in batch])
        done += len(batch)
        if progress is not None:
            progress(table.name, done, total)
    return done


def _sequences(conn: Connection) -> None:
    """Each serial id's sequence set so that the next id comes after the largest copied."""
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.scalar(
                sql_text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            )
            if sequence is None:
                continue
            largest = conn.scalar(select(func.max(column)))
            conn.execute(
                sql_text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": largest or 1, "called": largest is not None},
            )
