"""Real HTTP and HTTPS servers on 127.0.0.1 for the checks' tests, and certificates made at
test time.

Servers
    ``with http_server(routes) as server:`` and ``with https_server(routes, cert) as server:``
    start a threaded server on a free port of 127.0.0.1. The socket is bound and listening
    before the context manager yields, so a client can connect at once (no sleeps).

    ``routes`` maps a path (without the query string) to what it answers: either a tuple
    ``(status, headers, body)`` with ``headers`` a list of ``(name, value)`` pairs (repeat a
    name, such as ``Set-Cookie``, to send it twice), or a :class:`Reply`, which can also hold
    the answer back for ``delay`` seconds (for timeouts). Every method (GET, HEAD, POST, PUT,
    PATCH, DELETE, OPTIONS) is served from the same table; HEAD sends no body. A path not in
    the table answers 404. The server reads ``server.routes`` (the very dict passed in) on
    every request, so a test changes an answer at run time by assigning to it.

    ``server.url`` is the base URL (``http://127.0.0.1:PORT``); ``server.hits[path]`` counts
    the requests per path, ``server.requests`` keeps each one (method, path with query,
    headers, body), ``server.reset()`` clears both.

Certificates
    ``ca = CertificateAuthority()`` is a fresh CA. ``ca.issue(days=5)`` is a leaf for
    127.0.0.1 and localhost valid for five more days; ``ca.issue(days=-1)`` one that expired
    yesterday; ``ca.issue(hosts=("wrong.example",))`` one for another host.
    ``self_signed(days=30)`` is a leaf that signs itself (no CA trusts it).
    ``ca.client_context()`` is an ``ssl.SSLContext`` that trusts the CA (pass it to
    ``httpx.AsyncClient(verify=...)`` or to ``fetch_cert``); ``ca.cert_pem`` is its PEM.
    A :class:`ServerCert` has ``cert_pem``, ``key_pem``, ``not_after`` and ``server_context()``.

Header sets
    ``WEAK_HEADERS`` grade F under the Observatory's rules; ``STRONG_HEADERS`` grade A+ when
    served over HTTPS. ``weak_routes()`` / ``strong_routes()`` give a one-page route table with
    them.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Headers = list[tuple[str, str]]


@dataclass
class Reply:
    """One answer; ``delay`` holds it back (released early when the server stops)."""

    status: int
    headers: Headers = field(default_factory=list)
    body: bytes = b""
    delay: float = 0.0


Route = tuple[int, Headers, bytes] | Reply


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The handshake runs in the request's own thread, so a client that stalls or
        # rejects the certificate never blocks the accepting loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up or refuse the certificate are part of the tests


class TestServer:
    """A running server; see the module docstring."""

    __test__ = False  # not a pytest test class

    def __init__(self, routes: dict[str, Route], tls: ssl.SSLContext | None = None) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self._httpd.tls = tls
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,))
        self._thread.daemon = True

    @property
    def port(self) -> int:
        port: int = self._httpd.server_address[1]
        return port

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self.requests.clear()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _record(self, request: Request) -> Route | None:
        path = request.path.split("?", 1)[0]
        with self._lock:
            self.hits[path] += 1
            self.requests.append(request)
            return self.routes.get(path)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                self.request.settimeout(10)
                if isinstance(self.request, ssl.SSLSocket):
                    self.request.do_handshake()
                super().setup()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                route = server._record(
                    Request(self.command, self.path, dict(self.headers.items()), body)
                )
                reply = _as_reply(route)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                self.send_response(reply.status)
                names = {name.lower() for name, _ in reply.headers}
                for name, value in reply.headers:
                    self.send_header(name, value)
                if "content-length" not in names:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


def _as_reply(route: Route | None) -> Reply:
    if route is None:
        return Reply(404, [("Content-Type", "text/plain")], b"not found")
    if isinstance(route, Reply):
        return route
    status, headers, body = route
    return Reply(status, headers, body)


@contextmanager
def http_server(routes: dict[str, Route]) -> Iterator[TestServer]:
    server = TestServer(routes)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def https_server(routes: dict[str, Route], cert: ServerCert) -> Iterator[TestServer]:
    server = TestServer(routes, tls=cert.server_context())
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- certificates -------------------------------------------------------------------------

LOCAL_HOSTS = ("127.0.0.1", "localhost")


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _names(hosts: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _validity(days: float) -> tuple[datetime, datetime]:
    """(not_before, not_after) for a leaf that ends ``days`` from now; an expired one
    (negative days) started 30 days before it ended."""
    now = datetime.now(UTC).replace(microsecond=0)
    not_after = now + timedelta(days=days)
    return min(now - timedelta(hours=1), not_after - timedelta(days=30)), not_after


@dataclass(frozen=True)
class ServerCert:
    cert_pem: bytes  # the leaf, followed by any intermediates
    key_pem: bytes
    not_after: datetime

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:
            cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
            cert_file.write_bytes(self.cert_pem)
            key_file.write_bytes(self.key_pem)
            context.load_cert_chain(cert_file, key_file)
        return context


class CertificateAuthority:
    """A throwaway CA; see the module docstring."""

    def __init__(self, name: str = "devday test CA") -> None:
        self._key = _key()
        self._name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self._name)
            .issuer_name(self._name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=365))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)

    def client_context(self) -> ssl.SSLContext:
        """A client context that verifies certificates and hostnames against this CA only."""
        context = ssl.create_default_context(cadata=self.cert_pem.decode())
        return context

    def issue(
        self, hosts: Sequence[str] = LOCAL_HOSTS, *, days: float = 90, common_name: str = ""
    ) -> ServerCert:
        key = _key()
        not_before, not_after = _validity(days)
        cn = common_name or hosts[0]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        return ServerCert(cert.public_bytes(serialization.Encoding.PEM), _pem(key), not_after)


def self_signed(hosts: Sequence[str] = LOCAL_HOSTS, *, days: float = 90) -> ServerCert:
    """A leaf for ``hosts`` that is its own issuer: valid in dates and names, trusted by none."""
    key = _key()
    not_before, not_after = _validity(days)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
        .sign(key, hashes.SHA256())
    )
    return ServerCert(cert.public_bytes(serialization.Encoding.PEM), _pem(key), not_after)


# --- header sets ----------------------------------------------------------------------------

WEAK_HEADERS: Headers = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Set-Cookie", "session=abc123; Path=/"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Credentials", "true"),
]

STRONG_HEADERS: Headers = [
    ("Content-Type", "text/html; charset=utf-8"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Set-Cookie", "__Host-session=abc123; Path=/; Secure; HttpOnly; SameSite=Strict"),
]

PAGE = b"<!doctype html><title>app</title><p>all good</p>"


def weak_routes() -> dict[str, Route]:
    return {"/": (200, list(WEAK_HEADERS), PAGE)}


def strong_routes() -> dict[str, Route]:
    return {"/": (200, list(STRONG_HEADERS), PAGE)}
