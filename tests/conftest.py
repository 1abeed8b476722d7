"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL when
DEVDAY_TEST_DATABASE_URL names one; one per worker under pytest-xdist), emptied after every
test; a settable clock; an app. What tests build their data with is in ``tests.factories``
(``Account`` and ``sign_up`` are named here too, for the tests that import them from here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import Base, make_engine
from devday.migrate import upgrade
from tests.factories import Account as Account
from tests.factories import sign_up as sign_up

# The machines that run the suite are shared: Hypothesis's time-based checks (a slow example,
# slow generation) would measure the neighbours, not the code. Properties keep every example.
hypothesis_settings.register_profile(
    "devday", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("devday")

# No resident local server (devday.cli.resident) behind the CLI commands the tests run as
# processes: each answers in its own process. tests/cli/test_resident.py turns it on.
os.environ["DEVDAY_RESIDENT_MINUTES"] = "0"

# Monday 30 November 2026, 09:00 UTC (10:00 in Berlin).
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


# The longest tests (up to a minute each) go first: under pytest-xdist the other workers then
# run the short ones beside them, rather than wait for one of them at the end of the run.
LONGEST_FIRST = (
    "tests/test_schemathesis.py",
    "tests/cli/test_serve_processes.py",
    "tests/planning/test_live_machine.py",
    "tests/recurrence/test_rrule_property.py",
    "tests/inbox/test_poll_guard.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))  # a stable sort


def _test_url(tmp_root: Path, worker: str) -> str:
    url = os.environ.get("DEVDAY_TEST_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{tmp_root / 'test.sqlite3'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if worker == "master":
        return url
    # Under pytest-xdist each worker gets a database of its own, made next to the named one.
    # Its commits do not wait for the WAL to reach the disk (synchronous_commit off, as
    # SQLite's WAL with synchronous=NORMAL does not): a test database outlives no crash, and
    # the wait was about 15% of the web, task and planning tests' time on PostgreSQL.
    base = make_url(url)
    own = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{own}"'))
        conn.execute(text(f'ALTER DATABASE "{own}" SET synchronous_commit = off'))
    admin.dispose()
    return base.set(database=own).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    return _test_url(tmp_path_factory.mktemp("db"), worker_id)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_database(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # DELETE, children first, and the id sequences set back in one statement: TRUNCATE
            # of every table cost a median 122 ms a test against a few ms for this.
            conn.execute(text("; ".join(f"DELETE FROM {name}" for name in tables)))
            conn.execute(text(f"SELECT {_restarts(conn)}"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            # Restart AUTOINCREMENT counters too, as RESTART IDENTITY does on PostgreSQL.
            sequences = "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"
            if conn.execute(text(sequences)).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))


_SEQUENCES: list[str] = []


def _restarts(conn: Connection) -> str:
    """``setval(...)`` of every id sequence, so that ids start at 1 again as after RESTART
    IDENTITY (the sequences are looked up once)."""
    if not _SEQUENCES:
        _SEQUENCES.extend(
            conn.scalars(
                text(
                    "SELECT sequence_schema || '.' || sequence_name"
                    " FROM information_schema.sequences"
                    " WHERE sequence_schema = current_schema()"
                )
            )
        )
    return ", ".join(f"setval('{sequence}', 1, false)" for sequence in _SEQUENCES) or "1"


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing() -> Iterator[None]:
    """argon2id with its lightest parameters in the tests: still argon2id (a test checks the
    stored form), but hashing with the production ones was about 40% of the suite's time.
    Servers a test starts as a separate process keep the production parameters."""
    from argon2 import PasswordHasher

    from devday.account import passwords

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    original = passwords._hasher
    passwords._hasher = lambda: quick  # type: ignore[assignment]
    passwords._dummy_hash.cache_clear()
    yield
    passwords._hasher = original
    passwords._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" in request.fixturenames:
        empty_database(request.getfixturevalue("engine"))


@pytest.fixture
def clock() -> MockClock:
    return MockClock(START)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Tests talk to receivers they start on loopback.
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret",
        database_url=database_url,
        allow_private_urls=True,
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: MockClock) -> FastAPI:
    return create_app(settings, engine=engine, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def alice(client: TestClient) -> Account:
    return sign_up(client, "Alice")


@pytest.fixture
def bob(client: TestClient) -> Account:
    return sign_up(client, "Bob", timezone="America/New_York")
