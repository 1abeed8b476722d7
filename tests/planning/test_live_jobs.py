"""Time passing keeps the plan true: when a block ends with no time logged on its task, the
worker re-plans then, and says why; a block that was worked changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.notify.delivery import WebhookSender
from tests.factories import Account
from tests.jobs.support import make_worker
from tests.planning.live_support import at, check_plans

DAY = "2026-11-30"


def test_it_replans_when_a_block_goes_by_unworked(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    made = client.post(
        "/api/v1/tasks",
        json={"title": "Write the runbook", "estimate_minutes": 60, "kind": "docs"},
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
    plan = client.post(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    [block] = plan["blocks"]
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    try:
        clock.set(datetime.fromisoformat(block["end"]))
        while worker.run_once():
            pass
        after = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
        assert after["change_reason"] == (
            "time went by: 'Write the runbook' had no time logged in its block"
        )
        ahead = [b for b in after["blocks"] if at(b["start"]) >= clock.now()]
        assert sum((at(b["end"]) - at(b["start"])).seconds // 60 for b in ahead) == 60
        check_plans(client, alice, clock, [datetime.fromisoformat(DAY).date()])
    finally:
        worker.close()


def test_it_leaves_the_plan_alone_when_the_block_was_worked(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    made = client.post(
        "/api/v1/tasks",
        json={"title": "Write the runbook", "estimate_minutes": 60},
        headers=alice.headers,
    ).json()
    plan = client.post(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    [block] = plan["blocks"]
    clock.set(datetime.fromisoformat(block["start"]))
    client.post("/api/v1/timer/start", json={"task_id": made["id"]}, headers=alice.headers)
    clock.advance(timedelta(minutes=20))
    client.post("/api/v1/timer/stop", headers=alice.headers)
    before = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    try:
        clock.set(datetime.fromisoformat(before["blocks"][0]["end"]) + timedelta(minutes=1))
        while worker.run_once():
            pass
        after = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
        assert after == before
    finally:
        worker.close()
