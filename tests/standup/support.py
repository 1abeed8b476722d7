"""Building a small team through the public API, for the standup and figures tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account


def make_team(
    client: TestClient, owner: Account, members: dict[str, Account], timezone: str = "Europe/Berlin"
) -> dict[str, Any]:
    """A team owned by ``owner`` with ``members`` added by role name, and a project "api"."""
    team: dict[str, Any] = client.post(
        "/api/v1/teams", json={"name": "Backend", "timezone": timezone}, headers=owner.headers
    ).json()
    for role, account in members.items():
        added = client.post(
            f"/api/v1/teams/{team['id']}/members",
            json={"email": account.email, "role": role.rstrip("0123456789")},
            headers=owner.headers,
        )
        assert added.status_code == 201, added.text
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team["id"]}, headers=owner.headers
    )
    assert project.status_code == 201, project.text
    team["project_id"] = project.json()["id"]
    return team


def add_task(client: TestClient, who: Account, title: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/tasks", json={"title": title, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


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


def log_time(client: TestClient, who: Account, task_id: int, start: str, end: str) -> None:
    response = client.post(
        "/api/v1/time-entries",
        json={"task_id": task_id, "start": start, "end": end},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text


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
