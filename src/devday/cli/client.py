"""The CLI's way to the API: HTTP to a devday server, or the local database in this process.

Either way the commands see one ``ApiClient`` that answers parsed JSON or raises ``CliError``
with the API's one-line ``detail``. Below it a transport carries each request: ``HttpTransport``
to a server, or ``devday.cli.local.LocalTransport`` to the local database. Nothing heavy is
imported here, so that ``devday --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx2

JSON = Any
USER_AGENT = "devday-cli"


class CliError(Exception):
    """An expected failure: shown as one ``error: ...`` line, and the CLI exits with 1."""


@dataclass
class Reply:
    """An API answer: its status, and its body parsed (``None`` when it had none)."""

    status_code: int
    data: JSON = None
    reason: str = ""
    is_json: bool = True


class Response(Protocol):
    """What ``reply_of`` reads from an httpx (or httpx2) response."""

    @property
    def status_code(self) -> int: ...
    @property
    def content(self) -> bytes: ...
    @property
    def reason_phrase(self) -> str: ...
    def json(self) -> Any: ...


def reply_of(response: Response) -> Reply:
    reason = response.reason_phrase
    if not response.content:
        return Reply(response.status_code, None, reason)
    try:
        return Reply(response.status_code, response.json(), reason)
    except ValueError:
        return Reply(response.status_code, None, reason, is_json=False)


class Transport(Protocol):
    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        body: JSON,
        headers: dict[str, str],
    ) -> Reply: ...

    def close(self) -> None: ...


class ApiClient:
    """JSON over one transport; ``auth_headers`` is asked only by requests that need a user."""

    def __init__(
        self,
        transport: Transport,
        *,
        where: str,
        auth_headers: Callable[[], dict[str, str]],
        unauthorized_hint: str = "",
    ) -> None:
        self.transport = transport
        self.where = where
        self._auth_headers = auth_headers
        self._hint = unauthorized_hint

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
        sent = dict(headers or {})
        if auth:
            sent.update(self._auth_headers())
        reply = self.transport.send(method, path, params=params, body=body, headers=sent)
        if reply.status_code >= 400:
            raise CliError(self._error_line(reply, hint=auth))
        if reply.status_code == 204 or (reply.data is None and reply.is_json):
            return None
        if not reply.is_json:
            raise CliError(f"{self.where} did not answer JSON on {method} {path}")
        return reply.data

    def _error_line(self, reply: Reply, *, hint: bool) -> str:
        detail = ""
        body = reply.data
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            detail = body["detail"]
        if not detail:
            detail = f"HTTP {reply.status_code} {reply.reason}".strip()
        line = " ".join(detail.split())
        if reply.status_code == 401 and hint and self._hint:
            line = f"{line} ({self._hint})"
        return line

    def close(self) -> None:
        self.transport.close()


class HttpTransport:
    """Requests to a devday server over HTTP."""

    def __init__(self, http: httpx2.Client, where: str) -> None:
        self.http = http
        self.where = where

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        body: JSON,
        headers: dict[str, str],
    ) -> Reply:
        import httpx2

        try:
            response = self.http.request(method, path, params=params, json=body, headers=headers)
        except httpx2.ConnectError as exc:
            raise CliError(f"cannot reach {self.where}: {_reason(exc)}") from None
        except httpx2.TimeoutException:
            raise CliError(f"cannot reach {self.where}: timed out") from None
        except httpx2.HTTPError as exc:
            raise CliError(f"cannot talk to {self.where}: {exc}") from None
        return reply_of(response)

    def close(self) -> None:
        self.http.close()


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

    verify: Any = True
    if server.startswith("http://"):
        # Plain HTTP needs no CA bundle, and loading one is most of a client's start-up. A
        # context that trusts nothing makes any TLS on the way (an https proxy) fail closed.
        import ssl

        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    http = httpx2.Client(
        base_url=server, timeout=30, headers={"User-Agent": USER_AGENT}, verify=verify
    )
    return ApiClient(
        HttpTransport(http, server),
        where=server,
        auth_headers=auth_headers,
        unauthorized_hint=f"run 'devday --server {server} login'",
    )
