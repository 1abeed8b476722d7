"""The daily meeting's part of the stranger walk: Alice's team meeting with a note, a decision
and an action item."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/meetings/{meeting_id}/items"): {"kind": "note", "text": "mine now"},
    ("POST", "/api/v1/meetings/{meeting_id}/close"): {},
    ("POST", "/api/v1/meetings/{meeting_id}/reassign"): {"task_id": 1, "assignee_id": 1},
    ("POST", "/api/v1/teams/{team_id}/meetings/today"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    meeting = client.post(f"/api/v1/teams/{ids['team_id']}/meetings/today", headers=alice.headers)
    assert meeting.status_code == 200, meeting.text
    url = f"/api/v1/meetings/{meeting.json()['id']}/items"
    note = client.post(url, json={"kind": "note", "text": "secret note"}, headers=alice.headers)
    assert note.status_code == 201, note.text
    for body in (
        {"kind": "decision", "text": "secret decision"},
        {
            "kind": "action",
            "text": "secret action",
            "assignee_id": alice.id,
            "deadline": "2026-12-01",
        },
    ):
        made = client.post(url, json=body, headers=alice.headers)
        assert made.status_code == 201, made.text
    return {"meeting_id": meeting.json()["id"], "meeting_item_id": note.json()["id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    team = client.post("/api/v1/teams", json={"name": "Mine"}, headers=mallory.headers).json()
    own = client.post(f"/api/v1/teams/{team['id']}/meetings/today", headers=mallory.headers)
    assert own.status_code == 200, own.text
    meeting = own.json()
    assert meeting["id"] != ids["meeting_id"] and meeting["items"] == []
    assert "secret" not in own.text
    listed = client.get(f"/api/v1/teams/{team['id']}/meetings", headers=mallory.headers).json()
    assert [m["id"] for m in listed] == [meeting["id"]]
    into = client.post(
        f"/api/v1/meetings/{meeting['id']}/reassign",
        json={"task_id": ids["task_id"], "assignee_id": mallory.id},
        headers=mallory.headers,
    )
    assert into.status_code == 422 and into.json()["errors"][0]["field"] == "task_id"
