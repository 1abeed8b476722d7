from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.conftest import START as START_OF_TEST
from tests.factories import Account, api_task, api_team


def titles(client: TestClient, who: Account, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/tasks{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    return [t["title"] for t in response.json()["items"]]


def test_it_keeps_every_field_of_a_task(client: TestClient, alice: Account) -> None:
    dep = api_task(client, alice, title="Design the schema")
    task = api_task(
        client,
        alice,
        title="Fix login rate limit",
        notes="See **#212**",
        importance=4,
        deadline="2026-12-04T17:00:00+01:00",
        planned_date="2026-12-01",
        estimate_minutes=120,
        earliest_start="2026-12-01T08:00:00Z",
        splittable=False,
        min_chunk_minutes=45,
        kind="coding",
        tags=["Security", "#api"],
        depends_on=[dep["id"]],
        source="inbox",
    )
    assert task["priority"] == "P1"
    assert task["deadline"] == "2026-12-04T16:00:00Z"
    assert task["planned_date"] == "2026-12-01"
    assert task["earliest_start"] == "2026-12-01T08:00:00Z"
    assert task["splittable"] is False and task["min_chunk_minutes"] == 45
    assert task["tags"] == ["api", "security"]
    assert task["depends_on"] == [dep["id"]]
    assert task["source"] == "inbox" and task["kind"] == "coding"
    assert task["notes_html"] == "<p>See <strong>#212</strong></p>\n"
    assert task["assignee_id"] == alice.id and task["owner_id"] == alice.id
    assert task["created_at"] == task["updated_at"] == "2026-11-30T09:00:00Z"
    again = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()
    assert task.pop("warnings") == []  # a working day ahead: nothing to say
    assert again == task
    # The list reads its page in one query of its own: every field the same, types included.
    client.post("/api/v1/timer/start", json={"task_id": task["id"]}, headers=alice.headers)
    client.post("/api/v1/timer/stop", headers=alice.headers)
    listed = client.get("/api/v1/tasks", headers=alice.headers)
    for item in listed.json()["items"]:
        alone = client.get(f"/api/v1/tasks/{item['id']}", headers=alice.headers).text
        assert json.dumps(item) == json.dumps(json.loads(alone))
    assert len(listed.json()["items"]) == 2 and '"actual_minutes":0,' in listed.text


def test_it_defaults_min_chunk_and_importance(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice)
    assert task["min_chunk_minutes"] == 30 and task["importance"] == 2
    assert task["priority"] == "P3" and task["status"] == "todo" and task["kind"] == "other"


def test_it_reads_a_date_alone_as_the_end_of_the_owners_working_day(
    client: TestClient, alice: Account, bob: Account
) -> None:
    berlin = api_task(client, alice, deadline="2026-12-04")
    new_york = api_task(client, bob, deadline="2026-12-04")
    assert berlin["deadline"] == "2026-12-04T17:00:00Z"  # 18:00 in Berlin
    assert new_york["deadline"] == "2026-12-04T23:00:00Z"  # 18:00 in New York


def test_it_follows_daylight_saving_for_date_deadlines(client: TestClient, alice: Account) -> None:
    summer = api_task(client, alice, deadline="2027-07-01")
    assert summer["deadline"] == "2027-07-01T16:00:00Z"  # 18:00 CEST


def test_it_refuses_a_deadline_without_an_offset(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/v1/tasks", json={"title": "t", "deadline": "2026-12-04T17:00"}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deadline"
    assert "offset" in response.json()["detail"]


def test_it_marks_done_with_a_completion_time_and_reopens(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = api_task(client, alice)
    clock.advance(timedelta(hours=2))
    done = client.patch(
        f"/api/v1/tasks/{task['id']}", json={"status": "done", "version": 1}, headers=alice.headers
    ).json()
    assert done["completed_at"] == "2026-11-30T11:00:00Z" and done["version"] == 2
    assert done["updated_at"] == "2026-11-30T11:00:00Z"
    reopened = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "todo"},
        headers={**alice.headers, "If-Match": '"2"'},
    ).json()
    assert reopened["completed_at"] is None


def test_it_refuses_a_stale_update_and_keeps_the_first(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, title="original")
    first = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"title": "first"},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    second = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"title": "second"},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    assert second.status_code == 409
    assert "version 2" in second.json()["detail"]
    assert (
        client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()["title"] == "first"
    )


