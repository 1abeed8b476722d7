"""Finishing tasks and reading and submitting standups through the public API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account


def finish(client: TestClient, who: Account, task: dict[str, Any]) -> dict[str, Any]:
    current = client.get(f"/api/v1/tasks/{task['id']}", headers=who.headers).json()
    response = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": current["version"]},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    done: dict[str, Any] = response.json()
    return done


def mine(client: TestClient, team_id: int, who: Account, **params: str) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/teams/{team_id}/standups/mine", params=params, headers=who.headers
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def submit(client: TestClient, team_id: int, who: Account, **parts: Any) -> dict[str, Any]:
    current = mine(client, team_id, who, **({"day": parts["day"]} if "day" in parts else {}))
    response = client.put(
        f"/api/v1/teams/{team_id}/standups/mine",
        json={"submit": True, "version": current["version"], **parts},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    saved: dict[str, Any] = response.json()
    return saved
