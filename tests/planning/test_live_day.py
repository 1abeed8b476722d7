"""A developer's whole Monday through the API with a movable clock, and after every event the
live plan's invariants (tests/planning/live_support.py): the plan stays true all day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from tests.checks.servers import TestServer, http_server
from tests.checks.support import make_runner, run_next
from tests.factories import Account, api_app, api_check, api_project, api_task, api_team
from tests.planning.live_support import at, check_plans, plan, task

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY, TUESDAY = date(2026, 11, 30), date(2026, 12, 1)
DAYS = [MONDAY, TUESDAY]
HEALTHY = (200, [("Content-Type", "application/json")], b'{"status": "ok"}')
DOWN = (503, [("Content-Type", "text/plain")], b"down")


def berlin(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=BERLIN)


@pytest.fixture
def site() -> Iterator[TestServer]:
    with http_server({"/health": HEALTHY}) as server:
        yield server


def titles_ahead(the_plan: dict[str, Any], now: datetime) -> set[str]:
    return {b["title"] for b in the_plan["blocks"] if at(b["end"]) > now and not b["done"]}


def test_it_keeps_the_plan_true_through_a_whole_day(
    client: TestClient,
    engine: Engine,
    clock: MockClock,
    alice: Account,
    bob: Account,
    site: TestServer,
) -> None:
    def step() -> dict[str, Any]:
        plans = check_plans(client, alice, clock, DAYS)
        return plans[MONDAY]

    team_id = api_team(client, alice, members=[(bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    login = api_task(
        client,
        alice,
        "Fix login rate limit",
        importance=4,
        estimate_minutes=120,
        deadline=berlin(MONDAY, "17:00").isoformat(),
        kind="coding",
    )
    docs = api_task(
        client,
        alice,
        "Document /v2/orders",
        importance=3,
        estimate_minutes=60,
        deadline=berlin(TUESDAY, "17:00").isoformat(),
        kind="docs",
    )
    reading = api_task(client, alice, "Read RFC 9535", importance=1, estimate_minutes=90)
    billing = api_task(client, alice, "Refactor billing", importance=2, estimate_minutes=180)

    # 10:00 the morning plan.
    built = client.post(f"/api/v1/plans/{MONDAY}", headers=alice.headers)
    assert built.status_code == 200, built.text
    assert built.json()["change_reason"] == "built"
    step()

    # 10:05 a P1 typed in after the plan was built is in the plan at once, and says so.
    clock.set(berlin(MONDAY, "10:05"))
    down = api_task(
        client,
        alice,
        "Site is down",
        importance=4,
        estimate_minutes=60,
        deadline=berlin(MONDAY, "14:00").isoformat(),
    )
    now_plan = step()
    assert "Site is down" in titles_ahead(now_plan, clock.now())
    assert now_plan["change_reason"] == "'Site is down' added"
    assert all(item["task_id"] != down["id"] for item in now_plan["late"])

    # 10:31 to 11:02 timed work on the login fix: 89 minutes are left, and the worked time is
    # on the plan's day.
    clock.set(berlin(MONDAY, "10:31"))
    started = client.post(
        "/api/v1/timer/start", json={"task_id": login["id"]}, headers=alice.headers
    )
    assert started.status_code == 200, started.text
    step()
    clock.set(berlin(MONDAY, "11:02"))
    assert client.post("/api/v1/timer/stop", headers=alice.headers).status_code == 200
    after_timer = step()
    assert task(client, alice, login["id"])["actual_minutes"] == 31
    worked = [w for w in after_timer["worked"] if w["task_id"] == login["id"]]
    assert [(at(w["start"]), at(w["end"])) for w in worked] == [
        (berlin(MONDAY, "10:31"), berlin(MONDAY, "11:02"))
    ]

    # 11:10 the block under way is marked done early: it ends when it was finished.
    clock.set(berlin(MONDAY, "11:10"))
    current = step()
    [under_way] = [
        b for b in current["blocks"] if at(b["start"]) <= clock.now() < at(b["end"])
    ] or [
        min(
            (b for b in current["blocks"] if at(b["start"]) > clock.now()), key=lambda b: b["start"]
        )
    ]
    done = client.patch(
        f"/api/v1/plans/{MONDAY}/blocks/{under_way['id']}",
        json={"done": True},
        headers={**alice.headers, "If-Match": f'"{current["version"]}"'},
    )
    assert done.status_code == 200, done.text
    marked = next(b for b in done.json()["blocks"] if b["id"] == under_way["id"])
    assert marked["done"] and at(marked["end"]) <= berlin(MONDAY, "11:10")
    step()

    # 11:15 the low-importance reading is dropped: it leaves the plan.
    clock.set(berlin(MONDAY, "11:15"))
    patched = client.patch(
        f"/api/v1/tasks/{reading['id']}",
        json={"status": "dropped", "version": reading["version"]},
        headers=alice.headers,
    )
    assert patched.status_code == 200, patched.text
    assert "Read RFC 9535" not in titles_ahead(step(), clock.now())

    # 11:20 Bob asks for a review by 16:00; accepting it puts it in the plan.
    clock.set(berlin(MONDAY, "11:20"))
    asked = client.post(
        "/api/v1/inbox",
        json={"recipient_id": alice.id, "subject": "Review the auth PR by 16:00 today"},
        headers=bob.headers,
    )
    assert asked.status_code == 201, asked.text
    accepted = client.post(
        f"/api/v1/inbox/{asked.json()['id']}/accept",
        json={
            "title": "Review the auth PR",
            "estimate_minutes": 30,
            "deadline": berlin(MONDAY, "16:00").isoformat(),
            "version": asked.json()["version"],
        },
        headers=alice.headers,
    )
    assert accepted.status_code == 200, accepted.text
    assert "Review the auth PR" in titles_ahead(step(), clock.now())

    # 11:30 the docs are finished outside the plan: their blocks go.
    clock.set(berlin(MONDAY, "11:30"))
    docs_now = task(client, alice, docs["id"])
    finished = client.patch(
        f"/api/v1/tasks/{docs['id']}",
        json={"status": "done", "version": docs_now["version"]},
        headers=alice.headers,
    )
    assert finished.status_code == 200, finished.text
    assert "Document /v2/orders" not in titles_ahead(step(), clock.now())

    # Reading changes nothing: the plan, Today, the duty list and the Week page.
    before = plan(client, alice, MONDAY)
    for path in ("/api/v1/today", "/api/v1/duty-list"):
        assert client.get(path, headers=alice.headers).status_code == 200
    assert plan(client, alice, MONDAY) == before

    # 12:00 an app check fails three times: the incident's task (P1) is in the plan.
    clock.set(berlin(MONDAY, "12:00"))
    app = api_app(client, alice, team["id"], site.url, response_target_minutes=240)
    check = api_check(client, alice, app["id"])
    runner = make_runner(engine, clock)
    site.routes["/health"] = DOWN
    for _ in range(3):
        run_next(engine, clock, runner, check["id"])
    incident = client.get("/api/v1/incidents?status=open", headers=alice.headers).json()[0]
    incident_task = task(client, alice, incident["task_id"])
    assert incident_task["title"] in titles_ahead(step(), clock.now())
    # It recovers on its own: its task is done and leaves the plan.
    site.routes["/health"] = HEALTHY
    for _ in range(2):
        run_next(engine, clock, runner, check["id"])
    assert task(client, alice, incident["task_id"])["status"] == "done"
    assert incident_task["title"] not in titles_ahead(step(), clock.now())

    # 13:45 an interview is put in the calendar: no block stays in it.
    clock.set(berlin(MONDAY, "13:45"))
    busy = client.post(
        "/api/v1/busy-events",
        json={
            "title": "Interview",
            "start": berlin(MONDAY, "14:00").isoformat(),
            "end": berlin(MONDAY, "15:00").isoformat(),
        },
        headers=alice.headers,
    )
    assert busy.status_code == 201, busy.text
    with_busy = step()
    assert with_busy["change_reason"] == "busy time 'Interview' added"
    for block in with_busy["blocks"]:
        if at(block["end"]) > clock.now():
            assert not (
                at(block["start"]) < berlin(MONDAY, "15:00")
                and berlin(MONDAY, "14:00") < at(block["end"])
            )

    # 16:30 forgotten time is logged on the billing work.
    clock.set(berlin(MONDAY, "16:30"))
    logged = client.post(
        "/api/v1/time-entries",
        json={
            "task_id": billing["id"],
            "start": berlin(MONDAY, "08:00").isoformat(),
            "end": berlin(MONDAY, "09:30").isoformat(),
        },
        headers=alice.headers,
    )
    assert logged.status_code == 201, logged.text
    step()

    # 17:00 wrap-up: the billing work goes to tomorrow's list.
    clock.set(berlin(MONDAY, "17:10"))
    closed = client.post(
        f"/api/v1/wrapup/{MONDAY}",
        json={"decisions": [{"task_id": billing["id"], "decision": "tomorrow"}]},
        headers=alice.headers,
    )
    assert closed.status_code == 200, closed.text
    evening = step()
    billing_blocks = [b for b in evening["blocks"] if b["task_id"] == billing["id"]]
    assert billing_blocks and all(
        at(b["start"]) >= berlin(TUESDAY, "00:00") for b in billing_blocks
    )

    # Tuesday 10:00, the morning plan: yesterday's late work comes first, the billing work too.
    clock.set(berlin(TUESDAY, "10:00"))
    tuesday = client.post(f"/api/v1/plans/{TUESDAY}", headers=alice.headers)
    assert tuesday.status_code == 200, tuesday.text
    plans = check_plans(client, alice, clock, DAYS)
    assert set(plans) == {TUESDAY}  # Monday's plan is history now
    ahead = titles_ahead(plans[TUESDAY], clock.now())
    assert {"Refactor billing", "Site is down", "Review the auth PR"} & ahead
