"""One Settings object, read from the environment (prefix ``DEVDAY_``) and validated at start-up."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The user's data folder: ``$XDG_DATA_HOME/devday`` or ``~/.local/share/devday``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "devday"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEVDAY_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    secret_key: str = ""
    redis_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    demo: bool = True
    # Sign-in limits (see account/login.py): failures at one account from one address; failures
    # at one account from anywhere, past which only known devices get in; attempts per address.
    login_limit_per_account_address: str = "10/15 minutes"
    login_limit_per_account: str = "50/hour"
    login_limit_per_address: str = "50/15 minutes"
    # Where users reach this server (https://devday.example.com): links in emails use it.
    public_url: str = ""
    signup_limit_per_address: str = "20/hour"
    session_days: int = 30
    # Notifications: smtp://user:pass@host:587?starttls=true&from=devday@example.com, or
    # smtps://... for implicit TLS; empty means email channels fail with a clear error.
    smtp_url: str = ""
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    worker_lease_seconds: int = Field(default=60, ge=5)
    # Webhooks (and app checks) to loopback or private addresses; off, so that users cannot
    # aim devday at the machines around it. Turn on for a chat server on your own network.
    allow_private_urls: bool = False
    # App checks: probes in flight at once per worker.
    check_concurrency: int = Field(default=200, ge=1, le=5000)
    # The inbox: mail to <team-slug>@<inbox_domain> on devday's own SMTP port (off when
    # smtp_listen is empty, e.g. "127.0.0.1:2525"; any domain matches when inbox_domain is
    # empty), and the public help forms' limit per client address.
    smtp_listen: str = ""
    inbox_domain: str = ""
    help_form_limit_per_address: str = "5/hour"

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("DEVDAY_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return value

    def resolved_database_url(self) -> str:
        """The database to use: ``DEVDAY_DATABASE_URL``, else a SQLite file in the data folder."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{self.data_dir / 'devday.sqlite3'}"

    def resolved_secret_key(self) -> str:
        """The signing key: ``DEVDAY_SECRET_KEY``, else one made once and kept in the data folder.

        Every process sharing the data folder (or given the same key) signs the same way, so
        sessions survive restarts and work across processes.
        """
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            import secrets

            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
