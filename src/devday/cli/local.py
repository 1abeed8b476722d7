"""Local mode: the API over the local database, in this process, answering at once.

``LocalTransport`` sends each request to a fast route when one answers it (``fastpath``: the
same domain services, views and schemas as the API's route, without building the web app), and
otherwise to the JSON API app built in this process with the routers that serve the request.
The app is built on the first request that needs it, so a command that only reads what the
fast routes serve never imports FastAPI. Opening the database checks that its schema is
current and migrates it only when it is not.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devday.account.localuser import LOCAL_USER_HEADER
from devday.cli.client import JSON, ApiClient, CliError, Reply, reply_of

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.testclient import TestClient

    from devday.cli.envsettings import EnvSettings
    from devday.config import Settings

WHERE = "the local database"


class CallClock:
    """The clock the local API reads: whatever the current command's ``now`` says."""

    def __init__(self) -> None:
        self.source: Callable[[], datetime] | None = None

    def now(self) -> datetime:
        if self.source is None:  # pragma: no cover - a transport always sets it first
            raise RuntimeError("no clock set")
        return self.source()


class LocalBackend:
    """The local database: its engine, session factories, clock, and the API app when needed.

    One per process in normal use; tests keep one across commands (see ``BackendPool``)."""

    def __init__(self, settings: Settings | EnvSettings) -> None:
        from devday import migrate
        from devday.db import make_engine, make_session_factory

        url = settings.resolved_database_url()
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # the default SQLite file lives there
        try:
            engine = make_engine(url)
            migrate.upgrade_if_needed(engine)
        except Exception as exc:  # a broken URL or an unreachable server: the user's to fix
            raise CliError(
                f"cannot open the database {_safe_url(url)}: {_first_line(exc)}"
            ) from None
        self._given = settings
        self.engine: Engine = engine
        self.reader: sessionmaker[Session] = make_session_factory(engine)
        self.clock = CallClock()
        self._apps: dict[tuple[str, ...], tuple[FastAPI, TestClient]] = {}

    @functools.cached_property
    def settings(self) -> Settings:
        """All the settings, as the API app takes them; read when the app is first built."""
        from devday.cli.envsettings import full

        return full(self._given)

    @functools.cached_property
    def writer(self) -> sessionmaker[Session]:
        """Sessions that may write, wired as the app's are (``devday.wiring``: live plans and
        domain events); built on first use, so that a read imports none of it."""
        from devday import wiring

        return wiring.writer_sessions(self.engine, self.clock)

    def app(self, path: str = "") -> TestClient:
        """The JSON API in this process with the routers that serve ``path`` (all of them for
        no path), built on first use."""
        from devday.app import routers_for

        routers = routers_for(path)
        if routers not in self._apps:
            from starlette.testclient import TestClient

            from devday.app import create_app

            api = create_app(
                self.settings,
                engine=self.engine,
                clock=self.clock,
                trust_local_user=True,
                pages=False,
                routers=routers,
            )
            # Server errors come back as a 500 with a logged traceback, like from a server.
            client = TestClient(api, base_url="http://devday.local", raise_server_exceptions=False)
            self._apps[routers] = (api, client)
        return self._apps[routers][1]

    def begin(self) -> None:
        """A new command: the in-memory rate limits start afresh, as in a new process (with
        Redis configured, every process shares the counts anyway)."""
        if self._apps:
            from devday.account.ratelimit import RateLimits

            for api, _client in self._apps.values():
                api.state.devday.rate_limits = RateLimits(self.settings.redis_url)

    def close(self) -> None:
        for _api, client in self._apps.values():
            client.close()
        self._apps.clear()
        self.engine.dispose()


class BackendPool:
    """Keeps one ``LocalBackend`` across commands run in one process (the CLI's tests)."""

    def __init__(self) -> None:
        self._backends: dict[str, LocalBackend] = {}

    def get(self, settings: Settings) -> LocalBackend:
        # With the database and the key named, the data folder changes nothing the API sees.
        named = bool(settings.database_url and settings.secret_key)
        key = settings.model_dump_json(exclude={"data_dir"} if named else None)
        if key not in self._backends:
            self._backends[key] = LocalBackend(settings)
        return self._backends[key]

    def close(self) -> None:
        for backend in self._backends.values():
            backend.close()
        self._backends.clear()


class LocalTransport:
    """Requests to the local database: a fast route when one answers, else the API app."""

    def __init__(
        self,
        backend: LocalBackend,
        now: Callable[[], datetime],
        *,
        owned: bool = True,
        then_start: Path | None = None,
    ) -> None:
        self.backend = backend
        self.now = now
        self._owned = owned
        self._then_start = then_start  # the data folder whose resident server to start

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        body: JSON,
        headers: dict[str, str],
    ) -> Reply:
        from devday.cli import fastpath  # here: a command the resident server answers needs none

        self.backend.clock.source = self.now
        reply = fastpath.answer(
            self.backend, method, path, params=params, headers=headers, now=self.now
        )
        if reply is not None:
            return reply
        response = self.backend.app(path).request(
            method, path, params=params, json=body, headers=headers
        )
        return reply_of(response)

    def close(self) -> None:
        if self._owned:
            self.backend.close()
        if self._then_start is not None:
            from devday.cli import resident

            resident.start(self._then_start)
            self._then_start = None


def local_client(
    *,
    user: str | None,
    now: Callable[[], datetime],
    pool: BackendPool | None = None,
    resident: bool = False,
) -> ApiClient:
    """The API over the local database, acting as ``user``.

    Without ``user`` it acts as the only account in the database; with none or several it
    says how to choose. Migrates the database first when its schema is behind, as
    ``devday serve`` does. With ``resident``, the resident server's API when one is running
    (``devday.cli.resident``), and else this process's, which starts one when the command ends.
    """
    from devday.cli import envsettings

    if resident and pool is None:
        from devday.cli import resident as resident_server

        found = resident_server.client(envsettings.data_dir(), user)
        if found is not None:
            return found
    settings = envsettings.read()
    if pool is not None:
        backend = pool.get(envsettings.full(settings))
    else:
        backend = LocalBackend(settings)
    backend.begin()
    chosen: list[str] = []

    def auth_headers() -> dict[str, str]:
        if not chosen:
            chosen.append(local_user_email(backend.engine, user))
        return {LOCAL_USER_HEADER: chosen[0]}

    transport = LocalTransport(
        backend, now, owned=pool is None, then_start=settings.data_dir if resident else None
    )
    return ApiClient(transport, where=WHERE, auth_headers=auth_headers)


def local_user_email(engine: Engine, named: str | None) -> str:
    """The account the in-process CLI acts for; only a read of the users table's emails."""
    from sqlalchemy import func, select

    from devday.account.models import User

    with engine.connect() as connection:
        if named:
            query = select(User.email).where(func.lower(User.email) == named.strip().lower())
            found = connection.execute(query).scalar_one_or_none()
            if found is None:
                raise CliError(
                    f"no account {named!r} in the local database; "
                    f"create it with 'devday user create {named}'"
                )
            return found
        emails = list(connection.execute(select(User.email).limit(2)).scalars())
    if not emails:
        raise CliError(
            "no account in the local database yet; create one with 'devday user create EMAIL'"
        )
    if len(emails) > 1:
        raise CliError(
            "the local database has several accounts; choose one with 'devday use EMAIL', "
            "--user EMAIL or DEVDAY_USER"
        )
    return emails[0]


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _safe_url(url: str) -> str:
    """``url`` without a password, fit to print."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = rest.split("@", 1)[1]
        return f"{scheme}{sep}...@{rest}"
    return url
