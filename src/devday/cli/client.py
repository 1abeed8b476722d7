"""The CLI's way to the API: HTTP to a devday server, or the app itself in this process.

Either way the commands see one ``ApiClient`` that answers parsed JSON or raises ``CliError``
with the API's one-line ``detail``. The in-process transport imports the app (FastAPI,
SQLAlchemy) only when it is built, so that ``devday --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy import Engine

JSON = Any
USER_AGENT = "devday-cli"


class CliError(Exception):
    """An expected failure: shown as one ``error: ...`` line, and the CLI exits with 1."""


class ApiClient:
    """JSON over one HTTP client; ``auth_headers`` is asked only by requests that need a user."""

    def __init__(
        self,
        http: httpx2.Client,
        *,
        where: str,
        auth_headers: Callable[[], dict[str, str]],
        unauthorized_hint: str = "",
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.http = http
        self.where = where
        self._auth_headers = auth_headers
        self._hint = unauthorized_hint
        self._on_close = on_close

    def get(self, path: str, *, params: dict[str, Any] | None = None) -> JSON:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: JSON = None, *, auth: bool = True) -> JSON:
        return self.request("POST", path, body=body, auth=auth)

    def patch(self, path: str, body: JSON, *, version: int | None = None) -> JSON:
        headers = {"If-Match": f'"{version}"'} if version is not None else {}
        return self.request("PATCH", path, body=body, headers=headers)

    def delete(self, path: str) -> JSON:
        return self.request("DELETE", path)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: JSON = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> JSON:
        import httpx2

        sent = dict(headers or {})
        if auth:
            sent.update(self._auth_headers())
        try:
            response = self.http.request(method, path, params=params, json=body, headers=sent)
        except httpx2.ConnectError as exc:
            raise CliError(f"cannot reach {self.where}: {_reason(exc)}") from None
        except httpx2.TimeoutException:
            raise CliError(f"cannot reach {self.where}: timed out") from None
        except httpx2.HTTPError as exc:
            raise CliError(f"cannot talk to {self.where}: {exc}") from None
        if response.status_code >= 400:
            raise CliError(self._error_line(response, hint=auth))
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise CliError(f"{self.where} did not answer JSON on {method} {path}") from None

    def _error_line(self, response: httpx2.Response, *, hint: bool) -> str:
        detail = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            detail = body["detail"]
        if not detail:
            detail = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        line = " ".join(detail.split())
        if response.status_code == 401 and hint and self._hint:
            line = f"{line} ({self._hint})"
        return line

    def close(self) -> None:
        self.http.close()
        if self._on_close is not None:
            self._on_close()


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return text or type(exc).__name__


def remote_client(server: str, token: str | None) -> ApiClient:
    """A client of the devday at ``server``, authenticated by the API token ``token``."""
    import httpx2

    def auth_headers() -> dict[str, str]:
        if not token:
            raise CliError(
                f"not logged in to {server}; run 'devday --server {server} login' "
                "or set DEVDAY_TOKEN"
            )
        return {"Authorization": f"Bearer {token}"}

    http = httpx2.Client(base_url=server, timeout=30, headers={"User-Agent": USER_AGENT})
    return ApiClient(
        http,
        where=server,
        auth_headers=auth_headers,
        unauthorized_hint=f"run 'devday --server {server} login'",
    )


class _CallableClock:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now()


def local_client(*, user: str | None, now: Callable[[], datetime]) -> ApiClient:
    """The app in this process over the local database, acting as ``user``.

    Without ``user`` it acts as the only account in the database; with none or several it
    says how to choose. Migrates the database first, as ``devday serve`` does.
    """
    from starlette.testclient import TestClient

    from devday.app import create_app
    from devday.config import Settings
    from devday.db import make_engine
    from devday.deps import LOCAL_USER_HEADER
    from devday.migrate import upgrade

    settings = Settings()
    url = settings.resolved_database_url()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the default SQLite file lives there
    try:
        engine = make_engine(url)
        upgrade(engine)
    except Exception as exc:  # a broken URL or an unreachable server: the user's to fix
        raise CliError(f"cannot open the database {_safe_url(url)}: {_first_line(exc)}") from None
    app = create_app(settings, engine=engine, clock=_CallableClock(now), trust_local_user=True)
    # Server errors come back as a 500 with a logged traceback, like from a real server.
    http = TestClient(app, base_url="http://devday.local", raise_server_exceptions=False)
    chosen: list[str] = []

    def auth_headers() -> dict[str, str]:
        if not chosen:
            chosen.append(_local_user(engine, user))
        return {LOCAL_USER_HEADER: chosen[0]}

    return ApiClient(
        http, where="the local database", auth_headers=auth_headers, on_close=engine.dispose
    )


def _local_user(engine: Engine, named: str | None) -> str:
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
