from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from devday.clock import MockClock
from devday.task.models import Task
from tests.factories import Account, api_task

MORNING = "Morning routine: exercise, breakfast"


def test_it_gathers_the_morning_review(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="Due today", deadline="2026-11-30")
    api_task(client, alice, title="Overdue", deadline="2026-11-27")
    api_task(client, alice, title="Later", deadline="2026-12-10")
    today = client.get("/api/v1/today", headers=alice.headers).json()
    assert today["date"] == "2026-11-30" and today["yesterday"] == "2026-11-27"
    assert [t["title"] for t in today["due"]] == ["Overdue", "Due today"]
    assert today["plan"] is None and today["at_risk"] == []
    assert [h["habit"] for h in today["habits"]] == [MORNING, "Personal development: news, courses"]
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    planned = client.get("/api/v1/today", headers=alice.headers).json()
    assert planned["plan"]["date"] == "2026-11-30"


def test_it_shows_tasks_at_risk_with_the_reason(client: TestClient, alice: Account) -> None:
    api_task(
        client, alice, title="Too big", estimate_minutes=600, importance=4, deadline="2026-11-30"
    )
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    today = client.get("/api/v1/today", headers=alice.headers).json()
    assert [r["title"] for r in today["at_risk"]] == ["Too big"]
    assert "free" in today["at_risk"][0]["reason"]


