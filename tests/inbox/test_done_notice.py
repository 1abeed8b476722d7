"""A requester hears that their task is done whichever entry point finished it: the CLI in
local mode, the Tasks page (and the API, in test_api.py), all wired in ``devday.wiring``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.notify.models import OutboxMessage
from tests.cli.conftest import Run, create_user, ok
from tests.conftest import Account
from tests.factories import api_team, csrf_from, web_log_in
from tests.inbox.support import ask, email_channel

SUBJECT = "Rotate the API keys"


def done_notices(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == f"Done: {SUBJECT}")
        )
        return [(m.target, m.text) for m in messages]


def test_it_tells_the_requester_when_the_task_is_finished_in_the_cli(
    run: Run, engine: Engine
) -> None:
    create_user(run, "alice@example.com")
    create_user(run, "bob@example.com")
    alice, bob = ("--user", "alice@example.com"), ("--user", "bob@example.com")
    ok(run(*alice, "team", "create", "Backend"))
    ok(run(*alice, "team", "add", "Backend", "bob@example.com"))
    ok(run(*bob, "channel", "add", "email", "bob-inbox@example.com", "--name", "me"))
    ok(run(*bob, "ask", "alice", SUBJECT))
    ok(run(*alice, "inbox", "accept", "1"))
    assert done_notices(engine) == []

    ok(run(*alice, "task", "done", "1"))
    assert done_notices(engine) == [
        ("bob-inbox@example.com", f"Alice finished your request “{SUBJECT}”.")
    ]


def test_it_tells_the_requester_when_the_task_is_finished_on_the_tasks_page(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    api_team(client, alice, members=[bob])
    email_channel(client, bob, "bob-inbox@example.com")
    item = ask(client, bob, recipient_id=alice.id, subject=SUBJECT)
    accepted = client.post(
        f"/api/v1/inbox/{item['id']}/accept", json={"version": 1}, headers=alice.headers
    )
    assert accepted.status_code == 200, accepted.text
    task_id = accepted.json()["task_id"]
    assert done_notices(engine) == []

    web_log_in(client, alice.email)
    page = client.get("/tasks")
    response = client.post(
        "/tasks/bulk",
        data={"csrf_token": csrf_from(page.text), "action": "done", "ids": [str(task_id)]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert done_notices(engine) == [
        ("bob-inbox@example.com", f"Alice finished your request “{SUBJECT}”.")
    ]
