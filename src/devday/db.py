"""The declarative Base, engine construction and the session factory.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL goes through
psycopg 3. Callers own transactions: a request, a job or a CLI command opens one session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Table, "after_parent_attach")
def _never_reuse_ids(table: Table, parent: Any) -> None:
    # Without AUTOINCREMENT, SQLite gives a new row the id of a deleted one (the highest, plus
    # one), so that an old link or notification would point at another object. Every table of
    # the models gets it; PostgreSQL's sequences never reuse ids anyway.
    if parent is Base.metadata:
        table.dialect_kwargs["sqlite_autoincrement"] = True


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored as UTC.

    SQLite has no timezone type, so values are normalised to UTC on the way in and marked UTC on
    the way out; naive datetimes are refused so that no local time is ever stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every stored time must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        # On SQLite, one step from the stored text to the UTC instant, where SQLAlchemy's
        # DATETIME would parse it and ``process_result_value`` then mark it UTC: ``replace`` alone
        # costs more than parsing, and a thousand-task list reads thousands of instants.
        if dialect.name == "sqlite":
            return _utc_from_sqlite
        return super().result_processor(dialect, coltype)


def _utc_from_sqlite(value: str | None) -> datetime | None:
    """A stored SQLite DATETIME as ``UTCDateTime`` reads it: the same instant, in UTC."""
    if value is None:
        return None
    if len(value) == 26:  # as SQLAlchemy writes them, 'YYYY-MM-DD HH:MM:SS.ffffff', in UTC
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            pass
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class EpochMicroseconds(FunctionElement[int]):
    """An instant (a ``UTCDateTime`` column, or an expression of them) as whole microseconds
    since 1970, computed exactly by the database: differences of two are durations that sum
    without rounding, as ``timedelta`` does."""

    type = BigInteger()
    name = "epoch_microseconds"
    inherit_cache = True


@compiles(EpochMicroseconds, "postgresql")
def _epoch_postgresql(element: EpochMicroseconds, compiler: Any, **kw: Any) -> str:
    # EXTRACT gives numeric seconds (exact to the microsecond) since PostgreSQL 14.
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000000 AS BIGINT)"
    )


@compiles(EpochMicroseconds, "sqlite")
def _epoch_sqlite(element: EpochMicroseconds, compiler: Any, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC). strftime reads at most milliseconds (and
    # rounds), so it gets the whole seconds alone, and the six digits are added after.
    value = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', substr({value}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({value}, 21, 6) AS INTEGER))"
    )


IMMEDIATE = "devday_sqlite_immediate"
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        engine = create_engine(url, connect_args=connect_args)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy issue BEGIN itself, so that BEGIN IMMEDIATE works for writers.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A writer takes the lock at BEGIN: a deferred transaction that reads first and
            # writes later fails at once ("database is locked") when another wrote meanwhile.
            immediate = conn.get_execution_options().get(IMMEDIATE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


# A pooled connection that sat unused this long is tested before use: the server may have
# restarted meanwhile. One in steady use is not (a ping is a round trip, on every request): if
# the server went away under it, the request fails (503), and that failure renews the whole pool.
IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool drops this connection and checks out another (a new one if need be).
            raise sa_exc.DisconnectionError(f"stale connection: {exc}") from exc


def make_session_factory(
    engine: Engine, *, writer: bool = False, reader: bool = False
) -> sessionmaker[Session]:
    """Sessions over ``engine``; a ``writer`` session takes SQLite's write lock as it begins.

    A ``reader`` session is for requests that never write (GET): on PostgreSQL it runs in
    autocommit, which saves the BEGIN and ROLLBACK round trips and reads the same (under READ
    COMMITTED every statement takes its own snapshot either way). A write through it would
    commit at once, so nothing that may write uses it; on SQLite it is a plain session.
    """
    bind = engine.execution_options(**{IMMEDIATE: True}) if writer else engine
    if reader and engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind=bind, expire_on_commit=False)


def releases_without_io(session: Session) -> bool:
    """Whether closing ``session`` sends nothing to the database: it holds no connection (none
    taken, or given back at commit), or only a PostgreSQL one in autocommit (a reader's), where
    the server has no transaction to roll back."""
    if not session.in_transaction():
        return True
    bind = session.get_bind()
    return (
        bind.dialect.name == "postgresql"
        and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    )


@contextmanager
def brief_transaction(engine: Engine, *, wait_seconds: float) -> Iterator[Connection]:
    """A transaction of its own that waits at most ``wait_seconds`` for a lock held by another
    (OperationalError past that): for a write that may be skipped when the database is busy."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # before BEGIN, so that taking the write lock waits this long only
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
            conn.commit()
        try:
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_seconds * 1000)}")
                yield conn
        finally:
            if sqlite:  # the pooled connection goes back with its usual patience
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
                conn.commit()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block succeeds, rolled back if it raises."""
    with factory() as session, session.begin():
        yield session


# SQLite's messages for a database that cannot be used now, as opposed to a wrong statement
# ("no such table", "syntax error"), which stays a bug to fix.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "disk is full")


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve us right now (down, unreachable, the pool
    exhausted, the file locked or gone) rather than that a statement was wrong: such a request
    may succeed if tried again later."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
        return True
    if not isinstance(exc, sa_exc.OperationalError):
        return False
    if type(exc.orig).__module__ == "sqlite3":
        message = str(exc.orig).lower()
        return any(part in message for part in _SQLITE_UNAVAILABLE)
    return True  # psycopg: connection refused or lost, server shutting down, query cancelled
