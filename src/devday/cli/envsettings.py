"""The few settings a local command reads, from the environment, without ``devday.config``.

``devday.config.Settings`` validates every ``DEVDAY_*`` variable through pydantic-settings,
whose import is a large part of a local command's start-up, while a command needs only the data
folder and the database. ``read()`` gives those as ``Settings`` would when the environment
holds no ``DEVDAY_*`` setting beyond the ones read here, each with a value ``Settings`` takes
as it is; otherwise (another setting, or a value to validate) it gives ``Settings()`` itself,
so that a setting ``Settings`` refuses fails a command as it always has.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from devday.config import Settings

PREFIX = "devday_"
# Variables with the prefix that are not settings: Settings ignores them.
NOT_SETTINGS = frozenset({"server", "token", "user", "debug", "resident_minutes"})
TEXT = frozenset({"data_dir", "database_url", "secret_key"})
# What pydantic reads as a bool (case and surrounding blanks aside).
BOOLS = frozenset({"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"})


class EnvSettings(NamedTuple):
    """``Settings``' data folder and database, read as ``Settings`` reads them."""

    data_dir: Path
    database_url: str

    def resolved_database_url(self) -> str:
        """``Settings.resolved_database_url``."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{self.data_dir / 'devday.sqlite3'}"


def read() -> EnvSettings | Settings:
    """The settings: an ``EnvSettings`` when that is certain to be what ``Settings`` reads,
    else ``Settings()``."""
    # pydantic-settings matches names case-insensitively; the last of two spellings wins.
    found = {name.lower(): value for name, value in os.environ.items()}
    values: dict[str, str] = {}
    for name, value in found.items():
        if not name.startswith(PREFIX):
            continue
        key = name.removeprefix(PREFIX)
        if key in NOT_SETTINGS:
            continue
        if key == "demo" and value.strip().lower() in BOOLS:
            continue  # valid, and nothing a command reads
        if key not in TEXT or (key == "data_dir" and not value):
            return _full()
        values[key] = value
    url = values.get("database_url", "")
    if url and not url.startswith(("sqlite", "postgresql")):
        return _full()  # Settings names the problem
    data_dir = values.get("data_dir")
    return EnvSettings(Path(data_dir) if data_dir else _default_data_dir(), url)


def full(settings: EnvSettings | Settings) -> Settings:
    """``settings`` as the ``Settings`` the API app needs."""
    from devday.config import Settings

    return settings if isinstance(settings, Settings) else Settings()


def _full() -> Settings:
    from devday.config import Settings

    return Settings()


def unchecked() -> EnvSettings:
    """The data folder and database as ``read`` gives them, without validating any other
    setting (the resident server's socket and database file are named from these)."""
    # pydantic-settings matches names case-insensitively; the last of two spellings wins.
    found = {name.lower(): value for name, value in os.environ.items()}
    named = found.get(PREFIX + "data_dir", "")
    return EnvSettings(
        Path(named) if named else _default_data_dir(), found.get(PREFIX + "database_url", "")
    )


def data_dir() -> Path:
    """The data folder ``Settings`` reads, without validating any other setting."""
    return unchecked().data_dir


def sqlite_path() -> Path | None:
    """The SQLite file the settings name (the data folder's by default), or None for another
    database. Read without SQLAlchemy, which a command answered by the resident server never
    imports."""
    scheme, _, rest = unchecked().resolved_database_url().partition(":///")
    if scheme.split("+")[0] != "sqlite" or not rest:
        return None
    return Path(rest.split("?", 1)[0])


def _default_data_dir() -> Path:
    """``devday.config.default_data_dir``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "devday"
