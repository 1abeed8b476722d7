"""Benchmark of the feed sweep: ``python -m bench.learning.run``.

A threaded HTTP server on 127.0.0.1 serves ``--feeds`` RSS 2.0 feeds of ``--items`` items each
(with ETag and Last-Modified). One user follows them all; the benchmark runs the worker's sweep
as the worker does, in its three steps (find the due feeds, fetch them with no transaction
open, store what they read in one transaction), and prints items stored per second. A second
sweep, after the feeds' interval, sends the validators back: every feed answers 304, and it
prints feeds checked per second. ``--pg URL`` runs it on PostgreSQL (that database is emptied).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select, text

from devday.db import make_engine, make_session_factory, transaction
from devday.learning import feeds
from devday.learning import jobs as learning_jobs
from devday.learning.models import Feed, FeedItem
from devday.migrate import upgrade
from devday.models import User
from devday.netguard import ALLOW_ALL

MODIFIED = "Sun, 29 Nov 2026 12:00:00 GMT"


def document(feed: int, items: int) -> bytes:
    words = " ".join(["word"] * 300)
    entries = "".join(
        f"<item><guid>urn:{feed}:{n}</guid><link>https://news.example.com/{feed}/{n}</link>"
        f"<title>Story {n} of feed {feed}</title><description>{words}</description>"
        f"<pubDate>Sun, 29 Nov 2026 {n % 24:02d}:00:00 GMT</pubDate></item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://news.example.com/</link><ttl>60</ttl>"
        f"{entries}</channel></rss>"
    ).encode()


def serve(count: int, items: int) -> tuple[ThreadingHTTPServer, int]:
    bodies = {f"/feed/{n}.xml": document(n, items) for n in range(count)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            tag = f'"{len(body)}"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


def sweep(factory: object, now: datetime) -> tuple[float, float, int]:
    """One sweep as the worker runs it: (seconds fetching, seconds storing, feeds fetched)."""
    settings = learning_jobs.FeedSettings()
    with transaction(factory) as session:  # type: ignore[arg-type]
        due = feeds.due(session=session, now=now, limit=learning_jobs.BATCH)
    started = time.perf_counter()
    outcomes = learning_jobs.fetch_all(due, ALLOW_ALL, settings.max_bytes)
    fetched = time.perf_counter()
    with transaction(factory) as session:  # type: ignore[arg-type]
        learning_jobs.record_all(session, outcomes, now, settings)
    errors = [f.error for _, f in outcomes if f.error]
    if errors:
        raise SystemExit(f"{len(errors)} feeds failed, the first: {errors[0]}")
    return fetched - started, time.perf_counter() - fetched, len(due)


def run_once(url: str, count: int, items: int, port: int) -> tuple[float, float, float, int]:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    factory = make_session_factory(engine, writer=True)
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with transaction(factory) as session:
        user = User(email="bench@example.com", name="Bench", password_hash="x", timezone="UTC")
        session.add(user)
        session.flush()
        session.add_all(
            Feed(
                user_id=user.id,
                url=f"http://127.0.0.1:{port}/feed/{n}.xml",
                next_fetch_at=now,
                created_at=now,
            )
            for n in range(count)
        )
    fetch_s, store_s, fetched = sweep(factory, now)
    with make_session_factory(engine)() as session:
        stored = session.scalar(select(func.count()).select_from(FeedItem)) or 0
    if stored != count * items or fetched != count:
        raise SystemExit(f"stored {stored} items from {fetched} feeds, not {count * items}")
    again_fetch, again_store, checked = sweep(factory, now + timedelta(hours=2))
    engine.dispose()
    return fetch_s + store_s, fetch_s, again_fetch + again_store, checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (its data is dropped)")
    args = parser.parse_args()
    httpd, port = serve(args.feeds, args.items)
    totals, fetches, conditional = [], [], []
    try:
        for _ in range(args.repeat):
            if args.pg:
                url = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
            else:
                url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
            total, fetch_s, again, _checked = run_once(url, args.feeds, args.items, port)
            totals.append(total)
            fetches.append(fetch_s)
            conditional.append(again)
    finally:
        httpd.shutdown()
    items = args.feeds * args.items
    total = statistics.median(totals)
    print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; median of {args.repeat}")
    print(f"first sweep: {args.feeds} feeds x {args.items} items = {items} items in {total:.2f} s")
    print(f"  {items / total:,.0f} items/s stored ({statistics.median(fetches):.2f} s fetching)")
    again = statistics.median(conditional)
    print(f"second sweep (every feed answers 304): {args.feeds / again:,.0f} feeds/s checked")


if __name__ == "__main__":
    main()
