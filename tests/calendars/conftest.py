"""Calendar servers on loopback: an ICS address served by the standard library, and Radicale, a
real CalDAV server, each started by the test that needs it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import radicale.config
from radicale.app import Application


@dataclass
class IcsServer:
    """Serves ``body`` with ``etag``; answers 304 to a matching If-None-Match. ``status`` other
    than 200 answers that status with an HTML body; ``redirect`` answers 302 to it."""

    port: int = 0
    body: bytes = b""
    etag: str = '"v1"'
    status: int = 200
    redirect: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/calendar/private-abc/basic.ics"

    def serve(self, body: str, etag: str) -> None:
        self.body, self.etag, self.status = body.encode(), etag, 200


@pytest.fixture
def ics_server() -> Iterator[IcsServer]:
    server_state = IcsServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_state.requests.append({k.lower(): v for k, v in self.headers.items()})
            if server_state.redirect:
                self.send_response(302)
                self.send_header("Location", server_state.redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if server_state.status != 200:
                body = b"<html>Internal error</html>"
                self.send_response(server_state.status)
                self.send_header("Content-Type", "text/html")
            elif self.headers.get("If-None-Match") == server_state.etag:
                self.send_response(304)
                self.send_header("ETag", server_state.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            else:
                body = server_state.body
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("ETag", server_state.etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server_state
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingWSGIServer(WSGIServer):
    daemon_threads = True


@dataclass
class CalDav:
    port: int
    user: str = "sam"
    password: str = "app-password-1"

    def url(self, calendar: str) -> str:
        return f"http://127.0.0.1:{self.port}/{self.user}/{calendar}/"


@pytest.fixture
def caldav_server(tmp_path: Path) -> Iterator[CalDav]:
    """Radicale with one user (sam, a plain-text password file) storing under ``tmp_path``."""
    users = tmp_path / "users"
    users.write_text("sam:app-password-1\n")
    configuration = radicale.config.load()
    configuration.update(
        {
            "auth": {
                "type": "htpasswd",
                "htpasswd_filename": str(users),
                "htpasswd_encryption": "plain",
                "delay": "0",
            },
            "storage": {"filesystem_folder": str(tmp_path / "collections")},
            "logging": {"level": "warning", "mask_passwords": "True"},
        },
        "test",
        privileged=True,
    )
    application = Application(configuration)
    httpd = make_server(
        "127.0.0.1", 0, application, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield CalDav(port=httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()