def test_it_counts_habit_streaks_over_scheduled_days(client: TestClient, alice: Account) -> None:
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):  # Wed, Thu, Fri
        response = client.put(
            f"/api/v1/habits/{day}", json={"habit": MORNING}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
    monday = client.get("/api/v1/habits/2026-11-30", headers=alice.headers).json()["habits"]
    morning = next(h for h in monday if h["habit"] == MORNING)
    assert morning == {"habit": MORNING, "done": False, "streak": 3}  # the weekend does not count
    ticked = client.put(
        "/api/v1/habits/2026-11-30", json={"habit": MORNING}, headers=alice.headers
    ).json()["habits"]
    assert next(h for h in ticked if h["habit"] == MORNING)["streak"] == 4
    untick = client.put(
        "/api/v1/habits/2026-11-30", json={"habit": MORNING, "done": False}, headers=alice.headers
    ).json()["habits"]
    assert next(h for h in untick if h["habit"] == MORNING)["done"] is False
    unknown = client.put(
        "/api/v1/habits/2026-11-30", json={"habit": "Juggling"}, headers=alice.headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "habit"


def test_it_turns_reflection_goals_into_tomorrows_first_tasks(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    shipped = api_task(client, alice, title="Ship the rate limit", importance=4)
    client.patch(
        f"/api/v1/tasks/{shipped['id']}",
        json={"status": "done", "version": 1},
        headers=alice.headers,
    )
    api_task(client, alice, title="Old backlog item", estimate_minutes=300, importance=2)
    empty = client.get("/api/v1/reflections/2026-11-30", headers=alice.headers).json()
    assert empty["version"] == 0
    assert [a["title"] for a in empty["achievements"]] == ["Ship the rate limit"]
    saved = client.put(
        "/api/v1/reflections/2026-11-30",
        headers=alice.headers,
        json={
            "went_well": "Shipped it",
            "improve": "Fewer meetings",
            "energy": 2,
            "goals": ["Write the /v2/orders docs", "Review Sam's PR"],
        },
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["goal_date"] == "2026-12-01" and body["version"] == 1
    assert [g["title"] for g in body["goals"]] == ["Write the /v2/orders docs", "Review Sam's PR"]
    assert all(g["planned_date"] == "2026-12-01" for g in body["goals"])
    again = client.put(
        "/api/v1/reflections/2026-11-30",
        headers=alice.headers,
        json={"went_well": "Shipped it!", "goals": ["Write the /v2/orders docs"], "version": 1},
    )
    assert again.status_code == 200
    assert [g["id"] for g in again.json()["goals"]] == [body["goals"][0]["id"]]
    stale = client.put(
        "/api/v1/reflections/2026-11-30",
        headers=alice.headers,
        json={"went_well": "x", "version": 1},
    )
    assert stale.status_code == 409
    bad = client.put(
        "/api/v1/reflections/2026-11-30", headers=alice.headers, json={"energy": 5, "version": 2}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "energy"

    clock.set(clock.now() + timedelta(days=1))  # Tuesday 10:00 in Berlin
    plan = client.post("/api/v1/plans/2026-12-01", headers=alice.headers).json()
    goal_blocks = [b for b in plan["blocks"] if b["title"] == "Write the /v2/orders docs"]
    first_block = min(plan["blocks"], key=lambda b: b["start"])
    assert goal_blocks and goal_blocks[0]["start"][:10] == "2026-12-01"
    assert first_block["title"] == "Write the /v2/orders docs"
    today = client.get("/api/v1/today", headers=alice.headers).json()
    assert [g["title"] for g in today["yesterday_goals"]] == ["Write the /v2/orders docs"]


def test_it_replans_today_when_a_task_is_done(client: TestClient, alice: Account) -> None:
    first = api_task(client, alice, title="First", estimate_minutes=60, importance=4)
    api_task(client, alice, title="Second", estimate_minutes=60, importance=2)
    plan = client.post("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert {b["title"] for b in plan["blocks"]} == {"First", "Second"}
    client.patch(
        f"/api/v1/tasks/{first['id']}", json={"status": "done", "version": 1}, headers=alice.headers
    )
    after = client.get("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert [b["title"] for b in after["blocks"]] == ["Second"]
    assert after["version"] > plan["version"]


def test_it_keeps_asking_about_work_a_replan_moved_away(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    first = api_task(client, alice, title="First", estimate_minutes=60, importance=4)
    api_task(client, alice, title="Second", estimate_minutes=120, importance=2)
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    clock.set(clock.now().replace(hour=16, minute=30))  # 17:30 in Berlin: the day is over
    client.patch(
        f"/api/v1/tasks/{first['id']}", json={"status": "done", "version": 1}, headers=alice.headers
    )
    wrapup = client.get("/api/v1/wrapup/2026-11-30", headers=alice.headers).json()
    assert [d["title"] for d in wrapup["done"]] == ["First"]
    assert [p["title"] for p in wrapup["pending"]] == ["Second"]


def test_the_plan_and_its_risks_name_each_tasks_priority(
    client: TestClient, alice: Account
) -> None:
    api_task(
        client, alice, title="Too big", estimate_minutes=600, importance=4, deadline="2026-11-30"
    )
    api_task(client, alice, title="Docs", estimate_minutes=60, importance=2, deadline="2026-12-01")
    api_task(client, alice, title="Someday", estimate_minutes=30, importance=1)
    api_task(client, alice, title="Load test", estimate_minutes=900, splittable=False)
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    today = client.get("/api/v1/today", headers=alice.headers).json()
    plan = client.get("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert today["plan"] == plan
    named = [*plan["blocks"], *plan["late"], *plan["unscheduled"], *plan["chances"]]
    named += today["at_risk"]
    assert {x["title"] for x in named} == {"Too big", "Docs", "Someday", "Load test"}
    assert [r["title"] for r in today["at_risk"]] == ["Too big"]
    assert [u["title"] for u in plan["unscheduled"]] == ["Load test"]
    for item in named:
        task = client.get(f"/api/v1/tasks/{item['task_id']}", headers=alice.headers).json()
        assert item["priority"] == task["priority"], item
    assert {x["priority"] for x in named} == {"P1", "P3", "P4"}


def test_a_task_gone_since_the_plan_was_stored_keeps_its_title_without_a_priority(
    client: TestClient, alice: Account, engine: Engine
) -> None:
    load = api_task(client, alice, title="Load test", estimate_minutes=900, splittable=False)
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    with engine.begin() as connection:  # behind the planner's back: no re-plan follows
        connection.execute(delete(Task).where(Task.id == load["id"]))
    plan = client.get("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert [(u["title"], u["priority"]) for u in plan["unscheduled"]] == [("Load test", "")]
