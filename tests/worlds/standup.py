"""The stranger walk's part for standups, blockers, leave and team figures."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/api/v1/teams/{team_id}/standups/mine"): {"today": "mine now", "version": 0},
    ("POST", "/api/v1/blockers/{blocker_id}/resolve"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    """Alice's submitted standup with an open blocker, and her leave."""
    url = f"/api/v1/teams/{ids['team_id']}/standups/mine"
    saved = client.put(
        url,
        json={"today": "secret plans", "blockers": "secret blocker", "submit": True, "version": 0},
        headers=alice.headers,
    )
    assert saved.status_code == 200, saved.text
    blockers = client.get(f"/api/v1/teams/{ids['team_id']}/blockers", headers=alice.headers)
    leave = client.post(
        "/api/v1/leave",
        json={"start": "2026-12-21", "end": "2026-12-31", "note": "secret trip"},
        headers=alice.headers,
    )
    assert leave.status_code == 201, leave.text
    return {"blocker_id": blockers.json()[0]["id"], "leave_id": leave.json()["id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    assert client.get("/api/v1/leave", headers=mallory.headers).json() == []
