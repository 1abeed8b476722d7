"""Alembic environment, for ``devday.migrate`` and for the ``alembic`` command line alike.

``devday.migrate`` hands in its own connection (``config.attributes["connection"]``) inside a
transaction it owns, so that SQLite's foreign keys can be switched off around it. From the
command line (``alembic -c alembic.ini ...``, ``make migration``) there is none: the database
is then ``sqlalchemy.url`` if the ini file or ``-x url=...`` names one, else the one devday
itself would use (``DEVDAY_DATABASE_URL``, else the SQLite file in the data folder).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from devday.models import Base


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _command_line_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    named = context.config.get_main_option("sqlalchemy.url")
    if named:
        return named
    from devday.config import Settings

    return Settings().resolved_database_url()


def run() -> None:
    handed = context.config.attributes.get("connection")
    # Only when run as ``alembic ...``: a program calling Alembic keeps its own logging.
    if context.config.cmd_opts is not None and context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():  # ``alembic upgrade --sql``: print the SQL, touch nothing
        context.configure(
            url=_command_line_url(), target_metadata=Base.metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    if handed is not None:
        _configure(handed)
        with context.begin_transaction():
            context.run_migrations()
        return
    from devday.db import make_engine

    engine = make_engine(_command_line_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
