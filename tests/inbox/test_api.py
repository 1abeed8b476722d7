from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.inbox.models import InboxItem
from devday.jobs.models import ScheduledJob
from devday.notify.models import OutboxMessage
from tests.factories import Account, api_channel, api_team
from tests.inbox.support import ask, carol, inbox


def test_it_delivers_a_colleagues_request_and_accepts_it_as_a_task(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    api_team(client, alice, members=[bob])
    api_channel(client, alice, "alice-inbox@example.com", kind="email", name="me")
    api_channel(client, bob, "bob-inbox@example.com", kind="email", name="me")
    item = ask(
        client,
        bob,
        recipient_id=alice.id,
        subject="Can you review the auth PR by Thu?",
        body="It is #231.",
    )
    assert item["status"] == "open" and item["team_id"] is None
    assert item["sender_name"] == "Bob" and item["recipient_name"] == "Alice"
    # Thursday 3 December, the end of Alice's working day in Berlin.
    assert item["suggestion"]["deadline"] == "2026-12-03T17:00:00Z"

    assert [i["id"] for i in inbox(client, alice)] == [item["id"]]
    assert inbox(client, bob) == []
    assert [i["id"] for i in inbox(client, bob, view="sent")] == [item["id"]]

    accepted = client.post(
        f"/api/v1/inbox/{item['id']}/accept",
        json={"importance": 3, "version": item["version"]},
        headers=alice.headers,
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and body["answered_at"] == "2026-11-30T09:00:00Z"
    task = client.get(f"/api/v1/tasks/{body['task_id']}", headers=alice.headers).json()
    assert task["title"] == "Can you review the auth PR by Thu?"
    assert task["importance"] == 3 and task["deadline"] == "2026-12-03T17:00:00Z"
    assert task["source"] == "inbox" and task["assignee_id"] == alice.id
    assert "Requested by Bob <bob@example.com>" in task["notes"]
    assert inbox(client, alice) == []
    assert [e["kind"] for e in body["events"]] == ["received", "accepted"]

    with Session(engine) as session:
        sent = {(m.target, m.subject) for m in session.scalars(select(OutboxMessage))}
    assert ("alice-inbox@example.com", "New request: Can you review the auth PR by Thu?") in sent
    assert ("bob-inbox@example.com", "Re: Can you review the auth PR by Thu?") in sent

    again = client.post(
        f"/api/v1/inbox/{item['id']}/decline",
        json={"reply": "no", "version": body["version"]},
        headers=alice.headers,
    )
    assert again.status_code == 409


def test_it_declines_snoozes_and_forwards(
    client: TestClient, alice: Account, bob: Account, clock: MockClock, engine: Engine
) -> None:
    c = carol(client)
    team = api_team(client, alice, members=[bob, c])
    first = ask(client, bob, team_id=team, recipient_id=alice.id, subject="Update the runbook")
    declined = client.post(
        f"/api/v1/inbox/{first['id']}/decline",
        json={"reply": "Carol owns the runbook now."},
        headers={**alice.headers, "If-Match": f'"{first["version"]}"'},
    ).json()
    assert declined["status"] == "declined" and declined["reply"] == "Carol owns the runbook now."

    second = ask(client, bob, team_id=team, recipient_id=alice.id, subject="Look at flaky test")
    snoozed = client.post(
        f"/api/v1/inbox/{second['id']}/snooze",
        json={"until": "2026-12-01T09:00:00+01:00", "version": 1},
        headers=alice.headers,
    ).json()
    assert snoozed["status"] == "snoozed"
    assert inbox(client, alice) == []
    assert [i["id"] for i in inbox(client, alice, view="snoozed")] == [second["id"]]
    with Session(engine) as session:
        job = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == "inbox.wake")).one()
        assert job.due_at.isoformat() == "2026-12-01T08:00:00+00:00"
    clock.advance(timedelta(days=1))  # past the snooze: back in the open list
    assert [i["id"] for i in inbox(client, alice)] == [second["id"]]

    forwarded = client.post(
        f"/api/v1/inbox/{second['id']}/forward",
        json={"to_user_id": c.id, "note": "You know this test", "version": snoozed["version"]},
        headers=alice.headers,
    ).json()
    assert forwarded["status"] == "forwarded" and forwarded["recipient_id"] == c.id
    assert [e["kind"] for e in forwarded["events"]] == ["received", "snoozed", "forwarded"]
    assert forwarded["events"][-1]["to_user_name"] == "Carol"
    assert [i["id"] for i in inbox(client, c)] == [second["id"]]
    assert inbox(client, alice) == []
    # Alice keeps the history; the search finds dismissed requests.
    assert client.get(f"/api/v1/inbox/{second['id']}", headers=alice.headers).status_code == 200
    found = inbox(client, alice, q="RUNBOOK")
    assert [i["id"] for i in found] == [first["id"]]
    assert [i["id"] for i in inbox(client, alice, q="bob")] == [second["id"], first["id"]]


