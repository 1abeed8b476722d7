"""While the database is unavailable, requests answer 503 with Retry-After (the API's error body,
or a page for a browser) and the connection stays open for the next request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy import exc as sa_exc

from devday import db
from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import make_engine
from tests.factories import sign_up as api_sign_up
from tests.served import Connection, served

TOKEN = {"Authorization": "Bearer dd_not_checked_while_the_database_is_down"}


def _down_sqlite(tmp_path: Path) -> Engine:
    # The database file's folder is gone (an unmounted disk, a deleted data folder).
    return make_engine(f"sqlite:///{tmp_path / 'gone' / 'devday.sqlite3'}")


def _down_postgres() -> Engine:
    # Nothing listens on port 1: every connection is refused, as while PostgreSQL is down.
    return make_engine("postgresql+psycopg://devday@127.0.0.1:1/devday?connect_timeout=2")


@pytest.fixture(params=["sqlite", "postgresql"])
def down_app(
    request: pytest.FixtureRequest, settings: Settings, clock: MockClock, tmp_path: Path
) -> Iterator[FastAPI]:
    engine = _down_sqlite(tmp_path) if request.param == "sqlite" else _down_postgres()
    yield create_app(settings, engine=engine, clock=clock)
    engine.dispose()


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_it_answers_503_with_retry_after_and_keeps_the_connection(
    down_app: FastAPI, http: str
) -> None:
    with served(down_app, http) as port, Connection(port) as conn:
        first = conn.request("GET", "/api/v1/tasks", headers=TOKEN)
        assert first.status == 503
        assert first.headers["retry-after"] == "5"
        assert json.loads(first.body) == {
            "detail": "the database is unavailable; try again shortly",
            "errors": [],
        }
        second = conn.request("POST", "/api/v1/tasks", b'{"title": "a"}', headers=TOKEN)
        assert second.status == 503  # answered on the same connection, not reset
        docs = conn.request("GET", "/api/v1/openapi.json")
        assert docs.status == 200


def test_it_shows_a_page_while_the_database_is_down(down_app: FastAPI) -> None:
    cookie = down_app.state.devday.signer.dumps("some-session-key", salt="session")
    with served(down_app) as port, Connection(port) as conn:
        page = conn.request("GET", "/today", headers={"Cookie": f"devday_session={cookie}"})
        assert page.status == 503
        assert page.headers["retry-after"] == "5"
        assert page.headers["content-type"].startswith("text/html")
        assert b"temporarily unavailable" in page.body
        again = conn.request("GET", "/login")
        assert again.status == 200


def test_it_answers_503_when_no_pooled_connection_comes_free(
    settings: Settings, clock: MockClock, database_url: str, engine: Engine
) -> None:
    small = create_engine(make_url(database_url), pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(settings, engine=small, clock=clock)
    held = small.connect()  # every connection of the pool is in use
    try:
        with served(app) as port, Connection(port) as conn:
            busy = conn.request("GET", "/api/v1/me", headers=TOKEN)
            assert busy.status == 503
            assert busy.headers["retry-after"] == "5"
            held.close()
            free = conn.request("GET", "/api/v1/me", headers=TOKEN)
            assert free.status == 401  # the database answers again: the token is unknown
    finally:
        held.close()
        small.dispose()


def test_it_takes_the_retry_after_from_the_settings(
    settings: Settings, clock: MockClock, tmp_path: Path
) -> None:
    engine = _down_sqlite(tmp_path)
    later = settings.model_copy(update={"unavailable_retry_after_seconds": 30})
    app = create_app(later, engine=engine, clock=clock)
    with served(app) as port, Connection(port) as conn:
        assert conn.request("GET", "/api/v1/me", headers=TOKEN).headers["retry-after"] == "30"
    engine.dispose()


def test_it_still_answers_500_to_a_wrong_statement(engine: Engine) -> None:
    with pytest.raises(sa_exc.DBAPIError) as raised, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not db.unavailable(raised.value)


def test_it_counts_a_locked_sqlite_database_as_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    holder = create_engine(f"sqlite:///{path}")
    other = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
    with holder.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.commit()
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        with pytest.raises(sa_exc.OperationalError) as raised, other.connect() as second:
            second.exec_driver_sql("SELECT * FROM t")
        conn.rollback()
    assert db.unavailable(raised.value)
    holder.dispose()
    other.dispose()


def test_it_renews_its_connections_after_postgresql_dropped_them(
    database_url: str, engine: Engine, settings: Settings, clock: MockClock
) -> None:
    # A pooled connection in steady use is not pinged before each request (a round trip every
    # time): when the server has dropped it (a restart), the request on it answers 503, never
    # 500, and that failure renews the whole pool, so the next ones succeed.
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL drops connections; SQLite has none to drop")
    joiner = "&" if "?" in database_url else "?"
    own = make_engine(f"{database_url}{joiner}application_name=devday_dropped")
    try:
        with TestClient(create_app(settings, engine=own, clock=clock)) as client:
            alice = api_sign_up(client, "Alice")
            for _ in range(3):
                assert client.get("/api/v1/tasks", headers=alice.headers).status_code == 200
            with engine.begin() as conn:
                dropped = conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE application_name = 'devday_dropped'"
                    )
                ).scalar()
            assert dropped and dropped >= 1
            answers = [
                client.get("/api/v1/tasks", headers=alice.headers).status_code for _ in range(4)
            ]
            assert 500 not in answers and answers.count(503) <= 1, answers
            assert answers[-3:] == [200, 200, 200]
            added = client.post("/api/v1/tasks", json={"title": "after"}, headers=alice.headers)
            assert added.status_code == 201, added.text
    finally:
        own.dispose()
