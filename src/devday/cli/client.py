"""The CLI's way to the API: HTTP to a devday server, or the local database in this process.

Either way the commands see one ``ApiClient`` that answers parsed JSON or raises ``CliError``
with the API's one-line ``detail``. Below it a transport carries each request:
``StdlibTransport`` to a server or the resident local one (``HttpTransport`` on httpx when a
proxy is set), or ``devday.cli.local.LocalTransport`` to the local database. Nothing heavy is
imported here, so that ``devday --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from devday.cli import wire

if TYPE_CHECKING:
    import httpx2

JSON = Any
USER_AGENT = "devday-cli"


class CliError(Exception):
    """An expected failure: shown as one ``error: ...`` line, and the CLI exits with 1."""


class Reply(NamedTuple):
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


class StdlibTransport:
    """Requests to a devday server over a socket of the standard library (``devday.cli.wire``):
    what ``HttpTransport`` does for a JSON API, without importing an HTTP client library. One
    connection serves the command's requests; one a server closed while idle is opened again.
    Certificates are checked as ``HttpTransport`` checks them (``SSL_CERT_FILE`` or
    ``SSL_CERT_DIR`` when set, else the system's store)."""

    def __init__(
        self, server: str, where: str, *, timeout: float = 30, unix_socket: str | None = None
    ) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(server)
        self.where = where
        self._unix_socket = unix_socket  # the resident local server's (devday.cli.resident)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._connection: wire.Connection | None = None
        self._used = False

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        body: JSON,
        headers: dict[str, str],
    ) -> Reply:
        import json
        from urllib.parse import quote

        target = quote(self._prefix + path, safe=_PATH_SAFE) + _query(params)
        sent = {"Accept": "*/*", "User-Agent": USER_AGENT, **headers}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            connection = self._connect()
            fresh = not self._used
            self._used = True
            try:
                answer = connection.exchange(method, target, sent, content)
            except (ConnectionError, wire.ProtocolError) as exc:
                self._drop()
                if attempt == 1 and not fresh and _stale(exc):
                    continue  # the server closed the idle connection: once more on a new one
                raise CliError(f"cannot talk to {self.where}: {_talk_reason(exc)}") from None
            except TimeoutError:
                self._drop()
                raise CliError(f"cannot reach {self.where}: timed out") from None
            except OSError as exc:
                self._drop()
                raise CliError(f"cannot talk to {self.where}: {exc}") from None
            if answer.will_close:
                self._drop()
            return _reply(answer.status, answer.body, answer.reason)
        raise AssertionError("unreachable")  # pragma: no cover

    def connect(self) -> None:
        """Opens the connection now, rather than on the first request (CliError if refused)."""
        self._connect()

    def _connect(self) -> wire.Connection:
        if self._connection is not None:
            return self._connection
        try:
            if self._unix_socket is not None:
                connection = wire.open_unix(self._unix_socket, timeout=self._timeout)
            else:
                tls = _tls_context() if self._https else None
                connection = wire.open_tcp(self._host, self._port, timeout=self._timeout, tls=tls)
        except TimeoutError:
            raise CliError(f"cannot reach {self.where}: timed out") from None
        except OSError as exc:  # refused, no such host, a certificate refused (ssl.SSLError)
            raise CliError(f"cannot reach {self.where}: {_reason(exc)}") from None
        self._connection = connection
        self._used = False
        return connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        self._drop()


def _stale(exc: Exception) -> bool:
    return isinstance(exc, wire.Disconnected | BrokenPipeError | ConnectionResetError)


def _talk_reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _reply(status: int, content: bytes, reason: str) -> Reply:
    """``reply_of`` for a body read off the socket."""
    import json

    if not content:
        return Reply(status, None, reason)
    try:
        return Reply(status, json.loads(content), reason)
    except ValueError:
        return Reply(status, None, reason, is_json=False)


def _query(params: dict[str, Any] | None) -> str:
    """The query string as httpx writes ``params``: a list as the key repeated (an empty one
    left out), True and False as "true" and "false", None as empty."""
    if not params:
        return ""
    from urllib.parse import urlencode

    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((str(key), _primitive(item)))
    return f"?{urlencode(pairs)}" if pairs else ""


def _primitive(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _tls_context() -> Any:
    import os
    import ssl

    if cafile := os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=cafile)
    if capath := os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=capath)
    return ssl.create_default_context()


_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def _plain_request(server: str) -> bool:
    """Whether ``StdlibTransport`` carries requests to ``server`` as ``HttpTransport`` would:
    no proxy named in the environment (httpx honours those), a plain host and port."""
    import os

    names = {name.lower() for name in os.environ}
    if any(variable in names for variable in _PROXY_VARIABLES):
        return False
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(server)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return bool(parts.hostname) and server.isascii() and not parts.username and not parts.query


def remote_client(server: str, token: str | None) -> ApiClient:
    """A client of the devday at ``server``, authenticated by the API token ``token``."""

    def auth_headers() -> dict[str, str]:
        if not token:
            raise CliError(
                f"not logged in to {server}; run 'devday --server {server} login' "
                "or set DEVDAY_TOKEN"
            )
        return {"Authorization": f"Bearer {token}"}

    transport: Transport
    if _plain_request(server):
        transport = StdlibTransport(server, server)
    else:
        transport = HttpTransport(_httpx_client(server), server)
    return ApiClient(
        transport,
        where=server,
        auth_headers=auth_headers,
        unauthorized_hint=f"run 'devday --server {server} login'",
    )


def _httpx_client(server: str) -> httpx2.Client:
    import httpx2

    verify: Any = True
    if server.startswith("http://"):
        # Plain HTTP needs no CA bundle, and loading one is most of a client's start-up. A
        # context that trusts nothing makes any TLS on the way (an https proxy) fail closed.
        import ssl

        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return httpx2.Client(
        base_url=server, timeout=30, headers={"User-Agent": USER_AGENT}, verify=verify
    )
