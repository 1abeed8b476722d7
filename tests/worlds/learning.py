"""The learning list's and feeds' part of the stranger walk: Alice's course and a feed she
follows, with its items (served once from 127.0.0.1 while the world is built)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account
from tests.learning.feedserver import feed_server, rss

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/learning/items/{learning_item_id}"): {"starred": True},
    ("POST", "/api/v1/learning/items/{learning_item_id}/done"): {},
    ("POST", "/api/v1/feeds/items/{feed_item_id}/later"): {},
    ("POST", "/api/v1/feeds/items/{feed_item_id}/dismiss"): {},
    ("PATCH", "/api/v1/feeds/{feed_id}"): {"starred": True},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    item = client.post(
        "/api/v1/learning/items",
        json={"kind": "course", "title": "secret course", "parts": [{"title": "secret lesson"}]},
        headers=alice.headers,
    )
    assert item.status_code == 201, item.text
    with feed_server() as server:
        url = server.serve("/feed.xml", rss([("urn:s", "https://s.example.com/", "secret news")]))
        feed = client.post("/api/v1/feeds", json={"url": url}, headers=alice.headers)
    assert feed.status_code == 201, feed.text
    feed_item = client.get("/api/v1/feeds/items", headers=alice.headers).json()[0]
    return {
        "learning_item_id": item.json()["id"],
        "feed_id": feed.json()["id"],
        "feed_item_id": feed_item["id"],
    }


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    for url in (
        "/api/v1/learning/items?include_done=true",
        "/api/v1/feeds",
        "/api/v1/feeds/items",
        "/api/v1/feeds/items?starred=true",
    ):
        response = client.get(url, headers=mallory.headers)
        assert response.status_code == 200 and response.json() == [], url
    for url in ("/api/v1/learning/agenda?day=2026-11-30", "/api/v1/learning/week"):
        response = client.get(url, headers=mallory.headers)
        assert response.status_code == 200 and "secret" not in response.text, url
