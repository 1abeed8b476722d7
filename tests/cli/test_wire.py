"""The CLI reads every way an HTTP/1.1 server may frame its answer, and fails plainly on the rest.

A raw TCP server on 127.0.0.1 reads each request head and answers with bytes the test wrote out,
so that framings uvicorn never sends (chunks with extensions and trailers, a body that ends with
the connection, an interim 100 Continue, an HTTP/1.0 answer) are read as a proxy could send them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import BinaryIO

import pytest

from devday.cli import wire
from devday.cli.client import CliError, StdlibTransport


class Canned:
    """A server on 127.0.0.1 that answers each request with the next of the answers given to
    ``run``; ``None`` closes the connection without an answer. It records each request head
    it reads, and each request body after its head."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answers: list[bytes | None] = []
        self.heads: list[bytes] = []
        self.thread: threading.Thread | None = None

    def run(self, *answers: bytes | None) -> None:
        self.answers = list(answers)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.listener.close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _serve(self) -> None:
        while self.answers:
            conn, _ = self.listener.accept()
            with conn, conn.makefile("rb") as reader:
                self._answer(conn, reader)

    def _answer(self, conn: socket.socket, reader: BinaryIO) -> None:
        """Answers requests on one connection until an answer ends it."""
        while self.answers:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                if not line:
                    return
                head += line
            self.heads.append(head)
            if length := _content_length(head):
                self.heads.append(reader.read(length))
            answer = self.answers.pop(0)
            if answer is None:
                return
            conn.sendall(answer)
            framed = b"Content-Length" in answer or b"chunked" in answer
            if not framed or b"HTTP/1.0" in answer:
                return


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


@pytest.fixture
def canned() -> Iterator[Canned]:
    server = Canned()
    yield server
    server.close()


JSON_BODY = b'{"ok": true}'


def fixed(body: bytes = JSON_BODY, *, status: bytes = b"200 OK", extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
        + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


def get(url: str, path: str = "/api/v1/me", **request: object) -> object:
    transport = StdlibTransport(url, "the server", timeout=5)
    sent: dict[str, object] = {"params": None, "body": None, "headers": {}, **request}
    try:
        reply = transport.send("GET", path, **sent)  # type: ignore[arg-type]
    except CliError as exc:
        return f"error: {exc}"
    finally:
        transport.close()
    return (reply.status_code, reply.data, reply.reason)


@pytest.mark.parametrize(
    "answer",
    [
        fixed(),
        # chunks, one with an extension, then a trailer field
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5;name=value\r\n{"ok"\r\n7\r\n: true}\r\n0\r\nX-Trailer: 1\r\n\r\n',
        # no length: the body ends when the server closes
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + JSON_BODY,
        # an interim answer first
        b"HTTP/1.1 100 Continue\r\n\r\n" + fixed(),
        # HTTP/1.0, header names in any case, a repeated length that agrees
        b"HTTP/1.0 200 OK\r\ncontent-length: 12\r\nCONTENT-LENGTH: 12\r\n\r\n" + JSON_BODY,
    ],
    ids=["length", "chunked", "until-close", "interim-100", "http-1.0"],
)
def test_it_reads_each_framing_of_an_answer(canned: Canned, answer: bytes) -> None:
    url = canned.url
    canned.run(answer)
    assert get(url) == (200, {"ok": True}, "OK")


def test_it_sends_a_well_formed_request_and_reuses_the_connection(
    canned: Canned,
) -> None:
    url = canned.url
    canned.run(fixed(), fixed(b"", status=b"204 No Content"), fixed())
    transport = StdlibTransport(url + "/devday", "the server", timeout=5)
    try:
        first = transport.send(
            "POST", "/api/v1/tasks", params={"q": "a b"}, body={"title": "ü"}, headers={}
        )
        second = transport.send("DELETE", "/api/v1/tasks/1", params=None, body=None, headers={})
        third = transport.send("GET", "/api/v1/me", params=None, body=None, headers={})
    finally:
        transport.close()
    assert (first.status_code, second.status_code, third.status_code) == (200, 204, 200)
    assert second.data is None
    post, body, delete, me = canned.heads
    port = url.rsplit(":", 1)[1]
    assert post.startswith(b"POST /devday/api/v1/tasks?q=a+b HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{port}\r\n".encode() in post
    assert b"Content-Type: application/json\r\n" in post
    assert b"Content-Length: %d\r\n" % len(body) in post
    assert body.decode() == '{"title":"ü"}'
    assert delete.startswith(b"DELETE /devday/api/v1/tasks/1 HTTP/1.1\r\n")
    assert b"Content-Length" not in delete
    assert me.startswith(b"GET /devday/api/v1/me HTTP/1.1\r\n")


def test_an_idle_connection_the_server_closed_is_opened_again(
    canned: Canned,
) -> None:
    url = canned.url
    # The second request meets a connection the server has closed; the third answers it.
    canned.run(fixed(), None, fixed(b'{"again": 1}'))
    transport = StdlibTransport(url, "the server", timeout=5)
    try:
        transport.send("GET", "/api/v1/me", params=None, body=None, headers={})
        again = transport.send("GET", "/api/v1/me", params=None, body=None, headers={})
    finally:
        transport.close()
    assert again.data == {"again": 1}


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (None, "Server disconnected without sending a response."),
        (b"SSH-2.0-OpenSSH_9.2\r\n", "bad status line"),
        (b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"cut', "answer cut short: 5 of 50"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nabcde", "bad Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line"),
    ],
    ids=["closed", "not-http", "cut-short", "lengths-disagree", "bad-chunk", "bad-header"],
)
def test_a_broken_answer_is_one_plain_error(
    canned: Canned, answer: bytes | None, error: str
) -> None:
    url = canned.url
    canned.run(answer)
    result = get(url)
    assert isinstance(result, str)
    assert result.startswith("error: cannot talk to the server: ")
    assert error in result


def test_an_overlong_header_line_is_refused(canned: Canned) -> None:
    url = canned.url
    canned.run(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (wire.MAX_LINE + 10) + b"\r\n\r\n")
    result = get(url)
    assert isinstance(result, str) and "header line too long" in result


def test_a_header_value_with_a_line_break_is_refused_before_sending(canned: Canned) -> None:
    canned.run(fixed())
    transport = StdlibTransport(canned.url, "the server", timeout=5)
    try:
        with pytest.raises(ValueError, match="Authorization"):
            transport.send(
                "GET",
                "/api/v1/me",
                params=None,
                body=None,
                headers={"Authorization": "Bearer dd_x\r\nX-Admin: 1"},
            )
        # The same connection then carries a good request, and it is all the server read.
        transport.send("GET", "/api/v1/me", params=None, body=None, headers={})
    finally:
        transport.close()
    [head] = canned.heads
    assert head.startswith(b"GET /api/v1/me HTTP/1.1\r\n") and b"X-Admin" not in head
