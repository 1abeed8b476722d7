"""During and after the meeting: notes, decisions, action items that become tasks, closing it
with the summary delivered by a real worker to a real webhook receiver; and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.db import make_session_factory, transaction
from devday.jobs.runner import Worker
from devday.notify.delivery import WebhookSender
from devday.notify.models import OutboxMessage
from devday.standup.models import Leave
from tests.factories import Account, api_team
from tests.jobs.support import make_worker
from tests.meeting.support import berliner, today
from tests.notify.support import WebhookReceiver, valid_signature


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def worker(engine: Engine, clock: MockClock) -> Iterator[Worker]:
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    yield worker
    worker.close()


def drain(worker: Worker) -> None:
    for _ in range(20):
        if not worker.run_once():
            return
    raise AssertionError("the worker never ran out of work")


def add(client: TestClient, who: Account, meeting_id: int, **body: object) -> dict[str, Any]:
    response = client.post(f"/api/v1/meetings/{meeting_id}/items", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_it_turns_an_action_item_into_a_team_task(client: TestClient, alice: Account) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    meeting = today(client, alice, team_id)

    item = add(
        client,
        alice,
        meeting["id"],
        kind="action",
        text="Write the rollback runbook",
        assignee_id=bob.id,
        deadline="2026-12-02",
        estimate_minutes=60,
    )

    assert (item["assignee"], item["task_status"]) == ("Bobby", "todo")
    made = client.get(f"/api/v1/tasks/{item['task_id']}", headers=bob.headers).json()
    assert made["title"] == "Write the rollback runbook"
    assert (made["assignee_id"], made["team_id"], made["source"]) == (bob.id, team_id, "meeting")
    assert made["deadline"] == "2026-12-02T17:00:00Z" and made["estimate_minutes"] == 60
    mine = client.get("/api/v1/tasks?status=open", headers=bob.headers).json()["items"]
    assert [t["id"] for t in mine] == [item["task_id"]]
    shown = client.get(f"/api/v1/meetings/{meeting['id']}", headers=bob.headers).json()
    assert [(i["kind"], i["task_id"]) for i in shown["items"]] == [("action", item["task_id"])]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "action", "text": "x", "deadline": "2026-12-02"}, "assignee_id"),
        ({"kind": "action", "text": "x", "assignee_id": 1}, "deadline"),
        ({"kind": "action", "text": "x" * 301, "assignee_id": 1, "deadline": "2026-12-02"}, "text"),
        ({"kind": "note", "text": "   "}, "text"),
        ({"kind": "note", "text": "x", "deadline": "2026-12-02"}, "deadline"),
        ({"kind": "poem", "text": "x"}, "kind"),
        (
            {"kind": "action", "text": "x", "assignee_id": 0, "deadline": "2026-12-02"},
            "assignee_id",
        ),
    ],
)
def test_it_refuses_bad_items(
    client: TestClient, alice: Account, body: dict[str, Any], field: str
) -> None:
    team_id = api_team(client, alice)
    meeting = today(client, alice, team_id)
    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/items", json=body, headers=alice.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_it_refuses_an_assignee_outside_the_team_and_keeps_nothing(
    client: TestClient, alice: Account, engine: Engine
) -> None:
    outsider = berliner(client, "Olga")
    team_id = api_team(client, alice)
    meeting = today(client, alice, team_id)
    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/items",
        json={"kind": "action", "text": "x", "assignee_id": outsider.id, "deadline": "2026-12-02"},
        headers=alice.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assignee_id"
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []


def test_it_closes_the_meeting_and_the_summary_reaches_the_teams_webhook(
    client: TestClient,
    engine: Engine,
    alice: Account,
    worker: Worker,
    receiver: WebhookReceiver,
) -> None:
    bob = berliner(client, "Bobby")
    carol = berliner(client, "Carol")
    team_id = api_team(client, alice, members=[(bob, "member"), (carol, "member")])
    with transaction(make_session_factory(engine, writer=True)) as session:
        session.add(Leave(user_id=carol.id, start=date(2026, 11, 27), end=date(2026, 12, 4)))
    channel = client.post(
        "/api/v1/channels",
        json={
            "kind": "webhook",
            "name": "team",
            "target": f"{receiver.url}/team",
            "team_id": team_id,
        },
        headers=alice.headers,
    )
    assert channel.status_code == 201, channel.text
    meeting = today(client, bob, team_id)
    assert {p["name"]: p["away"] for p in meeting["agenda"]["people"]}["Carol"] is True
    add(client, bob, meeting["id"], kind="note", text="Release moves to **Thursday**.")
    add(client, alice, meeting["id"], kind="decision", text="Freeze /v2/orders until docs ship")
    action = add(
        client,
        alice,
        meeting["id"],
        kind="action",
        text="Rotate the API keys",
        assignee_id=bob.id,
        deadline="2026-12-01T16:00:00+01:00",
    )

    refused = client.post(f"/api/v1/meetings/{meeting['id']}/close", json={}, headers=bob.headers)
    assert refused.status_code == 403  # members add items; owners and managers close
    stale = client.post(
        f"/api/v1/meetings/{meeting['id']}/close", json={"version": 7}, headers=alice.headers
    )
    assert stale.status_code == 409
    closed = client.post(f"/api/v1/meetings/{meeting['id']}/close", json={}, headers=alice.headers)

    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["sent_to"] == 1 and body["agenda"] is None
    assert sorted(body["attendee_ids"]) == sorted([alice.id, bob.id])
    assert body["away_ids"] == [carol.id]
    summary = body["summary"]
    assert "Attended: Alice, Bobby" in summary and "Away: Carol" in summary
    assert "- Freeze /v2/orders until docs ship" in summary
    assert f"- #{action['task_id']} Rotate the API keys: Bobby, due Tue 01 Dec 16:00" in summary
    assert "Release moves to **Thursday**." in summary
    again = client.post(f"/api/v1/meetings/{meeting['id']}/close", json={}, headers=alice.headers)
    assert again.status_code == 409
    late_note = client.post(
        f"/api/v1/meetings/{meeting['id']}/items",
        json={"kind": "note", "text": "too late"},
        headers=bob.headers,
    )
    assert late_note.status_code == 409

    drain(worker)
    [hook] = receiver.received
    assert hook.path == "/team" and valid_signature(channel.json()["secret"], hook)
    document = hook.json()
    assert document["payload"]["type"] == "meeting.summary"
    assert document["payload"]["meeting_id"] == meeting["id"]
    assert "Rotate the API keys" in document["text"] and "Away: Carol" in document["text"]
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 1


def test_it_lets_authors_and_managers_remove_items(client: TestClient, alice: Account) -> None:
    bob = berliner(client, "Bobby")
    carol = berliner(client, "Carol")
    team_id = api_team(client, alice, members=[(bob, "member"), (carol, "member")])
    meeting = today(client, alice, team_id)
    bobs = add(client, bob, meeting["id"], kind="note", text="mine")
    url = f"/api/v1/meetings/{meeting['id']}/items/{bobs['id']}"
    assert client.delete(url, headers=carol.headers).status_code == 403
    assert client.delete(url, headers=bob.headers).status_code == 204
    assert client.delete(url, headers=bob.headers).status_code == 404
    carols = add(client, carol, meeting["id"], kind="decision", text="theirs")
    url = f"/api/v1/meetings/{meeting['id']}/items/{carols['id']}"
    assert client.delete(url, headers=alice.headers).status_code == 204


def test_it_shows_a_teams_meetings_to_its_members_only(
    client: TestClient, alice: Account, engine: Engine
) -> None:
    bob = berliner(client, "Bobby")
    stranger = berliner(client, "Mallory")
    team_id = api_team(client, alice, members=[(bob, "member")])
    meeting = today(client, alice, team_id)
    note = add(client, alice, meeting["id"], kind="note", text="private")

    for method, url, body in (
        ("GET", f"/api/v1/teams/{team_id}/meetings/today", None),
        ("POST", f"/api/v1/teams/{team_id}/meetings/today", None),
        ("GET", f"/api/v1/teams/{team_id}/meetings", None),
        ("GET", f"/api/v1/meetings/{meeting['id']}", None),
        ("POST", f"/api/v1/meetings/{meeting['id']}/items", {"kind": "note", "text": "x"}),
        ("DELETE", f"/api/v1/meetings/{meeting['id']}/items/{note['id']}", None),
        ("POST", f"/api/v1/meetings/{meeting['id']}/close", {}),
        ("POST", f"/api/v1/meetings/{meeting['id']}/reassign", {"task_id": 1, "assignee_id": 1}),
    ):
        response = client.request(method, url, json=body, headers=stranger.headers)
        assert response.status_code == 404, (method, url, response.text)
    assert client.get(f"/api/v1/meetings/{meeting['id']}", headers=bob.headers).status_code == 200
    assert client.get("/api/v1/meetings/2147483648", headers=bob.headers).status_code == 422
    assert client.get(f"/api/v1/meetings/{meeting['id']}").status_code == 401
