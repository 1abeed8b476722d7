"""One invocation's state: the global options, the clock, and the client built from them.

The root callback fills a ``CliState`` into the Typer context; commands take it with
``state(ctx)``. Tests pass their own (``CliRunner.invoke(..., obj=CliState(now=...))``) to pin
the clock. The client is built on first use, so commands that need no API cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer

from devday.cli.client import ApiClient, CliError, local_client, remote_client
from devday.cli.config import FILENAME, CliConfig


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CliState:
    now: Callable[[], datetime] = system_now
    server: str | None = None
    token: str | None = None
    user: str | None = None
    _client: ApiClient | None = field(default=None, repr=False)
    _me: dict[str, Any] | None = field(default=None, repr=False)

    def data_dir(self) -> Path:
        from devday.config import Settings

        return Settings().data_dir

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
                config = self.config()
                self._client = local_client(user=self.user or config.user, now=self.now)
            else:
                token = self.token or self.config().tokens.get(server)
                self._client = remote_client(server, token)
        return self._client

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
