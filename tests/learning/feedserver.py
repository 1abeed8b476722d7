"""A feed server on 127.0.0.1 for the tests: RSS 2.0, Atom, a malformed feed, an answer that is
not XML, a huge feed and a redirect to a private address. It answers 304 to a conditional
request that names its current ETag or Last-Modified, and records what each request sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIRST_MODIFIED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def rss(
    items: list[tuple[str, str, str]], *, ttl: int | None = 90, title: str = "Dev news"
) -> bytes:
    """An RSS 2.0 feed of (guid, link, title) items, each with a body of 400 words."""
    body = " ".join(["word"] * 400)
    entries = "".join(
        f"<item><guid>{guid}</guid><link>{link}</link><title>{name}</title>"
        f"<description>{body}</description>"
        f"<pubDate>Sun, 29 Nov 2026 {10 + i % 10:02d}:00:00 GMT</pubDate></item>"
        for i, (guid, link, name) in enumerate(items)
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example.com/</link>{ttl_tag}"
        f"{entries}</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, str, str]], *, title: str = "Talks weekly") -> bytes:
    entries = "".join(
        f"<entry><id>{guid}</id><link href='{link}'/><title>{name}</title>"
        f"<updated>2026-11-29T0{i % 10}:30:00Z</updated><summary>short talk notes</summary></entry>"
        for i, (guid, link, name) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
        f"<title>{title}</title><id>urn:talks</id><updated>2026-11-29T09:00:00Z</updated>"
        "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
        f"{entries}</feed>"
    ).encode()


MALFORMED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</ti'
NOT_XML = b"<!doctype html><html><body><p>Hello, this is a web page</p></body></html>"


@dataclass
class FeedServer:
    port: int = 0
    documents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    modified: dict[str, str] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    not_modified: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> str:
        self.documents[path] = (body, content_type)
        self.etags[path] = f'"v{len(self.requests)}-{len(body)}"'
        changed = FIRST_MODIFIED + timedelta(minutes=len(self.requests))
        self.modified[path] = format_datetime(changed, usegmt=True)
        return self.url(path)

    def seen(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            if self.path in server.redirects:
                self.send_response(302)
                self.send_header("Location", server.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path not in server.documents:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, content_type = server.documents[self.path]
            tag = server.etags[self.path]
            if (
                self.headers.get("If-None-Match") == tag
                or self.headers.get("If-Modified-Since") == server.modified[self.path]
            ):
                server.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", server.modified[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
