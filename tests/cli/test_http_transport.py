"""Requests to a server over the standard library are the requests httpx sent, TLS included.

A small HTTPS server on 127.0.0.1 with a certificate from a throwaway CA answers with what it
received; the CLI's two transports (``StdlibTransport``, and ``HttpTransport`` on httpx, kept
for proxies) must send the same request and get the same answer, trust a certificate only
through the CA the user names, and fail with the same line when they cannot.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from devday.cli import client
from devday.cli.client import CliError, HttpTransport, StdlibTransport, Transport
from tests.checks.servers import CertificateAuthority


class Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        if self.path.startswith("/api/v1/empty"):
            self.send_response(204)
            self.end_headers()
            return
        status = 404 if self.path.startswith("/api/v1/missing") else 200
        data = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "body": json.loads(body) if body else None,
                "type": self.headers.get("Content-Type"),
                "auth": self.headers.get("Authorization"),
                "agent": self.headers.get("User-Agent"),
                "detail": "no such thing",
            }
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def authority() -> CertificateAuthority:
    return CertificateAuthority()


@pytest.fixture
def https(authority: CertificateAuthority) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    context = authority.issue(["127.0.0.1"]).server_context()
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def transports(server: str) -> list[Transport]:
    return [StdlibTransport(server, server), HttpTransport(client._httpx_client(server), server)]


def outcome(transport: Transport, method: str, path: str, **request: Any) -> Any:
    sent = {"params": None, "body": None, "headers": {}, **request}
    try:
        reply = transport.send(method, path, **sent)
    except CliError as exc:
        return f"error: {exc}"
    finally:
        transport.close()
    return (reply.status_code, reply.data, reply.reason, reply.is_json)


@pytest.fixture
def trusted(
    authority: CertificateAuthority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(authority.cert_pem)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))


@pytest.mark.parametrize(
    ("method", "path", "request_"),
    [
        ("GET", "/api/v1/tasks", {"params": {"tag": ["a b", "c&d"], "done": True, "none": None,
                                             "empty": [], "limit": 200, "q": "ü?"}}),
        ("POST", "/api/v1/tasks", {"body": {"title": "Fix “login”", "tags": ["x"]},
                                   "headers": {"Authorization": "Bearer dd_x"}}),
        ("PATCH", "/api/v1/tasks/7", {"body": {"title": None}, "headers": {"If-Match": '"3"'}}),
        ("DELETE", "/api/v1/tasks/7", {}),
        ("GET", "/api/v1/missing", {}),
        ("DELETE", "/api/v1/empty", {}),
    ],
)  # fmt: skip
def test_both_transports_send_and_read_the_same(
    https: str, trusted: None, method: str, path: str, request_: dict[str, Any]
) -> None:
    stdlib, httpx = (outcome(t, method, path, **request_) for t in transports(https))
    assert stdlib == httpx
    assert not isinstance(stdlib, str), stdlib  # an answer, not an error
    if stdlib[0] == 200:
        assert stdlib[1]["method"] == method


def test_a_certificate_from_an_unknown_authority_is_refused_alike(
    https: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # an empty store: nothing is trusted
    stdlib, httpx = (outcome(t, "GET", "/api/v1/me") for t in transports(https))
    assert stdlib == httpx
    assert stdlib.startswith(f"error: cannot reach {https}: [SSL: CERTIFICATE_VERIFY_FAILED]")


def test_a_name_the_certificate_does_not_hold_is_refused_alike(https: str, trusted: None) -> None:
    by_name = https.replace("127.0.0.1", "localhost")  # the certificate names 127.0.0.1 only
    stdlib, httpx = (outcome(t, "GET", "/api/v1/me") for t in transports(by_name))
    assert stdlib == httpx
    assert "CERTIFICATE_VERIFY_FAILED" in stdlib


def test_it_takes_httpx_when_a_proxy_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    direct = client.remote_client("https://devday.example", "dd_x")
    assert isinstance(direct.transport, StdlibTransport)
    monkeypatch.setenv("https_proxy", "http://proxy.internal:3128")
    proxied = client.remote_client("https://devday.example", "dd_x")
    assert isinstance(proxied.transport, HttpTransport)
    proxied.close()


def test_a_closed_port_is_named_alike() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    stdlib, httpx = (outcome(t, "GET", "/api/v1/me") for t in transports(closed))
    assert stdlib == httpx == f"error: cannot reach {closed}: connection refused"


def test_the_ssl_module_checks_hostnames() -> None:
    assert client._tls_context().check_hostname
    assert client._tls_context().verify_mode == ssl.CERT_REQUIRED
