"""Applies Alembic migrations; ``devday serve`` calls this on start, the CLI when it must.

``is_current`` tells without Alembic whether a database is at the newest schema: it compares
the revisions stored in ``alembic_version`` with the heads of the migration files shipped in
this package, read straight from their ``revision``/``down_revision`` lines. The CLI asks it on
every local command and runs ``upgrade`` (which imports Alembic) only when the answer is no.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, exc, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision(?:\s*:[^=\n]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=\n]*)?\s*=\s*(\([^)]*\)|[^\n]*)", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Migration files are named YYYY-MM-DD_slug.py, as the house style asks.
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    return config


def upgrade(engine: Engine) -> None:
    """Brings the database at ``engine`` to the newest schema; safe to call on every start."""
    from alembic import command

    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # A migration that rebuilds a table (batch mode on SQLite) drops the old one; with
        # foreign keys on, that would delete the rows referring to it. SQLite's own recipe:
        # turn them off outside the transaction, migrate, check them before committing.
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left rows without their parent: {broken}")
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    # On the driver's connection: through SQLAlchemy the PRAGMA would run inside a
    # transaction, where SQLite ignores it.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


@cache
def heads() -> frozenset[str]:
    """The newest revisions among the migration files: those no other file builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


def stored(engine: Engine) -> frozenset[str]:
    """The revisions the database says it is at; none when it was never migrated."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(str(row[0]) for row in rows)
    except exc.DBAPIError:  # no alembic_version table yet
        return frozenset()


def is_current(engine: Engine) -> bool:
    return stored(engine) == heads()


def upgrade_if_needed(engine: Engine) -> bool:
    """``upgrade`` unless the database is already current; says whether it migrated."""
    if is_current(engine):
        return False
    upgrade(engine)
    return True
