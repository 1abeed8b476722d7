"""GitHub and GitLab connections in the stranger walk: one of Alice's, for her team's project."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/forges/{connection_id}"): {"on_finish": "close"},
    ("POST", "/api/v1/forges/{connection_id}/sync"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    made = client.post(
        "/api/v1/forges",
        json={
            "kind": "github",
            "repo": "acme/secret",
            "token": "alices-token-0123456789",
            "base_url": "http://127.0.0.1:9",
            "project_id": ids["project_id"],
        },
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
    return {"connection_id": made.json()["id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    assert client.get("/api/v1/forges", headers=mallory.headers).json() == []
