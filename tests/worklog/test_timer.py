from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_task
from tests.worklog.conftest import log, start


def timer(client: TestClient, who: Account) -> dict[str, Any]:
    response = client.get("/api/v1/timer", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_it_starts_and_stops_a_timer(client: TestClient, alice: Account, clock: MockClock) -> None:
    fix = api_task(client, alice, "Fix login")["id"]
    assert timer(client, alice) == {"running": None, "elapsed_minutes": None, "stopped": None}
    started = start(client, alice, fix, note="rate limit")
    running = started["running"]
    assert running["start"] == "2026-11-30T09:00:00Z" and running["end"] is None
    assert running["task_title"] == "Fix login" and running["note"] == "rate limit"
    assert running["source"] == "timer" and started["stopped"] is None
    clock.advance(timedelta(minutes=90, seconds=20))
    assert timer(client, alice)["elapsed_minutes"] == 90
    stopped = client.post("/api/v1/timer/stop", headers=alice.headers)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["end"] == "2026-11-30T10:30:20Z" and stopped.json()["minutes"] == 90
    assert timer(client, alice)["running"] is None


def test_it_marks_a_todo_task_doing_and_leaves_others(client: TestClient, alice: Account) -> None:
    todo = api_task(client, alice, "todo")["id"]
    done = api_task(client, alice, "done", status="done")["id"]
    start(client, alice, todo)
    assert client.get(f"/api/v1/tasks/{todo}", headers=alice.headers).json()["status"] == "doing"
    start(client, alice, done)
    assert client.get(f"/api/v1/tasks/{done}", headers=alice.headers).json()["status"] == "done"


def test_it_stops_the_first_timer_when_another_starts(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    first, second = api_task(client, alice, "first")["id"], api_task(client, alice, "second")["id"]
    start(client, alice, first)
    clock.advance(timedelta(minutes=30))
    switched = start(client, alice, second)
    assert switched["stopped"]["task_id"] == first and switched["stopped"]["minutes"] == 30
    assert switched["stopped"]["end"] == switched["running"]["start"] == "2026-11-30T09:30:00Z"
    assert switched["running"]["task_id"] == second
    entries = client.get("/api/v1/time-entries", headers=alice.headers).json()
    assert [(e["task_id"], e["end"] is None) for e in entries] == [(first, False), (second, True)]


def test_it_keeps_the_timer_when_the_running_task_starts_again(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    fix = api_task(client, alice)["id"]
    first = start(client, alice, fix)["running"]
    clock.advance(timedelta(minutes=5))
    again = start(client, alice, fix)
    assert again["running"]["id"] == first["id"] and again["stopped"] is None
    assert again["elapsed_minutes"] == 5
    assert len(client.get("/api/v1/time-entries", headers=alice.headers).json()) == 1


def test_it_keeps_an_entry_shorter_than_a_minute(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    start(client, alice, api_task(client, alice)["id"])
    clock.advance(timedelta(seconds=20))
    stopped = client.post("/api/v1/timer/stop", headers=alice.headers).json()
    assert stopped["minutes"] == 0
    kept = client.get(f"/api/v1/time-entries/{stopped['id']}", headers=alice.headers).json()
    assert kept["end"] == "2026-11-30T09:00:20Z"


def test_it_says_so_when_no_timer_runs(client: TestClient, alice: Account) -> None:
    response = client.post("/api/v1/timer/stop", headers=alice.headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "no timer is running"


def test_it_refuses_a_timer_on_a_task_it_cannot_see(
    client: TestClient, alice: Account, bob: Account
) -> None:
    secret = api_task(client, alice, "secret")["id"]
    for task_id in (secret, 999):
        response = client.post(
            "/api/v1/timer/start", json={"task_id": task_id}, headers=bob.headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "task_id"
    assert timer(client, bob)["running"] is None


def test_it_does_not_let_a_manual_entry_overlap_the_running_timer(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    fix = api_task(client, alice, "Fix login")["id"]
    docs = api_task(client, alice, "Write docs")["id"]
    start(client, alice, fix)
    clock.advance(timedelta(hours=1))
    clash = client.post(
        "/api/v1/time-entries",
        json={
            "task_id": docs,
            "start": "2026-11-30T09:30:00+01:00",
            "end": "2026-11-30T10:30+01:00",
        },
        headers=alice.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["detail"] == (
        "start: overlaps your time on 'Fix login' (the timer running since Mon 30 Nov 10:00 "
        "Europe/Berlin); change or delete that entry first"
    )
    before = log(client, alice, fix, "2026-11-30T09:00:00+01:00", "2026-11-30T10:00:00+01:00")
    assert before["minutes"] == 60  # ends as the timer starts: touching is no overlap
