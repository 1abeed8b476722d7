"""Refusals name tasks by title, never by a bare id the user never sees on a page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, api_task


def test_a_stale_version_names_the_task(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, "Fix login")
    url = f"/api/v1/tasks/{task['id']}"
    assert client.patch(url, json={"notes": "a", "version": 1}, headers=alice.headers).is_success
    stale = client.patch(url, json={"notes": "b", "version": 1}, headers=alice.headers)
    assert stale.status_code == 409
    assert stale.json()["detail"] == (
        "version: 'Fix login' was changed by someone else (now version 2, you sent 1); "
        "read it again and retry"
    )


def test_a_dependency_cycle_names_the_tasks_by_title(client: TestClient, alice: Account) -> None:
    first = api_task(client, alice, "Design")
    second = api_task(client, alice, "Build", depends_on=[first["id"]])
    third = api_task(client, alice, "Ship", depends_on=[second["id"]])
    cycle = client.patch(
        f"/api/v1/tasks/{first['id']}",
        json={"depends_on": [third["id"]], "version": 1},
        headers=alice.headers,
    )
    assert cycle.status_code == 422
    assert cycle.json()["detail"] == (
        "depends_on: this would make a dependency cycle: 'Design' → 'Ship' → 'Build' → 'Design'"
    )
