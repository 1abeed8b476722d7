"""The Learning page: adding to the list, subscribing to a feed (and a refused one, shown on
the form), reading an item later, and marking tonight's block done."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, csrf_from, web_log_in
from tests.learning.feedserver import NOT_XML, feed_server, rss


def test_it_adds_subscribes_reads_later_and_marks_done_from_the_page(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    page = client.get("/learning")
    assert page.status_code == 200 and "Your learning list is empty" in page.text
    token = csrf_from(page.text)
    added = client.post(
        "/learning/items",
        data={
            "csrf_token": token,
            "kind": "course",
            "title": "Kubernetes basics",
            "minutes": "20",
            "goal_date": "2026-12-20",
            "parts": "Pods\nServices\n",
        },
    )
    assert added.status_code == 200 and "Added to your learning list" in added.text
    assert "0/2 lessons" in added.text and "Kubernetes basics: Pods" in added.text
    with feed_server() as server:
        bad = client.post(
            "/learning/feeds",
            data={"csrf_token": token, "url": server.serve("/page", NOT_XML, "text/html")},
        )
        assert bad.status_code == 422 and "not an RSS or Atom feed" in bad.text
        url = server.serve("/feed.xml", rss([("urn:1", "https://n.example.com/1", "Fresh news")]))
        ok = client.post("/learning/feeds", data={"csrf_token": token, "url": url})
    assert ok.status_code == 200 and "Subscribed" in ok.text and "Fresh news" in ok.text
    feed_item = client.get("/api/v1/feeds/items", headers=alice.headers).json()[0]
    later = client.post(f"/learning/feed-items/{feed_item['id']}/later", data={"csrf_token": token})
    assert "On your learning list" in later.text
    assert later.text.count("Fresh news") >= 1
    item = client.get("/api/v1/learning/items", headers=alice.headers).json()[0]
    done = client.post(f"/learning/items/{item['id']}/done", data={"csrf_token": token})
    assert "Marked done" in done.text and "1/2 lessons" in done.text
    forged = client.post(f"/learning/items/{item['id']}/done", data={"csrf_token": "nope"})
    assert forged.status_code == 403


def test_the_reflection_keeps_what_was_learned_and_draws_the_week_in_learning(
    client: TestClient, alice: Account
) -> None:
    item = client.post(
        "/api/v1/learning/items",
        json={"kind": "book", "title": "DDIA", "parts": [{"title": "One"}, {"title": "Two"}]},
        headers=alice.headers,
    ).json()
    client.post(
        f"/api/v1/learning/items/{item['id']}/done", json={"minutes": 40}, headers=alice.headers
    )
    web_log_in(client, alice.email)
    page = client.get("/reflect")
    assert "A week in learning" in page.text and "40m learning" in page.text
    assert "book 40m" in page.text and "DDIA: 1 of 2" in page.text
    assert '<svg class="chart bars"' in page.text and '<svg class="chart progress"' in page.text
    saved = client.post(
        "/reflect/2026-11-30",
        data={"csrf_token": csrf_from(page.text), "learned": "How LSM trees compact"},
    )
    assert saved.status_code == 200 and "How LSM trees compact" in saved.text
    api = client.get("/api/v1/reflections/2026-11-30", headers=alice.headers).json()
    assert api["learned"] == "How LSM trees compact"
