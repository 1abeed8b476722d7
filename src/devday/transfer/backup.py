"""Backup and restore of the whole server's database.

A backup is consistent while the server runs and writes: SQLite's online backup API copies
the database as one snapshot, and ``pg_dump`` reads PostgreSQL in one transaction. The file is
a SQLite database, or ``pg_dump``'s custom format; it is written beside its name first and
renamed into place, so a failed backup never leaves half a file under that name.

A restore goes only into an empty database (none yet, or devday's tables with no rows, as a
server leaves it before the first sign-up): it never mixes two servers' data. A restored
database older than this version is brought up to date when the server starts.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, select, table
from sqlalchemy import func as sql_func
from sqlalchemy.engine import URL

SQLITE_HEADER = b"SQLite format 3\x00"
PG_HEADER = b"PGDMP"


class BackupError(Exception):
    """Why a backup or restore could not be done, in words for the person running it."""


def backup(url: str, target: Path) -> str:
    """Writes a consistent copy of the database at ``url`` to ``target``; what was backed up."""
    parsed = make_url(url)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if parsed.get_backend_name() == "sqlite":
            source = _sqlite_path(parsed)
            if not source.exists():
                raise BackupError(f"there is no database at {source}")
            _sqlite_copy(source, partial)
            what = f"SQLite database {source}"
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], parsed)
            what = f"PostgreSQL database {parsed.database}"
        partial.replace(target)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return what


def restore(url: str, source: Path) -> str:
    """Loads the backup ``source`` into the empty database at ``url``; where it went."""
    try:
        with source.open("rb") as file:
            head = file.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror or exc}") from None
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    kind = (
        "SQLite"
        if head.startswith(SQLITE_HEADER)
        else "PostgreSQL"
        if head[:5] == PG_HEADER
        else ""
    )
    if not kind:
        raise BackupError(f"{source} is not a devday backup (neither SQLite nor pg_dump's format)")
    if (kind == "SQLite") != sqlite:
        here = "SQLite" if sqlite else "PostgreSQL"
        raise BackupError(
            f"{source} is a {kind} backup and this server's database is {here}: restore it into "
            f"a {kind} database, or move accounts with devday export and devday import"
        )
    rows = _rows_in(url)
    if rows:
        raise BackupError(
            f"the database {_name(parsed)} is not empty ({rows}): restore only into an empty "
            "database, so that no data is mixed or lost"
        )
    if sqlite:
        target = _sqlite_path(parsed)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
    else:
        _run(
            [
                "pg_restore", "--no-owner", "--clean", "--if-exists", "--single-transaction",
                "--exit-on-error", f"--dbname={parsed.database}", str(source),
            ],
            parsed,
        )  # fmt: skip
    return _name(parsed)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing to back up or restore")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent snapshot even while others write."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step, under one read transaction
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source}: {exc}") from None
    finally:
        src.close()


def _rows_in(url: str) -> str:
    """What the database at ``url`` holds, as "12 rows in 3 tables"; "" when it is empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not _sqlite_path(parsed).exists():
        return ""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            counts = [
                conn.scalar(select(sql_func.count()).select_from(table(n))) or 0 for n in names
            ]
    except Exception as exc:  # unreachable or not a database: the user's to fix
        raise BackupError(f"cannot open the database {_name(parsed)}: {exc}") from None
    finally:
        engine.dispose()
    full = [count for count in counts if count]
    return f"{sum(full)} rows in {len(full)} tables" if full else ""


def _name(url: URL) -> str:
    return (
        str(url.database) if url.get_backend_name() == "sqlite" else f"{url.database} on {url.host}"
    )


def _run(command: list[str], url: URL) -> None:
    """A PostgreSQL client tool, given the server through libpq's variables (so that no
    password shows in the process list)."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools")
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[variable] = str(value)
    if "sslmode" in url.query:
        env["PGSSLMODE"] = str(url.query["sslmode"])
    # The command is one of two fixed tools with our own arguments; no shell is involved.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split()) or f"exit code {done.returncode}"
        raise BackupError(f"{command[0]} failed: {detail}")
