"""GitHub and GitLab issues become tasks: a sync against a fake forge on 127.0.0.1 imports,
updates and finishes tasks, answers 304 by changing nothing, backs off on a rate limit, and
names a bad token; finishing a task closes its issue or comments on it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from devday.clock import MockClock
from devday.db import transaction
from devday.forge import client as forge_client
from devday.forge import mapping
from devday.forge import sync as forge_sync
from devday.jobs.models import ScheduledJob
from devday.netguard import OutboundPolicy
from devday.wiring import writer_sessions
from tests.conftest import START
from tests.factories import Account
from tests.forge.fake_forge import TOKEN, FakeForge
from tests.forge.support import connect, sync, tasks, worker

KINDS = ["github", "gitlab"]


def backlog(forge: FakeForge) -> None:
    forge.add(1, "Fix login", labels=["bug", "priority:high", "estimate:2h"], due="2026-12-10")
    forge.add(2, "Write docs", body="Some text\n/estimate 1h30m\n")
    forge.add(3, "Old thing", state="closed")
    forge.add(4, "Rate limit per account", labels=["priority:critical"])
    forge.add(5, "Refactor", labels=["tech debt"])


@pytest.mark.parametrize("kind", KINDS)
def test_it_imports_open_issues_across_pages(
    client: TestClient, alice: Account, forge: FakeForge, kind: str
) -> None:
    backlog(forge)
    if kind == "github":
        forge.add(6, "A pull request", pull=True)
    connection = connect(client, alice, forge, kind)

    result = sync(client, alice, connection["id"])

    assert result["created"] == 4 and result["error"] is None, result
    assert len(forge.lists(status=200)) == 3  # 5 or 6 issues, 2 a page
    mine = tasks(client, alice)
    assert sorted(mine) == ["Fix login", "Rate limit per account", "Refactor", "Write docs"]
    login = mine["Fix login"]
    assert login["importance"] == 3 and login["estimate_minutes"] == 120
    assert login["tags"] == ["bug", "estimate-2h", "priority-high"]
    assert login["deadline"].startswith("2026-12-10")
    assert "/issues/1" in login["notes"] and "acme/api#1" in login["notes"]
    assert login["source"] == "import"
    assert mine["Write docs"]["estimate_minutes"] == 90
    assert mine["Rate limit per account"]["importance"] == 4
    assert mine["Refactor"]["tags"] == ["tech-debt"] and mine["Refactor"]["importance"] == 2
    sent = forge.lists()[0]
    if kind == "github":
        assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    else:
        assert sent.headers["private-token"] == TOKEN


@pytest.mark.parametrize("kind", KINDS)
def test_it_changes_nothing_when_the_forge_answers_304(
    client: TestClient, alice: Account, forge: FakeForge, kind: str
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind)
    sync(client, alice, connection["id"])
    before = tasks(client, alice)

    again = sync(client, alice, connection["id"])

    assert again["not_modified"] is True and again["created"] == again["updated"] == 0
    [conditional] = forge.lists(status=304)
    assert conditional.headers["if-none-match"]
    assert tasks(client, alice) == before
    read = client.get(f"/api/v1/forges/{connection['id']}", headers=alice.headers).json()
    assert read["last_synced_at"] is not None and read["last_error"] is None


@pytest.mark.parametrize("kind", KINDS)
def test_it_updates_the_task_of_a_changed_issue_and_keeps_local_edits(
    client: TestClient, alice: Account, forge: FakeForge, kind: str
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind)
    sync(client, alice, connection["id"])
    docs = tasks(client, alice)["Write docs"]
    edited = client.patch(
        f"/api/v1/tasks/{docs['id']}",
        json={"estimate_minutes": 45, "version": docs["version"]},
        headers=alice.headers,
    )
    assert edited.status_code == 200, edited.text
    issue = forge.issues[2]
    issue.title, issue.labels = "Write the user docs", ["priority:high"]
    forge.touch(issue)

    result = sync(client, alice, connection["id"])

    assert result["updated"] == 1 and result["created"] == 0, result
    mine = tasks(client, alice)
    assert "Write docs" not in mine
    renamed = mine["Write the user docs"]
    assert renamed["id"] == docs["id"] and renamed["importance"] == 3
    assert renamed["estimate_minutes"] == 45  # the forge's estimate did not change
    assert len(mine) == 4


@pytest.mark.parametrize("kind", KINDS)
def test_it_finishes_the_task_of_a_closed_issue(
    client: TestClient, alice: Account, forge: FakeForge, kind: str
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind, on_finish="close")
    sync(client, alice, connection["id"])
    forge.issues[4].state = "closed"
    forge.touch(forge.issues[4])

    result = sync(client, alice, connection["id"])

    assert result["finished"] == 1, result
    assert tasks(client, alice)["Rate limit per account"]["status"] == "done"
    assert [r for r in forge.requests if r.method != "GET"] == []  # nothing told back


@pytest.mark.parametrize("kind", KINDS)
def test_it_closes_the_issue_when_the_task_is_finished(
    client: TestClient,
    alice: Account,
    forge: FakeForge,
    engine: Engine,
    clock: MockClock,
    kind: str,
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind, on_finish="close")
    sync(client, alice, connection["id"])
    task = tasks(client, alice)["Refactor"]

    done = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=alice.headers,
    )
    assert done.status_code == 200, done.text
    worker(engine, clock).run_once()

    assert forge.issues[5].state == "closed"
    [closing] = [r for r in forge.requests if r.method in ("PATCH", "PUT")]
    assert closing.body == ({"state": "closed"} if kind == "github" else {"state_event": "close"})
    assert forge.comments == []
    # The next sync sees the issue closed and finds nothing more to do.
    assert sync(client, alice, connection["id"])["finished"] == 0
    assert [r for r in forge.requests if r.method in ("PATCH", "PUT")] == [closing]


@pytest.mark.parametrize("kind", KINDS)
def test_it_comments_when_the_task_is_finished(
    client: TestClient,
    alice: Account,
    forge: FakeForge,
    engine: Engine,
    clock: MockClock,
    kind: str,
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind, on_finish="comment")
    sync(client, alice, connection["id"])
    task = tasks(client, alice)["Fix login"]

    client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=alice.headers,
    )
    worker(engine, clock).run_once()

    assert forge.comments == [(1, "Finished in devday.")]
    assert forge.issues[1].state == "open"


def test_it_retries_telling_the_forge_and_shows_the_failure(
    client: TestClient, alice: Account, forge: FakeForge, engine: Engine, clock: MockClock
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, "github", on_finish="close")
    sync(client, alice, connection["id"])
    task = tasks(client, alice)["Refactor"]
    running = worker(engine, clock)
    running.run_once()  # the connection's first poll
    client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=alice.headers,
    )
    forge.limit_next(502, {})
    running.run_once()
    assert forge.issues[5].state == "open"
    read = client.get(f"/api/v1/forges/{connection['id']}", headers=alice.headers).json()
    assert "closing issue #5: GitHub answered 502" in read["last_error"]

    clock.advance(timedelta(seconds=31))
    running.run_once()

    assert forge.issues[5].state == "closed"


@pytest.mark.parametrize("kind", KINDS)
def test_it_backs_off_until_the_rate_limit_resets(
    client: TestClient, alice: Account, forge: FakeForge, clock: MockClock, kind: str
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind)
    reset = START + timedelta(hours=1)
    if kind == "github":
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(reset.timestamp()))}
        forge.limit_next(403, headers)
    else:
        forge.limit_next(429, {"RateLimit-Reset": str(int(reset.timestamp()))})

    limited = sync(client, alice, connection["id"])

    assert "rate limit is used up" in limited["error"]
    assert datetime.fromisoformat(limited["retry_at"]) == reset
    read = client.get(f"/api/v1/forges/{connection['id']}", headers=alice.headers).json()
    assert "rate limit" in read["last_error"] and "2026-11-30 10:00 UTC" in read["last_error"]
    asked = len(forge.requests)
    clock.advance(timedelta(minutes=30))
    early = client.post(f"/api/v1/forges/{connection['id']}/sync", headers=alice.headers)
    assert early.status_code == 429 and early.headers["Retry-After"] == "1800"
    assert len(forge.requests) == asked  # nothing sent while the limit lasts

    clock.set(reset + timedelta(seconds=1))
    after = sync(client, alice, connection["id"])

    assert after["created"] == 4 and after["error"] is None
    read = client.get(f"/api/v1/forges/{connection['id']}", headers=alice.headers).json()
    assert read["last_error"] is None and read["retry_at"] is None


def test_it_waits_as_long_as_retry_after_says(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    connection = connect(client, alice, forge, "github")
    forge.limit_next(403, {"Retry-After": "120"})

    limited = sync(client, alice, connection["id"])

    assert datetime.fromisoformat(limited["retry_at"]) == START + timedelta(seconds=120)


@pytest.mark.parametrize("kind", KINDS)
def test_it_names_a_bad_token_on_the_connection(
    client: TestClient, alice: Account, forge: FakeForge, kind: str
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, kind, token="expired-token-abcdefgh")

    result = sync(client, alice, connection["id"])

    name = "GitHub" if kind == "github" else "GitLab"
    assert result["error"].startswith(f"{name} refused the token (401")
    read = client.get(f"/api/v1/forges/{connection['id']}", headers=alice.headers).json()
    assert read["last_error"] == result["error"]
    assert tasks(client, alice) == {}
    assert "expired-token" not in str(read) and read["token"] == "…efgh"


def test_it_names_a_repository_it_cannot_find(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    connection = connect(client, alice, forge, "github", repo="acme/nope")

    result = sync(client, alice, connection["id"])

    assert "knows no repository 'acme/nope'" in result["error"]


def test_it_reads_only_the_issues_assigned_to_the_login(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    forge.add(1, "Mine", assignee="alexdev")
    forge.add(2, "Theirs", assignee="sam")
    connection = connect(client, alice, forge, "gitlab", assignee="alexdev")

    sync(client, alice, connection["id"])

    assert list(tasks(client, alice)) == ["Mine"]
    assert forge.lists()[0].query["assignee_username"] == "alexdev"


def test_it_never_answers_the_token_back(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    connect(client, alice, forge, "github")

    listed = client.get("/api/v1/forges", headers=alice.headers)

    assert TOKEN not in listed.text
    assert listed.json()[0]["token"] == "…" + TOKEN[-4:]


def test_it_polls_from_the_worker(
    client: TestClient, alice: Account, forge: FakeForge, engine: Engine, clock: MockClock
) -> None:
    backlog(forge)
    connect(client, alice, forge, "github", poll_minutes=15)
    running = worker(engine, clock)

    running.run_once()

    assert len(tasks(client, alice)) == 4
    clock.advance(timedelta(minutes=14))
    running.run_once()
    assert len(forge.lists()) == 3  # not yet
    clock.advance(timedelta(minutes=1))
    running.run_once()
    assert len(forge.lists(status=304)) == 1


def test_it_refuses_a_private_base_url(
    client: TestClient, app: object, alice: Account, forge: FakeForge
) -> None:
    settings = client.app.state.devday.settings  # type: ignore[attr-defined]
    settings.allow_private_urls = False
    body = {"kind": "gitlab", "repo": "acme/api", "token": TOKEN, "base_url": forge.url}

    refused = client.post("/api/v1/forges", json=body, headers=alice.headers)

    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "base_url" and "loopback" in error["message"]
    assert client.get("/api/v1/forges", headers=alice.headers).json() == []
    assert forge.requests == []


def test_it_refuses_at_sync_a_base_url_that_became_private(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    connection = connect(client, alice, forge, "github")
    client.app.state.devday.settings.allow_private_urls = False  # type: ignore[attr-defined]

    result = sync(client, alice, connection["id"])

    assert result["error"].startswith("base_url:") and "loopback" in result["error"]
    assert forge.requests == []


def test_it_keeps_team_connections_to_managers(
    client: TestClient, alice: Account, bob: Account, forge: FakeForge
) -> None:
    team = client.post("/api/v1/teams", json={"name": "Backend"}, headers=alice.headers).json()
    added = client.post(
        f"/api/v1/teams/{team['id']}/members", json={"email": bob.email}, headers=alice.headers
    )
    assert added.status_code == 201, added.text
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team["id"]}, headers=alice.headers
    ).json()
    body = {"kind": "github", "repo": forge.repo, "token": TOKEN, "base_url": forge.url}

    by_member = client.post(
        "/api/v1/forges", json=body | {"project_id": project["id"]}, headers=bob.headers
    )
    assert by_member.status_code == 403, by_member.text

    connection = connect(client, alice, forge, "github", project_id=project["id"])
    assert connection["team_id"] == team["id"]
    seen = client.get("/api/v1/forges", headers=bob.headers).json()
    assert [c["id"] for c in seen] == [connection["id"]]
    removed = client.delete(f"/api/v1/forges/{connection['id']}", headers=bob.headers)
    assert removed.status_code == 403


def test_it_updates_and_removes_a_connection(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    backlog(forge)
    connection = connect(client, alice, forge, "github")
    sync(client, alice, connection["id"])

    changed = client.patch(
        f"/api/v1/forges/{connection['id']}",
        json={"on_finish": "comment", "labels": ["bug"]},
        headers=alice.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["on_finish"] == "comment" and changed.json()["labels"] == ["bug"]
    again = sync(client, alice, connection["id"])
    assert again["not_modified"] is False  # a new filter reads the list afresh
    assert forge.lists()[-1].query["labels"] == "bug"

    removed = client.delete(f"/api/v1/forges/{connection['id']}", headers=alice.headers)
    assert removed.status_code == 204
    assert client.get("/api/v1/forges", headers=alice.headers).json() == []
    assert len(tasks(client, alice)) == 4  # the tasks stay


def test_it_refuses_bad_settings_by_field(client: TestClient, alice: Account) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"repo": "not a repo"}, "repo"),
        ({"repo": "group/sub/project"}, "repo"),  # GitHub takes owner/name only
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"importance_map": "priority:high=urgent"}, "importance_map"),
        ({"on_finish": "explode"}, "on_finish"),
        ({"poll_minutes": 0}, "poll_minutes"),
        ({"project_id": 999}, "project_id"),
    ]
    for change, field in cases:
        body: dict[str, object] = {"kind": "github", "repo": "acme/api", "token": TOKEN}
        body |= change
        response = client.post("/api/v1/forges", json=body, headers=alice.headers)
        assert response.status_code == 422, (change, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text


def test_it_reads_importance_names_and_durations() -> None:
    assert mapping.parse_importance_map(mapping.DEFAULT_IMPORTANCE)["priority:high"] == 3
    assert mapping.parse_importance_map("urgent=P1, nice = low") == {"urgent": 4, "nice": 1}
    with pytest.raises(ValueError, match="'urgent=soon'"):
        mapping.parse_importance_map("urgent=soon")
    assert mapping.parse_duration("1d") == 480 and mapping.parse_duration("1.5h") == 90
    assert mapping.parse_duration("soon") is None and mapping.parse_duration("") is None


def test_it_imports_the_rest_when_one_issue_cannot_be_a_task(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    forge.add(1, "Fine")
    forge.add(2, "Far away", due="2999-01-01")
    connection = connect(client, alice, forge, "github")

    result = sync(client, alice, connection["id"])

    assert result["created"] == 1 and list(tasks(client, alice)) == ["Fine"]
    assert result["error"].startswith("issue #2: deadline:") and "2200-12-31" in result["error"]


def test_it_drops_what_it_read_when_the_connection_changed_meanwhile(
    client: TestClient, alice: Account, forge: FakeForge, engine: Engine, clock: MockClock
) -> None:
    forge.add(1, "Bug", labels=["bug"])
    forge.add(2, "Chore")
    connection = connect(client, alice, forge, "github")
    sessions = writer_sessions(engine, clock)
    with transaction(sessions) as session:
        remote = forge_sync.claim(session, connection["id"], START)
    assert remote is not None
    listing = forge_client.list_issues(remote, OutboundPolicy.of(allow_private=True))
    changed = client.patch(
        f"/api/v1/forges/{connection['id']}", json={"labels": ["bug"]}, headers=alice.headers
    )
    assert changed.status_code == 200, changed.text

    with transaction(sessions) as session:
        result = forge_sync.record(session, remote, listing, START)

    assert result.error == "the connection changed during the sync; sync again"
    assert tasks(client, alice) == {}
    assert sync(client, alice, connection["id"])["created"] == 1
    assert list(tasks(client, alice)) == ["Bug"]


def test_a_starting_worker_queues_a_poll_for_a_connection_that_has_none(
    client: TestClient, alice: Account, forge: FakeForge, engine: Engine, clock: MockClock
) -> None:
    forge.add(1, "Fix login")
    connect(client, alice, forge, "gitlab")
    with transaction(writer_sessions(engine, clock)) as session:
        session.execute(delete(ScheduledJob))  # as if its poll had been lost
    running = worker(engine, clock)

    running.start_up()
    running.run_once()  # the sweep queues the poll
    running.run_once()  # the poll

    assert list(tasks(client, alice)) == ["Fix login"]


def test_finishing_an_imported_task_counts_one_version(
    client: TestClient, alice: Account, forge: FakeForge
) -> None:
    forge.add(1, "Fix login")
    connection = connect(client, alice, forge, "github", on_finish="close")
    sync(client, alice, connection["id"])
    task = tasks(client, alice)["Fix login"]

    done = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=alice.headers,
    )

    assert done.status_code == 200 and done.json()["version"] == task["version"] + 1
