"""How likely each deadline is, through the API: the chance in the plan and the duty list, and
the calibration read from the user's own finished work."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_task

DAY = "2026-11-30"


def finish_with_time(
    client: TestClient, who: Account, clock: MockClock, kind: str, estimate: int, actual: int
) -> None:
    """A finished task of ``kind`` whose logged time was ``actual`` minutes, a week ago."""
    task = api_task(client, who, title=f"done {kind}", kind=kind, estimate_minutes=estimate)
    end = clock.now() - timedelta(days=7)
    start = end - timedelta(minutes=actual)
    logged = client.post(
        "/api/v1/time-entries",
        json={"task_id": task["id"], "start": start.isoformat(), "end": end.isoformat()},
        headers=who.headers,
    )
    assert logged.status_code == 201, logged.text
    clock.advance(timedelta(seconds=1))
    done = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=who.headers,
    )
    assert done.status_code == 200, done.text


def test_it_reads_the_calibration_from_finished_work(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    empty = client.get("/api/v1/forecast", headers=alice.headers).json()
    assert empty["calibration"] == [] and empty["chances"] == []
    assert empty["basis"].startswith("a stated prior")
    for n in range(12):
        clock.set(clock.now() - timedelta(hours=2))  # entries go back in time, never overlap
        finish_with_time(client, alice, clock, "coding", 60, 90 if n % 2 else 84)
    answer = client.get("/api/v1/forecast", headers=alice.headers).json()
    coding = next(c for c in answer["calibration"] if c["kind"] == "coding")
    assert coding["tasks"] == 12 and 1.4 <= coding["ratio"] <= 1.5
    assert coding["summary"] == f"your coding estimates run {coding['ratio']:.1f}x short"
    assert answer["basis"] == "your 12 most recent finished tasks with logged time"


def test_it_gives_each_deadline_its_chance_in_the_plan_and_the_duty_list(
    client: TestClient, alice: Account
) -> None:
    # About 5 h 30 min free before 17:00: 1 h due at noon is safe, 5 h due at 17:00 is not.
    safe = api_task(
        client, alice, title="Safe", estimate_minutes=60, deadline=f"{DAY}T12:30:00+01:00"
    )
    tight = api_task(
        client, alice, title="Tight", estimate_minutes=300, deadline=f"{DAY}T17:00:00+01:00"
    )
    plan = client.post(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    chances = {c["task_id"]: c for c in plan["chances"]}
    assert chances[safe["id"]]["on_time_probability"] >= 0.8
    assert chances[safe["id"]]["hint"] == ""
    assert chances[tight["id"]]["on_time_probability"] < 0.8
    assert chances[tight["id"]]["extra_minutes"] > 0
    assert "more free time before its deadline" in chances[tight["id"]]["hint"]
    # Least likely first.
    assert plan["chances"][0]["task_id"] == tight["id"]
    duty = client.get("/api/v1/duty-list", headers=alice.headers).json()
    by_id = {item["task_id"]: item for item in duty["items"]}
    assert by_id[tight["id"]]["on_time_probability"] == chances[tight["id"]]["on_time_probability"]
    first_block = min(plan["blocks"], key=lambda b: b["start"])
    assert duty["items"][0]["task_id"] == first_block["task_id"] and duty["note"] == ""
    assert duty["items"][0]["planned_at"] is not None


def test_it_gives_the_plan_the_chances_the_forecast_reads_alone(
    client: TestClient, alice: Account
) -> None:
    # The plan reads its tasks once for its blocks and chances; the forecast reads them itself.
    for n, minutes in enumerate((60, 300, 240)):
        api_task(
            client,
            alice,
            title=f"Due {n}",
            estimate_minutes=minutes,
            deadline=f"{DAY}T{12 + 2 * n}:00:00+01:00",
        )
    client.post(f"/api/v1/plans/{DAY}", headers=alice.headers)
    plan = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    forecast = client.get("/api/v1/forecast", headers=alice.headers).json()
    assert len(plan["chances"]) == 3
    assert forecast["chances"] == plan["chances"]
