"""One invocation's state: the global options, the clock, and the client built from them.

The root callback fills a ``CliState`` into the Typer context; commands take it with
``state(ctx)``. Tests pass their own (``CliRunner.invoke(..., obj=CliState(now=...))``) to pin
the clock, and may pass a ``BackendPool`` (``pool=``) to keep one local database backend
across commands. The client is built on first use, so commands that need no API cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devday.cli.client import ApiClient, CliError, remote_client
from devday.cli.config import FILENAME, CliConfig

if TYPE_CHECKING:
    import typer

    from devday.cli.local import BackendPool


def system_now() -> datetime:
    return datetime.now(UTC)


class CliState:
    # A plain class, not a dataclass: importing dataclasses (and inspect with it) was a tenth
    # of a read against a server.
    def __init__(
        self,
        now: Callable[[], datetime] = system_now,
        server: str | None = None,
        token: str | None = None,
        user: str | None = None,
        pool: BackendPool | None = None,
    ) -> None:
        self.now = now
        self.server = server
        self.token = token
        self.user = user
        self.pool = pool
        self._client: ApiClient | None = None
        self._me: dict[str, Any] | None = None

    def data_dir(self) -> Path:
        from devday.cli import envsettings

        return envsettings.data_dir()

    def config(self) -> CliConfig:
        return CliConfig.load(self.data_dir() / FILENAME)

    def remote_server(self) -> str | None:
        """The server to talk to: ``--server``/DEVDAY_SERVER, else the one ``login`` saved."""
        server = self.server or self.config().server
        return normalise_server(server) if server else None

    def client(self) -> ApiClient:
        if self._client is None:
            server = self.remote_server()
            if server is None:
                self._client = self.local_client(self.user or self.config().user)
            else:
                token = self.token or self.config().tokens.get(server)
                self._client = remote_client(server, token)
        return self._client

    def local_client(self, user: str | None) -> ApiClient:
        """The API over the local database, acting as ``user`` (default: the only account)."""
        from devday.cli.local import local_client

        return local_client(
            user=user, now=self.now, pool=self.pool, resident=self.now is system_now
        )

    def me(self) -> dict[str, Any]:
        """The caller's profile (GET /api/v1/me), read once per invocation."""
        if self._me is None:
            self._me = self.client().get("/api/v1/me")
        return self._me

    def timezone(self) -> str:
        return str(self.me()["timezone"])

    def when(self, text: str, option: str) -> datetime | date:
        """``text`` as a natural date in the caller's timezone, or a CliError naming ``option``."""
        from devday.dateparse import parse_when

        try:
            return parse_when(text, now=self.now(), timezone=self.timezone())
        except ValueError as exc:
            raise CliError(f"{option}: {exc}") from None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    if found is None:  # pragma: no cover - the root callback always sets one
        raise RuntimeError("no CliState in the context")
    return found


def normalise_server(server: str) -> str:
    server = server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise CliError(f"--server: {server!r} is not an http:// or https:// URL")
    return server
