"""Recurring tasks' part of the stranger walk: Alice's team series and her personal one."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/series/{series_id}"): {"title": "mine now", "version": 1},
    ("POST", "/api/v1/series/{series_id}/skip"): {},
    ("POST", "/api/v1/series/{series_id}/end"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    made = client.post(
        "/api/v1/tasks",
        json={"title": "secret rota", "repeat": "every weekday", "project_id": ids["project_id"]},
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
    personal = client.post(
        "/api/v1/tasks",
        json={"title": "secret habit", "repeat": "every! 2 days"},
        headers=alice.headers,
    )
    assert personal.status_code == 201, personal.text
    return {"series_id": made.json()["repeat"]["series_id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    for url in ("/api/v1/series", "/api/v1/series?ended=true"):
        assert client.get(url, headers=mallory.headers).json() == [], url
    own = client.post(
        "/api/v1/tasks", json={"title": "mine", "repeat": "every day"}, headers=mallory.headers
    ).json()
    assert own["repeat"]["series_id"] != ids["series_id"]
    listed = client.get("/api/v1/series", headers=mallory.headers).json()
    assert [s["title"] for s in listed] == ["mine"]
