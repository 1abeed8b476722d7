"""Feeds end to end: subscribing through the API to a feed server on 127.0.0.1, the worker's
conditional fetches and de-duplication, and each way a subscription can fail cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import make_session_factory
from devday.jobs.models import ScheduledJob
from devday.jobs.runner import Worker
from devday.learning import jobs as learning_jobs
from devday.learning.models import Feed, FeedItem
from devday.notify.delivery import Deliverers
from devday.wiring import job_registry, writer_sessions
from tests.factories import Account, sign_up
from tests.learning.feedserver import MALFORMED, NOT_XML, FeedServer, atom, feed_server, rss

STORIES = [(f"urn:story:{n}", f"https://news.example.com/{n}", f"Story {n}") for n in range(5)]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def subscribe(client: TestClient, who: Account, url: str, **extra: object) -> dict[str, object]:
    response = client.post("/api/v1/feeds", json={"url": url, **extra}, headers=who.headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def worker(engine: Engine, clock: MockClock, settings: Settings | None = None) -> Worker:
    return Worker(
        writer_sessions(engine, clock),
        Deliverers(web=None, email=None),  # type: ignore[arg-type]
        job_registry(
            outbound=(settings or Settings(allow_private_urls=True)).outbound_policy(),
            settings=settings,
        ),
        clock,
        "feeds",
        lease_seconds=60,
    )


def count(engine: Engine, model: type[Feed] | type[FeedItem]) -> int:
    with make_session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_subscribes_to_rss_and_atom_and_lists_the_items_newest_first_with_their_source(
    client: TestClient, alice: Account, server: FeedServer
) -> None:
    feed = subscribe(client, alice, server.serve("/rss.xml", rss(STORIES)), starred=True)
    assert feed["title"] == "Dev news" and feed["interval_minutes"] == 90  # the feed's ttl
    talks = subscribe(
        client,
        alice,
        server.serve(
            "/atom.xml",
            atom([("urn:talk:1", "https://talks.example.com/1", "Async Python")]),
            "application/atom+xml",
        ),
    )
    assert talks["title"] == "Talks weekly"
    assert talks["interval_minutes"] == 720  # sy:updatePeriod daily, twice a day
    items = client.get("/api/v1/feeds/items", headers=alice.headers).json()
    assert [i["title"] for i in items][:3] == ["Story 4", "Story 3", "Story 2"]
    assert {i["feed_title"] for i in items} == {"Dev news", "Talks weekly"}
    assert items[0]["reading_minutes"] == 5 and items[0]["words"] == 400
    starred = client.get("/api/v1/feeds/items?starred=true", headers=alice.headers).json()
    assert {i["feed_title"] for i in starred} == {"Dev news"}


@pytest.mark.parametrize(
    ("path", "body", "problem"),
    [
        ("/page.html", NOT_XML, "not an RSS or Atom feed"),
        ("/broken.xml", MALFORMED, "malformed"),
        ("/huge.xml", b"<rss>" + b" " * (3 * 1024 * 1024) + b"</rss>", "larger than 2048 KiB"),
        ("/missing.xml", None, "answered 404"),
    ],
)
def test_it_refuses_a_subscription_that_is_not_a_readable_feed_and_stores_nothing(
    client: TestClient,
    alice: Account,
    server: FeedServer,
    engine: Engine,
    path: str,
    body: bytes | None,
    problem: str,
) -> None:
    url = server.serve(path, body) if body is not None else server.url(path)
    response = client.post("/api/v1/feeds", json={"url": url}, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "url"
    assert problem in response.json()["detail"]
    assert count(engine, Feed) == 0 and count(engine, FeedItem) == 0


def test_it_refuses_an_unreachable_feed(client: TestClient, alice: Account, engine: Engine) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    response = client.post(
        "/api/v1/feeds", json={"url": f"http://127.0.0.1:{port}/feed"}, headers=alice.headers
    )
    assert response.status_code == 422, response.text
    assert "could not connect" in response.json()["detail"]
    assert count(engine, Feed) == 0


def test_it_refuses_a_feed_that_redirects_to_a_private_address(
    tmp_path: Path, database_url: str, engine: Engine, clock: MockClock, server: FeedServer
) -> None:
    strict = Settings(
        data_dir=tmp_path,
        secret_key="t",
        database_url=database_url,
        allow_private_urls=False,
        outbound_allow=f"127.0.0.1:{server.port}",  # the test's own server, and no more
    )
    server.redirects["/moved"] = "http://10.20.30.40/feed.xml"
    with TestClient(create_app(strict, engine=engine, clock=clock)) as client:
        alice = sign_up(client, "Alice")
        allowed = subscribe(client, alice, server.serve("/rss.xml", rss(STORIES)))
        assert allowed["title"] == "Dev news"
        response = client.post(
            "/api/v1/feeds", json={"url": server.url("/moved")}, headers=alice.headers
        )
        assert response.status_code == 422, response.text
        assert "10.20.30.40 is a private address" in response.json()["detail"]
        loopback = client.post(
            "/api/v1/feeds", json={"url": "http://127.0.0.2:9/feed"}, headers=alice.headers
        )
        assert loopback.status_code == 422 and "loopback" in loopback.json()["detail"]
    assert count(engine, Feed) == 1


def test_it_refuses_the_same_feed_twice(
    client: TestClient, alice: Account, server: FeedServer
) -> None:
    url = server.serve("/rss.xml", rss(STORIES))
    subscribe(client, alice, url)
    again = client.post("/api/v1/feeds", json={"url": url}, headers=alice.headers)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "url"


def test_the_worker_fetches_conditionally_honours_the_interval_and_dedupes_across_feeds(
    client: TestClient, alice: Account, server: FeedServer, engine: Engine, clock: MockClock
) -> None:
    rss_url = server.serve("/rss.xml", rss(STORIES[:3]))
    subscribe(client, alice, rss_url)
    # A second feed carries two of the same stories (one by link, one by GUID only) and one new.
    mirror = [
        ("urn:other:1", STORIES[0][1], "Story 0 again"),
        (STORIES[1][0], "https://mirror.example.com/1", "Story 1 mirrored"),
        ("urn:mirror:9", "https://mirror.example.com/9", "Mirror only"),
    ]
    subscribe(client, alice, server.serve("/mirror.xml", rss(mirror, ttl=None, title="Mirror")))
    titles = {i["title"] for i in client.get("/api/v1/feeds/items", headers=alice.headers).json()}
    assert titles == {"Story 0", "Story 1", "Story 2", "Mirror only"}

    run = worker(engine, clock)
    run.start_up()
    clock.advance(timedelta(minutes=20))  # before the minimum interval: nothing is fetched
    run.run_once()
    assert len(server.seen("/rss.xml")) == 1

    clock.advance(timedelta(minutes=45))  # past the mirror's 60 min, before the ttl of 90
    run.run_once()
    assert len(server.seen("/rss.xml")) == 1 and len(server.seen("/mirror.xml")) == 2
    conditional = server.seen("/mirror.xml")[-1]
    assert conditional["if-none-match"] == server.etags["/mirror.xml"]
    assert conditional["if-modified-since"]
    assert server.not_modified == 1

    server.serve("/rss.xml", rss(STORIES))  # two new stories, a new ETag
    clock.advance(timedelta(minutes=30))
    run.run_once()
    assert len(server.seen("/rss.xml")) == 2
    items = client.get("/api/v1/feeds/items", headers=alice.headers).json()
    assert sorted(i["title"] for i in items) == [
        "Mirror only",
        "Story 0",
        "Story 1",
        "Story 2",
        "Story 3",
        "Story 4",
    ]
    assert count(engine, FeedItem) == 6
    with make_session_factory(engine)() as session:
        kinds = session.scalars(select(ScheduledJob.kind)).all()
    assert learning_jobs.SWEEP in kinds


def test_the_worker_keeps_an_error_on_the_feed_and_forgets_old_items(
    client: TestClient, alice: Account, server: FeedServer, engine: Engine, clock: MockClock
) -> None:
    url = server.serve("/rss.xml", rss(STORIES))
    subscribe(client, alice, url)
    server.serve("/rss.xml", MALFORMED)
    run = worker(engine, clock)
    run.start_up()
    clock.advance(timedelta(hours=2))
    run.run_once()
    feed = client.get("/api/v1/feeds", headers=alice.headers).json()[0]
    assert "malformed" in feed["last_error"] or "well-formed" in feed["last_error"]
    assert count(engine, FeedItem) == 5  # what was read before stays
    later = client.get("/api/v1/feeds/items", headers=alice.headers).json()[0]
    assert (
        client.post(f"/api/v1/feeds/items/{later['id']}/later", headers=alice.headers).status_code
        == 201
    )
    clock.advance(timedelta(days=31))
    run.run_once()
    assert count(engine, FeedItem) == 1  # only the one read later is kept


def test_it_reads_an_item_later_and_dismisses_another(
    client: TestClient, alice: Account, server: FeedServer
) -> None:
    subscribe(client, alice, server.serve("/rss.xml", rss(STORIES)))
    first, second = client.get("/api/v1/feeds/items", headers=alice.headers).json()[:2]
    later = client.post(f"/api/v1/feeds/items/{first['id']}/later", headers=alice.headers)
    assert later.status_code == 201, later.text
    assert later.json()["kind"] == "article" and later.json()["minutes"] == 5
    assert later.json()["url"] == first["link"]
    again = client.post(f"/api/v1/feeds/items/{first['id']}/later", headers=alice.headers)
    assert again.json()["id"] == later.json()["id"]
    gone = client.post(f"/api/v1/feeds/items/{second['id']}/dismiss", headers=alice.headers)
    assert gone.status_code == 204
    left = [i["id"] for i in client.get("/api/v1/feeds/items", headers=alice.headers).json()]
    assert first["id"] not in left and second["id"] not in left and len(left) == 3
    listed = client.get("/api/v1/learning/items", headers=alice.headers).json()
    assert [i["title"] for i in listed] == [first["title"]]


def test_the_morning_review_shows_the_starred_feeds_new_items(
    client: TestClient, alice: Account, server: FeedServer
) -> None:
    starred = subscribe(client, alice, server.serve("/rss.xml", rss(STORIES[:2])), starred=True)
    other = [("urn:x", "https://other.example.com/x", "Unstarred story")]
    subscribe(client, alice, server.serve("/other.xml", rss(other, title="Other")))
    news = client.get("/api/v1/today", headers=alice.headers).json()["news"]
    assert [(n["title"], n["feed_title"]) for n in news] == [
        ("Story 1", "Dev news"),
        ("Story 0", "Dev news"),
    ]
    client.patch(f"/api/v1/feeds/{starred['id']}", json={"starred": False}, headers=alice.headers)
    assert client.get("/api/v1/today", headers=alice.headers).json()["news"] == []
