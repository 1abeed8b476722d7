"""Calendars in the stranger walk: a subscription of Alice's, its address a secret."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/calendars/{calendar_id}"): {"name": "mine now", "version": 1},
    ("POST", "/api/v1/calendars/{calendar_id}/refresh"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    made = client.post(
        "/api/v1/calendars",
        json={"name": "Work", "url": "https://calendar.example.com/private-secret/basic.ics"},
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
    return {"calendar_id": made.json()["id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    assert client.get("/api/v1/calendars", headers=mallory.headers).json() == []
    assert client.get("/api/v1/calendar-feed", headers=mallory.headers).json()["enabled"] is False
