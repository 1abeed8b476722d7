"""Recurring tasks through the API: a task's ``repeat`` makes a series, a finished instance makes
the next one on its day with the series' template, skip, edit the series, end it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from tests.factories import Account, api_project, api_team, web_log_in
from tests.recurrence.support import all_tasks, finish, open_tasks, sweep

BERLIN = ZoneInfo("Europe/Berlin")


def test_it_makes_a_task_repeat_and_shows_its_rule_in_words(
    client: TestClient, alice: Account
) -> None:
    created = client.post(
        "/api/v1/tasks",
        json={"title": "Weekly report", "repeat": "every fri", "estimate_minutes": 30},
        headers=alice.headers,
    )
    assert created.status_code == 201, created.text
    task = created.json()
    # Created on Monday 30 November: the first instance is for Friday 4 December.
    assert task["planned_date"] == "2026-12-04"
    assert task["repeat"]["rule"] == "FREQ=WEEKLY;BYDAY=FR"
    assert task["repeat"]["description"] == "every Fri"
    assert task["repeat"]["next_date"] == "2026-12-11"
    series = client.get(f"/api/v1/series/{task['repeat']['series_id']}", headers=alice.headers)
    assert series.json()["open_task_id"] == task["id"]
    assert series.json()["repeat"] == "every fri"
    read = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()
    assert read["repeat"] == task["repeat"]
    plain = client.post("/api/v1/tasks", json={"title": "once"}, headers=alice.headers).json()
    assert plain["repeat"] is None


def test_it_refuses_a_phrase_it_cannot_read_naming_what_to_write(
    client: TestClient, alice: Account
) -> None:
    response = client.post(
        "/api/v1/tasks",
        json={"title": "Water plants", "repeat": "every blue moon"},
        headers=alice.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "repeat"
    assert "every weekday" in body["errors"][0]["message"]
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []


def test_it_makes_the_next_instance_with_the_template_when_one_is_finished(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    team = api_team(client, alice)
    project = api_project(client, alice, team)
    first = client.post(
        "/api/v1/tasks",
        json={
            "title": "On-call handover",
            "repeat": "every day",
            "estimate_minutes": 20,
            "importance": 3,
            "kind": "support",
            "tags": ["oncall"],
            "project_id": project,
            "deadline": "2026-11-30T17:00:00+01:00",
        },
        headers=alice.headers,
    ).json()
    assert first["planned_date"] == "2026-11-30"
    finish(client, alice, first)
    # Today's is done and tomorrow's day has not come: nothing open until then.
    assert open_tasks(client, alice, "On-call handover") == []
    assert sweep(engine, clock) == 0
    clock.advance(timedelta(days=1))
    assert sweep(engine, clock) == 1
    (second,) = open_tasks(client, alice, "On-call handover")
    assert second["planned_date"] == "2026-12-01"
    assert second["deadline"] == "2026-12-01T16:00:00Z"  # 17:00 in Berlin
    assert (second["estimate_minutes"], second["importance"], second["kind"]) == (20, 3, "support")
    assert (second["tags"], second["project_id"]) == (["oncall"], project)
    assert second["repeat"]["series_id"] == first["repeat"]["series_id"]


def test_it_makes_the_next_at_once_when_an_overdue_one_is_finished(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    first = client.post(
        "/api/v1/tasks", json={"title": "Inbox zero", "repeat": "every day"}, headers=alice.headers
    ).json()
    clock.advance(timedelta(days=3))
    finish(client, alice, first)
    # One instance for today (3 December), not one for each day it was overdue.
    assert [t["planned_date"] for t in open_tasks(client, alice, "Inbox zero")] == ["2026-12-03"]
    assert len(all_tasks(client, alice, "Inbox zero")) == 2


def test_it_counts_every_bang_from_when_it_was_done(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    first = client.post(
        "/api/v1/tasks",
        json={"title": "Update dependencies", "repeat": "every! 3 days"},
        headers=alice.headers,
    ).json()
    assert first["repeat"]["mode"] == "after_done"
    assert first["repeat"]["next_date"] is None
    clock.advance(timedelta(days=2))  # done on 2 December: the next is for 5 December
    done = finish(client, alice, first)
    assert done["repeat"]["next_date"] == "2026-12-05"
    clock.advance(timedelta(days=2))
    assert sweep(engine, clock) == 0
    clock.advance(timedelta(days=1))
    assert sweep(engine, clock) == 1
    (second,) = open_tasks(client, alice, "Update dependencies")
    assert second["planned_date"] == "2026-12-05"


def test_it_skips_an_instance_and_makes_the_next(client: TestClient, alice: Account) -> None:
    first = client.post(
        "/api/v1/tasks",
        json={"title": "Retro notes", "repeat": "every 2 weeks on mon"},
        headers=alice.headers,
    ).json()
    series_id = first["repeat"]["series_id"]
    skipped = client.post(f"/api/v1/series/{series_id}/skip", headers=alice.headers)
    assert skipped.status_code == 200, skipped.text
    tasks = all_tasks(client, alice, "Retro notes")
    assert [(t["status"], t["planned_date"]) for t in tasks] == [
        ("dropped", "2026-11-30"),
        ("todo", "2026-12-14"),
    ]
    assert skipped.json()["open_task_id"] == tasks[1]["id"]
    assert skipped.json()["next_date"] == "2026-12-28"


def test_it_edits_the_whole_series_and_the_open_instances_untouched_fields(
    client: TestClient, alice: Account
) -> None:
    first = client.post(
        "/api/v1/tasks",
        json={"title": "Weekly report", "repeat": "every weekday", "estimate_minutes": 30},
        headers=alice.headers,
    ).json()
    # Edit just this one: its estimate is its own from now on.
    edited = client.patch(
        f"/api/v1/tasks/{first['id']}",
        json={"estimate_minutes": 45, "version": first["version"]},
        headers=alice.headers,
    ).json()
    assert edited["repeat"]["series_id"] == first["repeat"]["series_id"]
    series_id = first["repeat"]["series_id"]
    series = client.get(f"/api/v1/series/{series_id}", headers=alice.headers)
    changed = client.patch(
        f"/api/v1/series/{series_id}",
        json={"title": "Status report", "estimate_minutes": 60, "repeat": "every fri"},
        headers={**alice.headers, "If-Match": series.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "every Fri"
    assert changed.json()["next_date"] == "2026-12-04"
    task = client.get(f"/api/v1/tasks/{first['id']}", headers=alice.headers).json()
    assert task["title"] == "Status report"  # untouched on the instance: follows the series
    assert task["estimate_minutes"] == 45  # edited on the instance: stays
    stale = client.patch(
        f"/api/v1/series/{series_id}",
        json={"title": "Late", "version": series.json()["version"]},
        headers=alice.headers,
    )
    assert stale.status_code == 409


def test_it_ends_a_series_and_keeps_its_open_instance(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    first = client.post(
        "/api/v1/tasks",
        json={"title": "Standup notes", "repeat": "every day"},
        headers=alice.headers,
    ).json()
    series_id = first["repeat"]["series_id"]
    ended = client.post(f"/api/v1/series/{series_id}/end", headers=alice.headers)
    assert ended.status_code == 200
    assert ended.json()["ended_at"] is not None and ended.json()["next_date"] is None
    finish(client, alice, first)
    clock.advance(timedelta(days=2))
    assert sweep(engine, clock) == 0
    assert len(all_tasks(client, alice, "Standup notes")) == 1
    listed = client.get("/api/v1/series", headers=alice.headers).json()
    assert listed == []
    assert [
        s["id"] for s in client.get("/api/v1/series?ended=true", headers=alice.headers).json()
    ] == [series_id]


def test_it_ends_a_series_from_the_task_with_a_null_repeat(
    client: TestClient, alice: Account
) -> None:
    first = client.post(
        "/api/v1/tasks", json={"title": "Backups", "repeat": "every mon"}, headers=alice.headers
    ).json()
    cleared = client.patch(
        f"/api/v1/tasks/{first['id']}",
        json={"repeat": None, "version": first["version"]},
        headers=alice.headers,
    ).json()
    assert cleared["repeat"]["ended"] is True
    assert cleared["status"] == "todo"


def test_it_makes_a_plain_task_repeat_by_an_update(client: TestClient, alice: Account) -> None:
    task = client.post("/api/v1/tasks", json={"title": "Pay invoices"}, headers=alice.headers)
    updated = client.patch(
        f"/api/v1/tasks/{task.json()['id']}",
        json={"repeat": "every month on the last fri", "version": 1},
        headers=alice.headers,
    ).json()
    assert updated["repeat"]["description"] == "every month on the last Fri"
    assert updated["planned_date"] == "2026-12-25"


def test_it_refuses_to_point_a_series_at_others_data(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice)
    project = api_project(client, alice, team)
    mine = client.post(
        "/api/v1/tasks", json={"title": "Mine", "repeat": "every day"}, headers=bob.headers
    ).json()
    url = f"/api/v1/series/{mine['repeat']['series_id']}"
    for body, field in (
        ({"project_id": project}, "project_id"),
        ({"assignee_id": alice.id}, "assignee_id"),
    ):
        response = client.patch(url, json={**body, "version": 1}, headers=bob.headers)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    series = client.get(url, headers=bob.headers).json()
    assert (series["project_id"], series["assignee_id"], series["version"]) == (None, None, 1)


def test_it_makes_the_next_when_an_overdue_one_is_dropped(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    first = client.post(
        "/api/v1/tasks", json={"title": "Timesheet", "repeat": "every mon"}, headers=alice.headers
    ).json()
    clock.advance(timedelta(days=8))  # Tuesday 8 December: Monday 7 December's is due
    dropped = client.patch(
        f"/api/v1/tasks/{first['id']}",
        json={"status": "dropped", "version": first["version"]},
        headers=alice.headers,
    )
    assert dropped.status_code == 200, dropped.text
    (made,) = open_tasks(client, alice, "Timesheet")
    assert made["planned_date"] == "2026-12-07"
    assert made["repeat"]["next_date"] == "2026-12-14"


@pytest.mark.parametrize(
    ("planned", "done_after", "next_day"),
    [
        # For Monday 30 November, done late on Thursday 3 December: a week from Thursday.
        (None, timedelta(days=3), "2026-12-10"),
        # Planned for Friday 4 December, done early on Monday: a week from Monday.
        ("2026-12-04", timedelta(hours=1), "2026-12-07"),
    ],
)
def test_every_bang_schedules_the_next_from_when_the_last_was_done(
    client: TestClient,
    alice: Account,
    engine: Engine,
    clock: MockClock,
    planned: str | None,
    done_after: timedelta,
    next_day: str,
) -> None:
    body = {"title": "Clean the desk", "repeat": "every! week", "planned_date": planned}
    first = client.post("/api/v1/tasks", json=body, headers=alice.headers).json()
    assert first["planned_date"] == (planned or "2026-11-30")
    clock.advance(done_after)
    done = finish(client, alice, first)
    assert done["repeat"]["next_date"] == next_day
    assert open_tasks(client, alice, "Clean the desk") == []
    # The finished one's page says when the next comes.
    assert web_log_in(client, alice.email).status_code == 303
    shown = client.get(f"/tasks/{first['id']}").text
    when = date.fromisoformat(next_day).strftime("%a %d %b")
    assert f"1 week after the last one is done; the next for {when}" in shown
    # Just before the next day begins in Berlin, nothing; on it, the next one.
    clock.set(datetime.combine(date.fromisoformat(next_day), time(0, 5), tzinfo=BERLIN))
    clock.advance(timedelta(minutes=-10))
    assert sweep(engine, clock) == 0
    clock.advance(timedelta(minutes=10))
    assert sweep(engine, clock) == 1
    (second,) = open_tasks(client, alice, "Clean the desk")
    assert second["planned_date"] == next_day