def test_it_refuses_bad_requests_with_the_field(
    client: TestClient, alice: Account, bob: Account
) -> None:
    stranger = carol(client)
    api_team(client, alice, members=[bob])
    cases = [
        ({"subject": "x"}, "recipient_id"),
        ({"recipient_id": alice.id, "subject": "x"}, "recipient_id"),  # yourself
        ({"recipient_id": stranger.id, "subject": "x"}, "recipient_id"),
        ({"recipient_id": bob.id, "subject": "   "}, "subject"),
        ({"team_id": 999, "subject": "x"}, "team_id"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/inbox", json=body, headers=alice.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, response.text

    unknown = client.get("/api/v1/inbox", params={"view": "later"}, headers=alice.headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "view"

    item = ask(client, alice, recipient_id=bob.id, subject="Pair on the migration?")
    stale = client.post(
        f"/api/v1/inbox/{item['id']}/snooze",
        json={"until": "2026-12-01T09:00:00Z", "version": 7},
        headers=bob.headers,
    )
    assert stale.status_code == 409
    missing = client.post(
        f"/api/v1/inbox/{item['id']}/snooze",
        json={"until": "2026-12-01T09:00:00Z"},
        headers=bob.headers,
    )
    assert missing.status_code == 428
    past = client.post(
        f"/api/v1/inbox/{item['id']}/snooze",
        json={"until": "2026-11-30T08:00:00Z", "version": 1},
        headers=bob.headers,
    )
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "until"
    outsider = client.post(
        f"/api/v1/inbox/{item['id']}/forward",
        json={"to_user_id": stranger.id, "version": 1},
        headers=bob.headers,
    )
    assert outsider.status_code == 422
    # The sender sees what they sent but cannot triage it.
    own = client.post(
        f"/api/v1/inbox/{item['id']}/decline",
        json={"reply": "never mind", "version": 1},
        headers=alice.headers,
    )
    assert own.status_code == 403


def test_it_shows_a_teams_inbox_to_its_members_only(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    c = carol(client)
    team = api_team(client, alice, members=[bob])
    item = ask(client, bob, team_id=team, subject="Staging is slow")
    assert item["recipient_id"] is None
    # Unassigned: in every member's open list, nobody else's.
    assert [i["id"] for i in inbox(client, alice)] == [item["id"]]
    assert client.get(f"/api/v1/inbox/{item['id']}", headers=c.headers).status_code == 404
    assert inbox(client, c, view="all") == []
    assert inbox(client, c, q="staging") == []
    # Alice takes it by accepting: it becomes hers.
    accepted = client.post(
        f"/api/v1/inbox/{item['id']}/accept",
        json={"no_deadline": True, "version": 1},
        headers=alice.headers,
    ).json()
    assert accepted["recipient_id"] == alice.id
    with Session(engine) as session:
        row = session.get_one(InboxItem, item["id"])
        assert row.answered_at is not None and row.task_id == accepted["task_id"]
    task = client.get(f"/api/v1/tasks/{accepted['task_id']}", headers=alice.headers).json()
    assert task["deadline"] is None


def test_it_suggests_importance_and_deadline_from_the_text(
    client: TestClient, alice: Account, bob: Account
) -> None:
    api_team(client, alice, members=[bob])
    urgent = ask(client, bob, recipient_id=alice.id, subject="URGENT: prod login is down")
    assert urgent["suggestion"]["importance"] == 4 and urgent["suggestion"]["deadline"] is None
    soon = ask(client, bob, recipient_id=alice.id, subject="Numbers for the board before 15:00")
    assert soon["suggestion"]["deadline"] == "2026-11-30T14:00:00Z"
    assert soon["suggestion"]["importance"] == 3  # due within a day
    calm = ask(client, bob, recipient_id=alice.id, subject="No rush: tidy the wiki by next mon")
    assert calm["suggestion"] == {
        "importance": 1,
        "priority": "P4",
        "deadline": "2026-12-07T17:00:00Z",
        "reason": "the text says there is no rush",
    }


def test_it_wakes_a_snoozed_request_through_the_worker(
    client: TestClient, alice: Account, bob: Account, clock: MockClock, engine: Engine
) -> None:
    from tests.jobs.support import make_worker

    api_team(client, alice, members=[bob])
    api_channel(client, alice, "alice-inbox@example.com", kind="email", name="me")
    item = ask(client, bob, recipient_id=alice.id, subject="Rotate the API keys by Wed")
    client.post(
        f"/api/v1/inbox/{item['id']}/snooze",
        json={"until": "2026-11-30T13:00:00Z", "version": 1},
        headers=alice.headers,
    )
    worker = make_worker(engine, clock, web=None)  # type: ignore[arg-type]
    worker.run_once()
    assert client.get(f"/api/v1/inbox/{item['id']}", headers=alice.headers).json()["status"] == (
        "snoozed"
    )
    clock.set(clock.now() + timedelta(hours=4, minutes=1))
    worker.run_once()
    woken = client.get(f"/api/v1/inbox/{item['id']}", headers=alice.headers).json()
    assert woken["status"] == "open" and woken["snoozed_until"] is None
    assert [e["kind"] for e in woken["events"]] == ["received", "snoozed", "woke"]
    with Session(engine) as session:
        subjects = set(session.scalars(select(OutboxMessage.subject)))
    assert "Back in your inbox: Rotate the API keys by Wed" in subjects


def test_it_tells_the_requester_the_deadline_in_their_timezone(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    api_team(client, alice, members=[bob])
    api_channel(client, bob, "bob-inbox@example.com", kind="email", name="me")
    item = ask(client, bob, recipient_id=alice.id, subject="Rotate the API keys by Wed")
    client.post(
        f"/api/v1/inbox/{item['id']}/accept",
        json={"version": 1, "reply": "Wednesday morning."},
        headers=alice.headers,
    )
    with Session(engine) as session:
        [message] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.target == "bob-inbox@example.com")
        ).all()
    assert message.text == (
        "Alice accepted your request “Rotate the API keys by Wed”.\n"
        "Planned to be done by Wed 02 Dec 12:00 (America/New_York).\n\nWednesday morning."
    )


def done_notices(engine: Engine, subject: str) -> list[str]:
    with Session(engine) as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == f"Done: {subject}")
        )
        return [m.target for m in messages]


def test_the_requester_follows_the_task_and_hears_when_it_is_done(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    api_team(client, alice, members=[bob])
    api_channel(client, bob, "bob-inbox@example.com", kind="email", name="me")
    item = ask(client, bob, recipient_id=alice.id, subject="Rotate the API keys")
    accepted = client.post(
        f"/api/v1/inbox/{item['id']}/accept",
        json={"version": item["version"], "estimate_minutes": 30},
        headers=alice.headers,
    ).json()
    assert accepted["task_status"] == "todo"
    task_id = accepted["task_id"]
    # Bob cannot open Alice's task, but his copy of the request says where it stands.
    assert client.get(f"/api/v1/tasks/{task_id}", headers=bob.headers).status_code == 404
    [sent] = inbox(client, bob, view="sent")
    assert sent["task_status"] == "todo"
    assert done_notices(engine, "Rotate the API keys") == []

    task = client.get(f"/api/v1/tasks/{task_id}", headers=alice.headers).json()
    finished = client.patch(
        f"/api/v1/tasks/{task_id}",
        json={"status": "done", "version": task["version"]},
        headers=alice.headers,
    )
    assert finished.status_code == 200, finished.text
    [sent] = inbox(client, bob, view="sent")
    assert sent["task_status"] == "done"
    assert done_notices(engine, "Rotate the API keys") == ["bob-inbox@example.com"]
    page = client.get("/inbox?view=sent", headers=bob.headers)
    assert f'id="item-{item["id"]}-task-status">done<' in page.text


def test_the_requester_hears_when_the_last_planned_block_is_done(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    api_team(client, alice, members=[bob])
    api_channel(client, bob, "bob-inbox@example.com", kind="email", name="me")
    item = ask(client, bob, recipient_id=alice.id, subject="Renew the staging certificate")
    client.post(
        f"/api/v1/inbox/{item['id']}/accept",
        json={"version": item["version"], "estimate_minutes": 30},
        headers=alice.headers,
    )
    plan = client.post("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    [block] = [b for b in plan["blocks"] if b["title"] == "Renew the staging certificate"]
    done = client.patch(
        f"/api/v1/plans/2026-11-30/blocks/{block['id']}",
        json={"done": True},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert done.status_code == 200, done.text
    assert done_notices(engine, "Renew the staging certificate") == ["bob-inbox@example.com"]