def test_it_requires_the_version_on_update(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice)
    response = client.patch(
        f"/api/v1/tasks/{task['id']}", json={"title": "x"}, headers=alice.headers
    )
    assert response.status_code == 428
    assert response.json()["errors"][0]["field"] == "version"


def test_it_clears_optional_fields_with_null(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, deadline="2026-12-04", estimate_minutes=30)
    cleared = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"deadline": None, "estimate_minutes": None, "version": 1},
        headers=alice.headers,
    )
    assert cleared.json()["deadline"] is None and cleared.json()["estimate_minutes"] is None
    refused = client.patch(
        f"/api/v1/tasks/{task['id']}", json={"title": None, "version": 2}, headers=alice.headers
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "title"


def test_it_refuses_a_dependency_cycle_and_names_it(client: TestClient, alice: Account) -> None:
    a = api_task(client, alice, title="A")
    b = api_task(client, alice, title="B", depends_on=[a["id"]])
    c = api_task(client, alice, title="C", depends_on=[b["id"]])
    response = client.patch(
        f"/api/v1/tasks/{a['id']}",
        json={"depends_on": [c["id"]], "version": 1},
        headers=alice.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "depends_on"
    assert "dependency cycle: 'A' → 'C' → 'B' → 'A'" in body["detail"]
    assert client.get(f"/api/v1/tasks/{a['id']}", headers=alice.headers).json()["depends_on"] == []
    itself = client.patch(
        f"/api/v1/tasks/{a['id']}",
        json={"depends_on": [a["id"]], "version": 1},
        headers=alice.headers,
    )
    assert itself.status_code == 422
    assert itself.json()["detail"] == "depends_on: 'A' cannot depend on itself"


def test_it_refuses_unknown_references_in_the_body(client: TestClient, alice: Account) -> None:
    for field, value in [("depends_on", [999]), ("project_id", 999), ("assignee_id", 999)]:
        response = client.post(
            "/api/v1/tasks", json={"title": "t", field: value}, headers=alice.headers
        )
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field
    assert titles(client, alice) == []  # nothing half-written


def test_it_assigns_team_tasks_to_members_only(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice)
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team}, headers=alice.headers
    ).json()
    refused = client.post(
        "/api/v1/tasks",
        json={"title": "t", "project_id": project["id"], "assignee_id": bob.id},
        headers=alice.headers,
    )
    assert refused.status_code == 422
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    task = api_task(client, alice, title="for bob", project_id=project["id"], assignee_id=bob.id)
    assert task["team_id"] == team
    assert titles(client, bob, f"?assignee_id={bob.id}") == ["for bob"]


def test_it_lists_by_deadline_then_importance(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="no deadline", importance=4)
    api_task(client, alice, title="fri low", deadline="2026-12-04", importance=1)
    api_task(client, alice, title="fri high", deadline="2026-12-04", importance=4)
    api_task(client, alice, title="tue", deadline="2026-12-01", importance=2)
    assert titles(client, alice) == ["tue", "fri high", "fri low", "no deadline"]


