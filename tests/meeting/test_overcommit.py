"""Overcommitment: a member's plan misses a deadline that a teammate with free time could meet;
the meeting suggests the teammate, and one request reassigns the task and re-plans both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from devday.meeting import overcommit
from devday.planning import solver
from tests.factories import Account, api_project, api_task, api_team
from tests.meeting.support import assign, berliner, today

# Monday 30 Nov in Berlin: 10:00-18:00 less planning, lunch, the meeting and wrap-up leaves
# 5 h of free working time before 18:00.
END_OF_MONDAY = "2026-11-30T17:00:00Z"


def overcommitted_team(client: TestClient, alice: Account) -> dict[str, Any]:
    """Alice has two 4 h team tasks due tonight (one must be late); Bob is free; Dave's day is
    full with a 5 h task of his own due tonight."""
    bob = berliner(client, "Bobby")
    dave = berliner(client, "Dave")
    team_id = api_team(client, alice, members=[(bob, "member"), (dave, "member")])
    project_id = api_project(client, alice, team_id)
    tasks = [
        api_task(
            client,
            alice,
            title=title,
            project_id=project_id,
            deadline=END_OF_MONDAY,
            estimate_minutes=240,
            kind="coding",
        )
        for title in ("Export to CSV", "Import from CSV")
    ]
    daves = api_task(
        client,
        dave,
        title="Dave's own work",
        project_id=project_id,
        deadline=END_OF_MONDAY,
        estimate_minutes=300,
    )
    assign(client, dave, daves["id"], dave.id)
    return {"team_id": team_id, "bob": bob, "dave": dave, "tasks": tasks}


def test_it_suggests_the_teammate_with_free_time(client: TestClient, alice: Account) -> None:
    world = overcommitted_team(client, alice)

    agenda = today(client, alice, world["team_id"])["agenda"]

    [risk] = agenda["at_risk"]
    assert risk["name"] == "Alice" and risk["task_id"] in {t["id"] for t in world["tasks"]}
    [suggestion] = agenda["suggestions"]
    assert suggestion["task_id"] == risk["task_id"]
    assert (suggestion["from_name"], suggestion["to_name"]) == ("Alice", "Bobby")
    assert suggestion["to_user_id"] == world["bob"].id
    assert suggestion["finish"] <= END_OF_MONDAY
    assert "Bobby has the free time" in suggestion["reason"]


def test_it_reassigns_the_task_and_replans_both(client: TestClient, alice: Account) -> None:
    world = overcommitted_team(client, alice)
    bob: Account = world["bob"]
    client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    meeting = today(client, alice, world["team_id"])
    [suggestion] = meeting["agenda"]["suggestions"]

    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/reassign",
        json={"task_id": suggestion["task_id"], "assignee_id": suggestion["to_user_id"]},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["late"] == {str(alice.id): 0, str(bob.id): 0}
    moved = client.get(f"/api/v1/tasks/{suggestion['task_id']}", headers=bob.headers).json()
    assert moved["assignee_id"] == bob.id
    alices_plan = client.get("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert alices_plan["late"] == []
    assert suggestion["task_id"] not in {b["task_id"] for b in alices_plan["blocks"]}
    bobs_plan = client.get("/api/v1/plans/2026-11-30", headers=bob.headers).json()
    assert suggestion["task_id"] in {b["task_id"] for b in bobs_plan["blocks"]}
    after = today(client, alice, world["team_id"])
    assert after["agenda"]["at_risk"] == [] and after["agenda"]["suggestions"] == []
    [decision] = [i for i in after["items"] if i["kind"] == "decision"]
    assert decision["id"] == result["item_id"]
    assert "from Alice to Bobby" in decision["text"]


def test_it_lets_only_the_assignee_or_a_manager_reassign(
    client: TestClient, alice: Account
) -> None:
    world = overcommitted_team(client, alice)
    bob: Account = world["bob"]
    dave: Account = world["dave"]
    meeting = today(client, bob, world["team_id"])
    url = f"/api/v1/meetings/{meeting['id']}/reassign"
    alices = world["tasks"][0]["id"]

    refused = client.post(url, json={"task_id": alices, "assignee_id": bob.id}, headers=bob.headers)
    assert refused.status_code == 403
    personal = api_task(client, bob, title="Bob's personal task")
    not_team = client.post(
        url, json={"task_id": personal["id"], "assignee_id": dave.id}, headers=bob.headers
    )
    assert not_team.status_code == 422 and not_team.json()["errors"][0]["field"] == "task_id"
    outsider = berliner(client, "Olga")
    wrong = client.post(
        url, json={"task_id": alices, "assignee_id": outsider.id}, headers=alice.headers
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "assignee_id"
    daves_task = client.get(f"/api/v1/tasks?assignee_id={dave.id}", headers=dave.headers)
    [daves] = daves_task.json()["items"]
    given = client.post(
        url, json={"task_id": daves["id"], "assignee_id": bob.id}, headers=dave.headers
    )
    assert given.status_code == 200, given.text  # Dave gives his own task away


# --- the rule alone, on solver problems -------------------------------------------------------

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HOURS: dict[str, tuple[tuple[int, int], ...]] = {
    day: ((600, 1080),) for day in ("mon", "tue", "wed", "thu", "fri")
}


def member(
    user_id: int, name: str, *tasks: solver.Task, available: bool = True
) -> overcommit.MemberPlan:
    problem = solver.Problem(
        now=NOW, timezone="Europe/Berlin", horizon_days=3, working_hours=HOURS, tasks=tasks
    )
    return overcommit.MemberPlan(
        user_id=user_id,
        name=name,
        problem=problem,
        plan=solver.solve(problem),
        movable=frozenset(t.id for t in tasks),
        titles={t.id: t.title for t in tasks},
        available=available,
    )


def job(task_id: str, hours: int, due_hours: int, **extra: Any) -> solver.Task:
    return solver.Task(
        id=task_id,
        title=f"task {task_id}",
        estimate_minutes=hours * 60,
        deadline=NOW + timedelta(hours=due_hours),
        **extra,
    )


def test_overcommit_kept_when_a_teammate_is_free() -> None:
    giver = member(1, "A", job("1", 4, 6), job("2", 4, 6))
    taker = member(2, "B")
    [suggestion] = overcommit.suggest([giver, taker])
    assert (suggestion.from_user_id, suggestion.to_user_id) == (1, 2)
    assert suggestion.finish <= suggestion.deadline


def test_overcommit_broken_when_the_teammate_would_miss_their_own_deadline() -> None:
    giver = member(1, "A", job("1", 4, 6), job("2", 4, 6))
    busy = member(2, "B", job("3", 5, 6))
    away = member(3, "C", available=False)
    assert overcommit.suggest([giver, busy, away]) == []


def test_overcommit_broken_for_a_task_tied_by_dependencies() -> None:
    giver = member(1, "A", job("1", 4, 6), job("2", 4, 6, depends_on=("1",)))
    taker = member(2, "B")
    assert overcommit.suggest([giver, taker]) == []


def test_overcommit_kept_counts_what_a_teammate_already_took() -> None:
    # A misses two of three 4 h tasks in 6 free hours; B's 6 free hours hold only one of them.
    giver = member(1, "A", job("1", 4, 6), job("2", 4, 6), job("3", 4, 6))
    taker = member(2, "B")
    assert len(giver.plan.late) == 2
    [suggestion] = overcommit.suggest([giver, taker])
    assert suggestion.to_user_id == 2
