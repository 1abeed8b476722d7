from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from devday import migrate
from devday.db import Base, make_engine
from tests.factories import Account


def test_it_has_migrations_that_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_it_reads_the_heads_alembic_reads_from_the_migration_files() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.heads() == frozenset(scripts.get_heads())
    assert len(migrate.heads()) == 1


def test_it_tells_a_current_database_from_one_to_migrate(engine: Engine, tmp_path: Path) -> None:
    assert migrate.is_current(engine)  # the suite's database, migrated at the start
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert migrate.stored(fresh) == frozenset()
        assert not migrate.is_current(fresh)
        assert migrate.upgrade_if_needed(fresh) is True
        assert migrate.is_current(fresh)
        assert migrate.upgrade_if_needed(fresh) is False
        with fresh.begin() as conn:  # as if a newer devday had not run yet on an older schema
            conn.execute(text("UPDATE alembic_version SET version_num = 'd2ea14f75368'"))
        assert not migrate.is_current(fresh)
    finally:
        fresh.dispose()


def _insert_user(conn: Connection, email: str) -> int:
    conn.execute(
        text(
            "INSERT INTO user_account (email, name, password_hash, timezone, created_at) "
            "VALUES (:email, 'x', 'x', 'UTC', '2026-11-30 09:00:00')"
        ),
        {"email": email},
    )
    return int(conn.execute(text("SELECT max(id) FROM user_account")).scalar_one())


def _insert_team(conn: Connection) -> int:
    conn.execute(
        text(
            "INSERT INTO team (name, timezone, meeting_time, standup_reminder_minutes, created_at)"
            " VALUES ('t', 'UTC', '15:00', 30, '2026-11-30 09:00:00')"
        )
    )
    return int(conn.execute(text("SELECT max(id) FROM team")).scalar_one())


def test_it_never_reuses_ids_on_a_sqlite_database_upgraded_with_rows(tmp_path: Path) -> None:
    old = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        config = migrate.alembic_config()
        with old.begin() as conn:  # a database made by the release before ids were kept
            config.attributes["connection"] = conn
            command.upgrade(config, "f1liveplan")
        with old.begin() as conn:
            users = [_insert_user(conn, f"u{n}@example.com") for n in range(3)]
            teams = [_insert_team(conn) for _ in range(2)]
            for user in users:
                conn.execute(
                    text(
                        "INSERT INTO api_token (user_id, name, prefix, token_hash, created_at) "
                        "VALUES (:u, 'cli', 'dd_', :h, '2026-11-30 09:00:00')"
                    ),
                    {"u": user, "h": f"hash{user}"},
                )
                conn.execute(
                    text(
                        "INSERT INTO team_member (team_id, user_id, role, joined_at) "
                        "VALUES (:t, :u, 'owner', '2026-11-30 09:00:00')"
                    ),
                    {"t": teams[0], "u": user},
                )
        migrate.upgrade(old)
        with old.begin() as conn:
            # The rebuild kept every row, those that refer to rebuilt tables included.
            assert conn.execute(text("SELECT count(*) FROM api_token")).scalar_one() == 3
            assert conn.execute(text("SELECT count(*) FROM team_member")).scalar_one() == 3
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            conn.execute(text("DELETE FROM user_account WHERE id = :id"), {"id": users[-1]})
            assert conn.execute(text("SELECT count(*) FROM api_token")).scalar_one() == 2
            assert _insert_user(conn, "new@example.com") > users[-1]
            conn.execute(text("DELETE FROM team WHERE id = :id"), {"id": teams[-1]})
            assert _insert_team(conn) > teams[-1]
    finally:
        old.dispose()


def test_it_never_reuses_the_id_of_a_deleted_row(client: TestClient, alice: Account) -> None:
    def made(path: str, body: dict[str, object]) -> int:
        response = client.post(path, json=body, headers=alice.headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    kinds: list[tuple[str, Callable[[int], dict[str, object]]]] = [
        ("/api/v1/tasks", lambda n: {"title": f"task {n}"}),
        ("/api/v1/projects", lambda n: {"name": f"project {n}"}),
        (
            "/api/v1/channels",
            lambda n: {"kind": "webhook", "name": f"c{n}", "target": "https://x.test/h"},
        ),
    ]
    for path, body in kinds:
        first, newest = made(path, body(1)), made(path, body(2))
        deleted = client.delete(f"{path}/{newest}", headers=alice.headers)
        assert deleted.status_code == 204, deleted.text
        again = made(path, body(3))
        assert again > newest > first, path
