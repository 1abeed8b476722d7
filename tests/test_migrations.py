from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from devday import migrate
from devday.db import Base, make_engine


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