def test_it_filters_the_list(client: TestClient, alice: Account) -> None:
    api = client.post("/api/v1/projects", json={"name": "api"}, headers=alice.headers).json()
    api_task(
        client,
        alice,
        title="Fix 100% CPU",
        project_id=api["id"],
        tags=["perf"],
        deadline="2026-12-01",
        planned_date="2026-11-30",
    )
    api_task(
        client, alice, title="Write docs", notes="mention the rate limit", deadline="2026-12-10"
    )
    done = api_task(client, alice, title="Old thing")
    client.patch(
        f"/api/v1/tasks/{done['id']}", json={"status": "done", "version": 1}, headers=alice.headers
    )
    assert titles(client, alice, "?status=done") == ["Old thing"]
    assert titles(client, alice, "?status=open") == ["Fix 100% CPU", "Write docs"]
    assert titles(client, alice, "?status=todo,dropped") == ["Fix 100% CPU", "Write docs"]
    assert titles(client, alice, f"?project_id={api['id']}") == ["Fix 100% CPU"]
    assert titles(client, alice, "?tag=PERF") == ["Fix 100% CPU"]
    assert titles(client, alice, "?deadline_before=2026-12-05T00:00:00Z") == ["Fix 100% CPU"]
    assert titles(client, alice, "?deadline_after=2026-12-05T00:00:00%2B01:00") == ["Write docs"]
    assert titles(client, alice, "?planned_date=2026-11-30") == ["Fix 100% CPU"]
    assert titles(client, alice, "?q=RATE LIMIT") == ["Write docs"]
    assert titles(client, alice, "?q=100%25") == ["Fix 100% CPU"]  # % is literal, not a wildcard
    bad = client.get("/api/v1/tasks?status=finished", headers=alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_it_paginates(client: TestClient, alice: Account) -> None:
    for day in range(1, 6):
        api_task(client, alice, title=f"t{day}", deadline=f"2026-12-0{day}")
    first = client.get("/api/v1/tasks?limit=2", headers=alice.headers).json()
    assert [t["title"] for t in first["items"]] == ["t1", "t2"] and first["next_offset"] == 2
    last = client.get("/api/v1/tasks?limit=2&offset=4", headers=alice.headers).json()
    assert [t["title"] for t in last["items"]] == ["t5"] and last["next_offset"] is None
    too_big = client.get("/api/v1/tasks?limit=1001", headers=alice.headers)
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "limit"


def test_it_escapes_markdown_html(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, notes="<script>alert(1)</script> [x](javascript:alert(1))")
    assert "<script>" not in task["notes_html"]
    assert 'href="javascript' not in task["notes_html"]


def test_it_deletes_a_task(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice)
    assert client.delete(f"/api/v1/tasks/{task['id']}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).status_code == 404


def test_it_lets_only_one_of_two_racing_writers_win(app: FastAPI, alice: Account) -> None:
    """Both writers pass the version check; the conditional UPDATE refuses the second."""
    if app.state.devday.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the PostgreSQL run covers it")
    from devday.account.models import User
    from devday.errors import Conflict
    from devday.task import service
    from devday.task.models import Task
    from devday.task.schemas import TaskCreate, TaskUpdate

    factory = app.state.devday.session_factory
    with factory() as setup:
        user = setup.get(User, alice.id)
        task = service.create_task(
            session=setup, user=user, data=TaskCreate(title="t"), now=START_OF_TEST
        )
        setup.commit()
    first, second = factory(), factory()
    try:
        for session in (first, second):
            service.get_task(session=session, user=session.get(User, alice.id), task_id=task.id)
        service.update_task(
            session=first,
            user=first.get(User, alice.id),
            task_id=task.id,
            data=TaskUpdate(title="first"),
            version=1,
            now=START_OF_TEST,
        )
        first.commit()
        try:
            service.update_task(
                session=second,
                user=second.get(User, alice.id),
                task_id=task.id,
                data=TaskUpdate(title="second"),
                version=1,
                now=START_OF_TEST,
            )
            second.commit()
            raised = False
        except Conflict:
            raised = True
            second.rollback()
    finally:
        first.close()
        second.close()
    assert raised
    with factory() as check:
        assert check.get(Task, task.id).title == "first"


def test_it_shows_logged_time_beside_the_estimate(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = api_task(client, alice, estimate_minutes=60)
    client.post("/api/v1/timer/start", json={"task_id": task["id"]}, headers=alice.headers)
    clock.advance(timedelta(minutes=25))
    running = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()
    assert running["actual_minutes"] == 25 and running["estimate_minutes"] == 60
    client.post("/api/v1/timer/stop", headers=alice.headers)
    clock.advance(timedelta(minutes=10))
    listed = client.get("/api/v1/tasks", headers=alice.headers).json()["items"][0]
    assert listed["actual_minutes"] == 25
