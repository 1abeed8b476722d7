"""Notifications in the stranger walk: a delivery in Alice's team's outbox."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/outbox/{message_id}/retry"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    sent = client.post(f"/api/v1/channels/{ids['channel_id']}/test", json={}, headers=alice.headers)
    assert sent.status_code == 202, sent.text
    return {"message_id": sent.json()["id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    assert client.get("/api/v1/outbox", headers=mallory.headers).json() == []
