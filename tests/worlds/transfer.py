"""Moving in and out in the stranger walk: Alice's Taskwarrior task, and what a stranger's
export and import may reach of it (nothing)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

UUID = "2ed9c9bb-456a-4bc3-a3f9-4d42cc7ebded"


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    record = {"uuid": UUID, "description": "secret from taskwarrior", "status": "pending"}
    imported = client.post("/api/v1/import/taskwarrior", json=[record], headers=alice.headers)
    assert imported.status_code == 200, imported.text
    exported = client.get("/api/v1/export/taskwarrior", headers=alice.headers).json()
    return {"alices_uuids": [task["uuid"] for task in exported]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    # Mallory's export holds her own tasks only (another world may have given her one).
    exported = client.get("/api/v1/export/taskwarrior", headers=mallory.headers).json()
    assert {task["uuid"] for task in exported}.isdisjoint(ids["alices_uuids"]), exported
    assert not [task for task in exported if "secret" in task["description"]], exported
    document = client.get("/api/v1/export", headers=mallory.headers).json()
    assert document["profile"]["email"] == mallory.email
    assert all(document[name] == [] for name in ("projects", "time_entries", "channels"))
    assert not [task for task in document["tasks"] if "secret" in str(task)]
    # Importing under the UUIDs of Alice's tasks makes Mallory tasks of her own.
    records = [
        {"uuid": uuid, "description": "mine now", "status": "completed", "end": "20261130T090000Z"}
        for uuid in ids["alices_uuids"]
    ]
    imported = client.post("/api/v1/import/taskwarrior", json=records, headers=mallory.headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == len(records)
    secret = client.get("/api/v1/tasks", params={"q": "secret"}, headers=mallory.headers).json()
    assert secret["items"] == []
