from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_task

BERLIN = ZoneInfo("Europe/Berlin")
DAY = "2026-11-30"  # Monday; the clock starts at 10:00 Berlin time


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(BERLIN)


def build(client: TestClient, who: Account, day: str = DAY) -> dict[str, Any]:
    response = client.post(f"/api/v1/plans/{day}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_it_starts_everyone_on_the_default_routine(client: TestClient, alice: Account) -> None:
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    assert routine["version"] == 0
    assert routine["working_hours"]["mon"] == [["10:00", "18:00"]]
    assert routine["working_hours"]["sun"] == []
    titles = {b["title"]: (b["start"], b["end"]) for b in routine["blocks"]}
    assert titles["Lunch"] == ("12:30", "13:30")
    assert titles["Team meeting"] == ("15:00", "16:00")
    assert routine["kind_windows"]["coding"] == [["10:30", "12:30"]]


def test_it_replaces_the_routine_with_the_version_read(client: TestClient, alice: Account) -> None:
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    routine["working_hours"]["sat"] = [["10:00", "12:00"]]
    routine["boosts"] = {"tag:security": 2}
    saved = client.put("/api/v1/routine", json=routine, headers=alice.headers)
    assert saved.status_code == 200 and saved.json()["version"] == 1
    stale = client.put("/api/v1/routine", json=routine, headers=alice.headers)
    assert stale.status_code == 409
    routine["version"] = 1
    routine["working_hours"]["mon"] = [["18:00", "10:00"]]
    bad = client.put("/api/v1/routine", json=routine, headers=alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("working_hours")
    routine["working_hours"]["mon"] = [["10:00", "25:00"]]
    assert client.put("/api/v1/routine", json=routine, headers=alice.headers).status_code == 422
    routine["working_hours"]["mon"] = [["10:00", "18:00"]]
    routine["boosts"] = {"colour:red": 1}
    bad_boost = client.put("/api/v1/routine", json=routine, headers=alice.headers)
    assert bad_boost.status_code == 422 and bad_boost.json()["errors"][0]["field"] == "boosts"


def test_it_plans_the_day_inside_working_hours_around_the_routine(
    client: TestClient, alice: Account
) -> None:
    api_task(
        client,
        alice,
        title="Fix login",
        estimate_minutes=120,
        importance=4,
        deadline="2026-11-30T17:00:00+01:00",
        kind="coding",
    )
    api_task(client, alice, title="Docs", estimate_minutes=60, kind="docs", deadline="2026-12-01")
    plan = build(client, alice)
    assert plan["late"] == [] and plan["unscheduled"] == []
    assert {b["title"] for b in plan["blocks"]} == {"Fix login", "Docs"}
    lunch = next(r for r in plan["routine"] if r["title"] == "Lunch")
    assert local(lunch["start"]).hour == 12
    for block in plan["blocks"]:
        start, end = local(block["start"]), local(block["end"])
        assert start >= datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
        assert 10 <= start.hour and (end.hour, end.minute) <= (18, 0)
        for slot in plan["routine"]:
            assert not (local(slot["start"]) < end and start < local(slot["end"])), (block, slot)
    fix = [b for b in plan["blocks"] if b["title"] == "Fix login"]
    assert sum((local(b["end"]) - local(b["start"])).seconds for b in fix) == 2 * 3600
    assert max(local(b["end"]) for b in fix) <= datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN)
    again = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    assert again["blocks"] == plan["blocks"]


def test_it_places_nothing_in_a_busy_time(client: TestClient, alice: Account) -> None:
    busy = client.post(
        "/api/v1/busy-events",
        json={
            "title": "Interview",
            "start": "2026-11-30T10:30:00+01:00",
            "end": "2026-11-30T12:30:00+01:00",
        },
        headers=alice.headers,
    )
    assert busy.status_code == 201
    api_task(client, alice, title="Code", estimate_minutes=90, kind="coding")
    plan = build(client, alice)
    assert [e["title"] for e in plan["busy"]] == ["Interview"]
    for block in plan["blocks"]:
        assert local(block["start"]) >= datetime(2026, 11, 30, 12, 30, tzinfo=BERLIN)
    bad = client.post(
        "/api/v1/busy-events",
        json={"title": "x", "start": "2026-11-30T12:00:00Z", "end": "2026-11-30T11:00:00Z"},
        headers=alice.headers,
    )
    assert bad.status_code == 422
    assert (
        client.delete(f"/api/v1/busy-events/{busy.json()['id']}", headers=alice.headers).status_code
        == 204
    )


def test_it_explains_a_deadline_it_cannot_meet(client: TestClient, alice: Account) -> None:
    api_task(
        client,
        alice,
        title="Big feature",
        estimate_minutes=600,
        importance=4,
        deadline="2026-11-30T18:00:00+01:00",
    )
    plan = build(client, alice)
    assert [late["title"] for late in plan["late"]] == ["Big feature"]
    reason = plan["late"][0]["reason"]
    assert "h" in reason and "free" in reason
    assert plan["missed_deadline_weight"] == 8


def test_it_orders_the_duty_list_and_explains_each_term(client: TestClient, alice: Account) -> None:
    first = api_task(client, alice, title="Blocker", importance=2, estimate_minutes=60)
    api_task(
        client, alice, title="Waits", importance=2, estimate_minutes=60, depends_on=[first["id"]]
    )
    api_task(
        client,
        alice,
        title="Urgent",
        importance=4,
        estimate_minutes=240,
        deadline="2026-11-30T18:00:00+01:00",
        tags=["security"],
    )
    api_task(client, alice, title="Someday", importance=1, estimate_minutes=30)
    duty = client.get("/api/v1/duty-list", headers=alice.headers).json()["items"]
    assert duty[0]["title"] == "Urgent"
    assert [i["title"] for i in duty][-1] == "Waits"
    urgent = duty[0]
    deadline = next(t for t in urgent["terms"] if t["name"] == "deadline")
    assert deadline["explanation"].startswith("deadline Mon 18:00, 4 h of work and")
    blocker = next(i for i in duty if i["title"] == "Blocker")
    assert any(t["name"] == "blocking" for t in blocker["terms"])
    waits = next(i for i in duty if i["title"] == "Waits")
    assert any(t["name"] == "blocked" and "'Blocker'" in t["explanation"] for t in waits["terms"])
    for item in duty:
        assert abs(item["score"] - sum(t["points"] for t in item["terms"])) < 0.05


def test_it_applies_the_users_boosts(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="Plain", importance=3)
    api_task(client, alice, title="Security", importance=2, tags=["security"])
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    client.put(
        "/api/v1/routine", json={**routine, "boosts": {"tag:security": 5}}, headers=alice.headers
    )
    duty = client.get("/api/v1/duty-list", headers=alice.headers).json()["items"]
    assert duty[0]["title"] == "Security"
    assert any(t["explanation"] == "your boost tag:security: +5.0" for t in duty[0]["terms"])


def test_it_finishes_a_task_when_its_last_block_is_done(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = api_task(client, alice, title="Small", estimate_minutes=30)
    plan = build(client, alice)
    block = plan["blocks"][0]
    clock.set(datetime.fromisoformat(block["start"]) + timedelta(minutes=20))
    done = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{block['id']}",
        json={"done": True},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert done.status_code == 200, done.text
    [marked] = [b for b in done.json()["blocks"] if b["id"] == block["id"]]
    # Finished early: the block ends when it was finished, and its time counts as worked.
    assert marked["done"] is True and marked["start"] == block["start"]
    assert datetime.fromisoformat(marked["end"]) == clock.now()
    after = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()
    assert after["status"] == "done" and after["completed_at"] is not None
    assert after["actual_minutes"] == 20
    stale = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{block['id']}",
        json={"done": False},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert stale.status_code == 409


def test_it_finishes_a_task_early_only_from_its_last_block(
    client: TestClient, alice: Account
) -> None:
    big = api_task(client, alice, title="Big", estimate_minutes=240, min_chunk_minutes=60)
    small = api_task(client, alice, title="Small", estimate_minutes=30, importance=1)
    plan = build(client, alice)
    first_big = next(b for b in plan["blocks"] if b["task_id"] == big["id"])
    refused = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{first_big['id']}",
        json={"done": True},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "done"
    assert "more blocks ahead" in refused.json()["detail"]
    [small_block] = [b for b in plan["blocks"] if b["task_id"] == small["id"]]
    done = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{small_block['id']}",
        json={"done": True},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert done.status_code == 200, done.text
    # Finished before its block began: the task is done, and the block's time is free again.
    assert small["id"] not in {b["task_id"] for b in done.json()["blocks"]}
    after = client.get(f"/api/v1/tasks/{small['id']}", headers=alice.headers).json()
    assert after["status"] == "done" and after["actual_minutes"] == 0


def test_it_moves_a_block_and_pins_it(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="A", estimate_minutes=60)
    api_task(client, alice, title="B", estimate_minutes=60)
    plan = build(client, alice)
    a = next(b for b in plan["blocks"] if b["title"] == "A")
    moved = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{a['id']}",
        json={"start": "2026-11-30T16:02:00+01:00"},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    block = next(b for b in moved.json()["blocks"] if b["id"] == a["id"])
    assert local(block["start"]) == datetime(2026, 11, 30, 16, 0, tzinfo=BERLIN)
    assert local(block["end"]) == datetime(2026, 11, 30, 17, 0, tzinfo=BERLIN)
    assert block["pinned"] is True
    b = next(x for x in moved.json()["blocks"] if x["title"] == "B")
    clash = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{b['id']}",
        json={"start": "2026-11-30T16:30:00+01:00"},
        headers={**alice.headers, "If-Match": f'"{moved.json()["version"]}"'},
    )
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "start"
    # The block in the way is named by its task's title, its time in the user's timezone.
    assert clash.json()["detail"] == (
        "start: overlaps the block of 'A' at Mon 30 Nov 16:00 (Europe/Berlin)"
    )


def test_it_replans_after_an_overrun_keeping_done_and_pinned_blocks(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    api_task(client, alice, title="Morning", estimate_minutes=60, importance=3)
    api_task(
        client,
        alice,
        title="Urgent later",
        estimate_minutes=60,
        importance=4,
        deadline="2026-11-30T18:00:00+01:00",
    )
    plan = build(client, alice)
    first = plan["blocks"][0]
    pinned = client.patch(
        f"/api/v1/plans/{DAY}/blocks/{first['id']}",
        json={"pinned": True},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    ).json()
    clock.advance(timedelta(hours=3))  # 13:00 in Berlin: the morning ran over
    replanned = client.post(
        f"/api/v1/plans/{DAY}/replan",
        headers={**alice.headers, "If-Match": f'"{pinned["version"]}"'},
    )
    assert replanned.status_code == 200, replanned.text
    blocks = replanned.json()["blocks"]
    kept = next(b for b in blocks if b["id"] == first["id"])
    assert kept["start"] == first["start"] and kept["pinned"]
    earlier = {b["id"]: b for b in plan["blocks"]}
    one = datetime(2026, 11, 30, 13, 0, tzinfo=BERLIN)
    for block in blocks:
        if local(block["end"]) <= one:  # what is past stays as it was planned
            assert (block["start"], block["end"]) == (
                earlier[block["id"]]["start"],
                earlier[block["id"]]["end"],
            )
        else:
            assert local(block["start"]) >= one
    # Nothing was logged on the morning's task: all of its hour is still ahead.
    ahead = [b for b in blocks if b["title"] == "Morning" and local(b["start"]) >= one]
    assert sum((local(b["end"]) - local(b["start"])).seconds // 60 for b in ahead) == 60
    assert replanned.json()["late"] == []


def test_it_refuses_a_plan_date_far_away(client: TestClient, alice: Account) -> None:
    response = client.post("/api/v1/plans/2030-01-01", headers=alice.headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "date"
    missing = client.get("/api/v1/plans/2026-12-01", headers=alice.headers)
    assert missing.status_code == 404 and "POST" in missing.json()["detail"]


def test_it_solves_and_checks_problems_given_as_json(client: TestClient, alice: Account) -> None:
    problem = {
        "now": "2026-11-30T10:00:00+01:00",
        "timezone": "Europe/Berlin",
        "horizon_days": 2,
        "working_hours": {"mon": [["10:00", "18:00"]], "tue": [["10:00", "18:00"]]},
        "tasks": [
            {
                "id": "a",
                "title": "A",
                "estimate_minutes": 120,
                "deadline": "2026-11-30T12:00:00+01:00",
            }
        ],
    }
    plan = client.post("/api/v1/planner/solve", json=problem, headers=alice.headers)
    assert plan.status_code == 200, plan.text
    assert plan.json()["blocks"][0]["start"] == "2026-11-30T10:00:00+01:00"
    ok = client.post(
        "/api/v1/planner/check",
        json={"problem": problem, "plan": plan.json()},
        headers=alice.headers,
    ).json()
    assert ok == {"ok": True, "violations": []}
    broken = {
        **plan.json(),
        "blocks": [
            {
                "task_id": "a",
                "start": "2026-11-30T08:00:00+01:00",
                "end": "2026-11-30T10:00:00+01:00",
            }
        ],
    }
    bad = client.post(
        "/api/v1/planner/check", json={"problem": problem, "plan": broken}, headers=alice.headers
    ).json()
    assert bad["ok"] is False and bad["violations"]
    wrong = client.post(
        "/api/v1/planner/solve", json={**problem, "timezone": "Mars/Base"}, headers=alice.headers
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "timezone"
    unreadable = client.post(
        "/api/v1/planner/check",
        json={"problem": problem, "plan": {**plan.json(), "blocks": [{"task_id": "a"}]}},
        headers=alice.headers,
    )
    assert unreadable.status_code == 422
    assert unreadable.json()["errors"][0]["field"].startswith("plan.blocks[0].")


def test_it_never_reuses_a_block_id_after_a_replan(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="A", estimate_minutes=60)
    b = api_task(client, alice, title="B", estimate_minutes=60)
    plan = build(client, alice)
    before = {blk["id"]: blk for blk in plan["blocks"]}
    rebuilt = build(client, alice)
    # The same blocks keep their ids: a user may act on an id they read a moment ago.
    assert {blk["id"]: blk for blk in rebuilt["blocks"]} == before
    changed = client.patch(
        f"/api/v1/tasks/{b['id']}",
        json={"estimate_minutes": 90, "version": b["version"]},
        headers=alice.headers,
    )
    assert changed.status_code == 200, changed.text
    after = client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    new_ids = {blk["id"] for blk in after["blocks"]} - set(before)
    assert new_ids and min(new_ids) > max(before)
    for blk in after["blocks"]:
        if blk["id"] in before:
            assert before[blk["id"]]["title"] == blk["title"]
