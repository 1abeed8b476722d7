"""One Settings object, read from the environment (prefix ``DEVDAY_``) and validated at start-up."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from devday.netguard import OutboundPolicy


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
    # Server processes for `devday serve` (each its own interpreter; --workers overrides).
    workers: int = Field(default=1, ge=1, le=64)
    # Proxies whose X-Forwarded-Proto/-For are believed: comma-separated addresses or networks,
    # "*" for any. Behind a TLS proxy this is what makes HSTS and secure cookies work.
    trusted_proxies: str = "127.0.0.1,::1"
    # Answer plain-HTTP requests (as the trusted proxy reports them) with a redirect to https.
    https_redirect: bool = False
    demo: bool = True
    # Sign-in limits (see account/login.py): failures at one account from one address; failures
    # at one account from anywhere, past which only known devices get in; attempts per address.
    login_limit_per_account_address: str = "10/15 minutes"
    login_limit_per_account: str = "50/hour"
    login_limit_per_address: str = "50/15 minutes"
    # Where users reach this server (https://devday.example.com): links in emails use it.
    public_url: str = ""
    signup_limit_per_address: str = "20/hour"
    # Team invitations sent by email, per inviter (a link to copy is not counted): anyone can
    # make a team, so this bounds the mail to strangers' addresses one account can have sent.
    invitation_email_limit_per_user: str = "20/hour"
    session_days: int = 30
    # Notifications: smtp://user:pass@host:587?starttls=true&from=devday@example.com, or
    # smtps://... for implicit TLS; empty means email channels fail with a clear error.
    smtp_url: str = ""
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    worker_lease_seconds: int = Field(default=60, ge=5)
    # Everything devday connects out to (app checks, webhooks, the team mailbox's IMAP) is
    # refused on loopback, private, shared and other non-public addresses, so that users cannot
    # aim devday at the machines around it. allow_private_urls lifts that for every address;
    # outbound_allow for some: "10.0.0.5, imap.internal:993, 10.1.0.0/16, 7=chat.internal"
    # (hosts, addresses or networks, an optional port, "team-id=" for one team only).
    allow_private_urls: bool = False
    outbound_allow: str = ""
    # App checks: probes in flight at once per worker.
    check_concurrency: int = Field(default=200, ge=1, le=5000)
    # The inbox: mail to <team-slug>@<inbox_domain> on devday's own SMTP port (off when
    # smtp_listen is empty, e.g. "127.0.0.1:2525"; any domain matches when inbox_domain is
    # empty), and the public help forms' limit per client address.
    smtp_listen: str = ""
    inbox_domain: str = ""
    help_form_limit_per_address: str = "5/hour"
    # "Poll now" of a team's mailbox (the scheduled polls are not counted).
    inbox_poll_limit_per_team: str = "6/minute"
    # Feeds: items are kept this many days; a feed is fetched at most this often (its own
    # ttl or sy:updatePeriod may ask for less often); a larger feed is refused.
    feed_keep_days: int = Field(default=30, ge=1, le=3650)
    feed_min_interval_minutes: int = Field(default=30, ge=1, le=10080)
    feed_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)

    # Single sign-on with OpenID Connect (see account/oidc.py): on when an issuer and a client id
    # are set. The issuer's /.well-known/openid-configuration is read on each sign-in; the
    # redirect URL to register at the provider is <public_url>/login/sso/callback. Allowed email
    # domains are comma-separated ("example.com, example.org"); empty allows any. The button
    # says "Sign in with <oidc_label>". password_login=false leaves only that button: password
    # sign-up, sign-in and reset links are refused (API tokens and the CLI's admin commands work).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_allowed_domains: str = ""
    oidc_label: str = "single sign-on"
    oidc_timeout_seconds: float = Field(default=10.0, gt=0)
    password_login: bool = True

    @field_validator(
        "login_limit_per_account_address",
        "login_limit_per_account",
        "login_limit_per_address",
        "signup_limit_per_address",
        "invitation_email_limit_per_user",
        "help_form_limit_per_address",
        "inbox_poll_limit_per_team",
    )
    @classmethod
    def _a_rate(cls, value: str) -> str:
        """A limit is read at start-up, not at the first sign-up that would count against it."""
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("not a rate such as 20/hour or 10/15 minutes") from None
        return value

    @field_validator("outbound_allow")
    @classmethod
    def _readable_allow_list(cls, value: str) -> str:
        if not value.strip():  # nothing to read: netguard (it loads httpx) stays unimported
            return value
        from devday import netguard

        netguard.parse_allow(value)
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("not the provider's issuer URL, https://...")
        return value

    @model_validator(mode="after")
    def _someone_can_sign_in(self) -> Settings:
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("DEVDAY_OIDC_ISSUER is set: set DEVDAY_OIDC_CLIENT_ID too")
        if not self.password_login and not self.sso_enabled:
            raise ValueError(
                "DEVDAY_PASSWORD_LOGIN=false needs single sign-on: set DEVDAY_OIDC_ISSUER and "
                "DEVDAY_OIDC_CLIENT_ID, or nobody can sign in"
            )
        return self

    @property
    def sso_enabled(self) -> bool:
        """Whether the login page offers single sign-on (an issuer and a client id are set)."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    def oidc_domains(self) -> frozenset[str]:
        """The email domains single sign-on lets in, lower case; empty for any."""
        parts = (part.strip().lower().lstrip("@") for part in self.oidc_allowed_domains.split(","))
        return frozenset(part for part in parts if part)

    @property
    def sends_email(self) -> bool:
        """Whether an outgoing mail server is set: pages that promise an email say so if not."""
        return bool(self.smtp_url)

    def outbound_policy(self) -> OutboundPolicy:
        """What the administrator allows beyond public addresses."""
        from devday import netguard

        return netguard.OutboundPolicy.of(
            allow_private=self.allow_private_urls, allow=self.outbound_allow
        )

    # Request bodies (JSON and forms): larger ones answer 413 before they are read; a body
    # that takes longer than the timeout to arrive answers 408.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # An import (/api/v1/import...) carries a whole account or another tool's export.
    max_import_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    # While the database cannot be reached, requests answer 503 with this Retry-After.
    unavailable_retry_after_seconds: int = Field(default=5, ge=1)

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


def problems(error: ValidationError) -> str:
    """What is wrong with the settings, as the administrator set them: each variable named with
    its value (``DEVDAY_WORKERS='0': input should be greater than or equal to 1``); a rule
    between settings as its message says it."""
    found = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            variable = f"DEVDAY_{str(item['loc'][0]).upper()}"
            message = f"{variable}={item['input']!r}: {message[:1].lower()}{message[1:]}"
        found.append(message)
    return "; ".join(found)
