"""HTTP/1.1 exchanges over one socket, for the CLI's requests to a devday server.

The standard library's ``http.client`` imports the ``email`` package to parse headers: about
30 ms, a fifth of a command against a server, for a client that reads three headers. This
reads an answer as RFC 9112 section 6 says: interim 1xx answers skipped, no body for HEAD,
204 or 304, else a chunked body, a Content-Length one, or one that ends when the server
closes. Whatever else an answer holds (a malformed status line or length, an answer cut
short) is a ``ProtocolError``; a connection closed before any answer is ``Disconnected``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

#: The longest status or header line read, and the most header lines (as ``http.client``).
MAX_LINE = 65_536
MAX_HEADERS = 100
_BODILESS = frozenset({204, 304})
_WITH_CONTENT = frozenset({"POST", "PUT", "PATCH"})


class ProtocolError(Exception):
    """An answer that is not well-formed HTTP/1.x."""


class Disconnected(ConnectionError):
    """The server closed the connection without answering (e.g. it closed an idle one)."""

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


class Answer(NamedTuple):
    status: int
    reason: str
    body: bytes
    #: Whether the server ends the connection after this answer.
    will_close: bool


class Connection:
    """One connection; ``exchange`` sends a request and reads its whole answer."""

    def __init__(self, sock: Any, host: str) -> None:
        self._sock = sock
        self._file = sock.makefile("rb")
        self._host = host

    def exchange(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> Answer:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host}", "Accept-Encoding: identity"]
        for name, value in headers.items():
            # A line break in a value (a token pasted with one) would start a header of its own.
            if any(c in name + value for c in "\r\n\0"):
                raise ValueError(f"header {name}: its value may not hold a line break")
            lines.append(f"{name}: {value}")
        if body is not None or method in _WITH_CONTENT:
            lines.append(f"Content-Length: {len(body or b'')}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._sock.sendall(head + body if body else head)
        return self._answer(method)

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def _answer(self, method: str) -> Answer:
        while True:
            version, status, reason = self._status_line()
            fields = self._fields()
            if not 100 <= status < 200:
                break  # an interim answer (100 Continue, 103 Early Hints): the real one follows
        closing = _tokens(fields.get("connection", ""))
        will_close = "close" in closing or (version == "HTTP/1.0" and "keep-alive" not in closing)
        if method == "HEAD" or status in _BODILESS:
            return Answer(status, reason, b"", will_close)
        if "chunked" in _tokens(fields.get("transfer-encoding", "")):
            return Answer(status, reason, self._chunks(), will_close)
        if "content-length" in fields:
            body = self._exactly(_length(fields["content-length"]))
            return Answer(status, reason, body, will_close)
        return Answer(status, reason, self._file.read(), True)  # the body ends with the connection

    def _line(self) -> bytes:
        line: bytes = self._file.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ProtocolError("header line too long")
        return line

    def _status_line(self) -> tuple[str, int, str]:
        line = self._line()
        if not line:
            raise Disconnected
        parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        version, code = parts[0], parts[1] if len(parts) > 1 else ""
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise ProtocolError(f"bad status line {line[:80]!r}")
        return version, int(code), parts[2].strip() if len(parts) > 2 else ""

    def _fields(self) -> dict[str, str]:
        """The header fields, by lower-case name; a repeated one's values joined by commas."""
        fields: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = self._line()
            if line in (b"\r\n", b"\n", b""):
                return fields
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise ProtocolError(f"bad header line {line[:80]!r}")
            key = name.strip().lower()
            value = value.strip()
            fields[key] = f"{fields[key]}, {value}" if key in fields else value
        raise ProtocolError(f"more than {MAX_HEADERS} headers")

    def _exactly(self, size: int) -> bytes:
        data: bytes = self._file.read(size)
        if len(data) < size:
            raise ProtocolError(f"answer cut short: {len(data)} of {size} bytes")
        return data

    def _chunks(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
            if size == 0:
                while self._line() not in (b"\r\n", b"\n", b""):  # the trailer fields
                    pass
                return b"".join(parts)
            parts.append(self._exactly(size))
            if self._line() not in (b"\r\n", b"\n"):
                raise ProtocolError("chunk not followed by a line end")


def _tokens(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",")}


def _length(value: str) -> int:
    # Repeated Content-Length fields must agree (RFC 9110 section 8.6).
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1 or not (text := values.pop()).isdigit():
        raise ProtocolError(f"bad Content-Length {value[:40]!r}")
    return int(text)


def open_tcp(host: str, port: int, *, timeout: float, tls: Any = None) -> Connection:
    """A connection to ``host:port``; ``tls`` (an ``ssl.SSLContext``) wraps it in TLS, checking
    the certificate against ``host``. Raises OSError (``ssl.SSLError`` among them) if refused."""
    import socket  # here, not above: ``devday --help`` and local commands open no socket

    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise
    default = 443 if tls is not None else 80
    shown = f"[{host}]" if ":" in host else host
    return Connection(sock, shown if port == default else f"{shown}:{port}")


def open_unix(path: str, *, timeout: float) -> Connection:
    """A connection to the server listening on the Unix socket at ``path``."""
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except BaseException:
        sock.close()
        raise
    return Connection(sock, "localhost")
