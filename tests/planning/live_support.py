"""What must hold of a user's stored plans after every event of their day, read through the API.

Used by the day-in-the-life test and by the state machine of random events.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account

GRID = 5
OVERRUN_MINIMUM = 15


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def open_tasks(client: TestClient, who: Account) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/tasks",
        params={"status": "open", "assignee_id": who.id, "limit": 200},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def task(client: TestClient, who: Account, task_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/tasks/{task_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def plan(client: TestClient, who: Account, day: date) -> dict[str, Any] | None:
    response = client.get(f"/api/v1/plans/{day.isoformat()}", headers=who.headers)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return dict(response.json())


def work_left(item: dict[str, Any]) -> int:
    """The work left on a task as the plan must hold it: its estimate less the time logged,
    or, once the log reached the estimate, a quarter of it (15 minutes at least); on the grid."""
    estimate: int = item["estimate_minutes"] or 30
    left: int = estimate - item["actual_minutes"]
    if left <= 0:
        left = max(OVERRUN_MINIMUM, -(-estimate // 4))
    return -(-left // GRID) * GRID


def minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def check_plans(
    client: TestClient, who: Account, clock: MockClock, days: list[date]
) -> dict[date, dict[str, Any]]:
    """Asserts every invariant of the live plan over the stored plans of ``days`` and returns
    them. ``days`` are local dates from today on; a day without a stored plan is skipped."""
    now = clock.now()
    stored = {}
    for day in days:
        if day < now.astimezone(_zone_of(who, client)).date():
            continue  # a plan of a day gone by is history
        first = plan(client, who, day)
        if first is None:
            continue
        again = plan(client, who, day)
        assert again == first, "two reads of the same plan differ"
        stored[day] = first
    if not stored:
        return stored
    tasks = open_tasks(client, who)
    by_id = {t["id"]: t for t in tasks}
    for day, the_plan in stored.items():
        midnight = at(f"{day.isoformat()}T00:00:00").replace(tzinfo=_zone(the_plan))
        horizon_end = midnight + timedelta(days=the_plan["horizon_days"])
        # The plan is true as of its last change: time that passed since (a block running on
        # unlogged) is what the next event or Re-plan accounts for.
        start = max(at(the_plan["changed_at"]), midnight)
        ahead = [b for b in the_plan["blocks"] if at(b["end"]) > start and not b["done"]]
        ahead.sort(key=lambda b: at(b["start"]))
        for one, two in pairwise(ahead):
            assert at(one["end"]) <= at(two["start"]), f"blocks overlap on {day}: {one} {two}"
        in_blocks = {b["task_id"] for b in the_plan["blocks"]}
        late = {item["task_id"] for item in the_plan["late"]}
        unscheduled = {item["task_id"] for item in the_plan["unscheduled"]}
        for block in the_plan["blocks"]:
            if at(block["end"]) > now and not block["done"]:
                assert block["task_id"] in by_id, f"a finished or dropped task has a block: {block}"
        for item in tasks:
            deadline = item["deadline"]
            if deadline is not None and at(deadline) < horizon_end:
                assert item["id"] in in_blocks | late | unscheduled, (
                    f"'{item['title']}' (due {deadline}) is in no block, not late, not unscheduled"
                )
            mine = [b for b in ahead if b["task_id"] == item["id"]]
            if mine and item["id"] not in unscheduled:
                planned = sum(minutes(max(at(b["start"]), start), at(b["end"])) for b in mine)
                started = [b for b in mine if at(b["start"]) < start or b["pinned"]]
                kept = sum(minutes(max(at(b["start"]), start), at(b["end"])) for b in started)
                expected = max(work_left(item), kept)
                # Within a grid step: a block under way keeps whole steps from the last change.
                assert expected - GRID < planned < expected + GRID, (
                    f"'{item['title']}' has {planned:.0f} min planned ahead; "
                    f"{work_left(item)} min of work are left"
                )
        assert the_plan["change_reason"], "the plan does not say why it last changed"
    return stored


def _zone_of(who: Account, client: TestClient) -> Any:
    from zoneinfo import ZoneInfo

    me = client.get("/api/v1/me", headers=who.headers)
    assert me.status_code == 200, me.text
    return ZoneInfo(me.json()["timezone"])


def _zone(the_plan: dict[str, Any]) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(the_plan["timezone"])
