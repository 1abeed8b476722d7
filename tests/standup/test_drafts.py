"""Standups drafted from real data (work log, reflection goals, the plan, dependencies), edited
and submitted; blockers carried until resolved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_project, api_task, api_team, api_time_entry, sign_up
from tests.standup.support import finish, mine, submit

THU_EVENING = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
FRI_MORNING = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
FRI_NOON = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def world(client: TestClient, clock: MockClock, alice: Account, bob: Account) -> dict[str, Any]:
    """Alice (Berlin) and Bob (New York) in Backend (Berlin); Alice's Thursday reflection set a
    goal for Friday; on Friday she said what she would do, logged 1h30 and finished a task."""
    clock.set(THU_EVENING)
    team_id = api_team(client, alice, members=[(bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    project = team["project_id"]
    reflection = client.put(
        "/api/v1/reflections/2026-11-26",
        json={"went_well": "ok", "goals": ["Write the rate-limit docs"]},
        headers=alice.headers,
    )
    assert reflection.status_code == 200, reflection.text

    clock.set(FRI_MORNING)
    fix = api_task(client, alice, "Fix login rate limit", project_id=project, estimate_minutes=90)
    keys = api_task(
        client,
        bob,
        "Deploy keys",
        project_id=project,
        deadline="2026-11-27T17:00:00+01:00",
    )
    ship = api_task(
        client,
        alice,
        "Ship auth",
        project_id=project,
        depends_on=[keys["id"]],
        deadline="2026-12-01",
    )
    prep = api_task(
        client, alice, "Prepare schema", project_id=project, deadline="2026-11-27T12:00:00+01:00"
    )
    migrate = api_task(client, alice, "Run migration", project_id=project, depends_on=[prep["id"]])
    review = api_task(
        client, alice, "Review PR", project_id=project, estimate_minutes=60, deadline="2026-11-30"
    )
    other_team = client.post("/api/v1/teams", json={"name": "Ops"}, headers=alice.headers).json()
    ops = client.post(
        "/api/v1/projects", json={"name": "ops", "team_id": other_team["id"]}, headers=alice.headers
    ).json()
    elsewhere = api_task(client, alice, "Ops duty", project_id=ops["id"], status="done")
    submit(client, team["id"], alice, today="Fix login rate limit\n- Pair with Bob", blockers="")

    clock.set(FRI_NOON)
    api_time_entry(client, alice, fix["id"], "2026-11-27T08:00:00Z", "2026-11-27T09:30:00Z")
    api_time_entry(client, alice, ship["id"], "2026-11-27T09:30:00Z", "2026-11-27T10:15:00Z")
    finish(client, alice, fix)
    clock.set(MONDAY)
    return {
        "team": team,
        "fix": fix,
        "keys": keys,
        "ship": ship,
        "prep": prep,
        "migrate": migrate,
        "review": review,
        "elsewhere": elsewhere,
        "other_team": other_team,
    }


def test_it_drafts_yesterday_from_the_work_log_goals_and_what_was_said(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    draft = mine(client, world["team"]["id"], alice)

    assert draft["day"] == "2026-11-30" and draft["previous_day"] == "2026-11-27"
    assert draft["stored"] is False and draft["version"] == 0 and draft["status"] == "draft"
    fix, ship = world["fix"], world["ship"]
    assert draft["yesterday"].splitlines() == [
        f"Finished #{fix['id']} Fix login rate limit (1h30)",
        f"Worked on #{ship['id']} Ship auth (45m)",
        "Goal: Write the rate-limit docs (not done)",
        "Said I'd do: Fix login rate limit",
        "Said I'd do: Pair with Bob",
        "Time logged: 2h15",
    ]
    # Another team's work stays out of this team's standup.
    assert "Ops duty" not in draft["yesterday"]


def test_it_drafts_today_from_the_plan_and_blockers_from_dependencies(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    draft = mine(client, world["team"]["id"], alice)

    review = world["review"]
    assert f"#{review['id']} Review PR (1h, due Mon 30 Nov 18:00)" in draft["today"].splitlines()
    ship, keys, prep, migrate = (world[k] for k in ("ship", "keys", "prep", "migrate"))
    assert draft["blockers"].splitlines() == [
        f"#{ship['id']} Ship auth: waiting on #{keys['id']} Deploy keys "
        "(Bob, overdue since Fri 27 Nov)",
        f"#{migrate['id']} Run migration: depends on #{prep['id']} Prepare schema, "
        "overdue since Fri 27 Nov",
    ]
    assert [(i["task_id"], i["blocker_id"]) for i in draft["blocker_items"]] == [
        (ship["id"], None),
        (migrate["id"], None),
    ]


def test_it_reads_todays_stored_plan_when_there_is_one(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    plan = client.post("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    first = plan["blocks"][0]
    moved = client.patch(
        f"/api/v1/plans/2026-11-30/blocks/{first['id']}",
        json={"start": "2026-11-30T16:00:00Z"},
        headers={**alice.headers, "If-Match": f'"{plan["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    blocks = sorted(moved.json()["blocks"], key=lambda b: b["start"])
    expected_first = blocks[0]["task_id"]

    draft = mine(client, world["team"]["id"], alice)

    assert draft["today"].splitlines()[0].startswith(f"#{expected_first} ")


def test_it_saves_edits_submits_and_keeps_the_version(
    client: TestClient, alice: Account, bob: Account, world: dict[str, Any]
) -> None:
    team_id = world["team"]["id"]
    url = f"/api/v1/teams/{team_id}/standups/mine"
    saved = client.put(url, json={"today": "Only docs today", "version": 0}, headers=alice.headers)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["stored"] is True and body["status"] == "draft" and body["version"] == 1
    assert body["today"] == "Only docs today"
    assert body["yesterday"].startswith("Finished #")  # the draft filled the parts not sent
    assert saved.headers["etag"] == '"1"'

    stale = client.put(url, json={"today": "x", "version": 0}, headers=alice.headers)
    assert stale.status_code == 409
    missing = client.put(url, json={"today": "x"}, headers=alice.headers)
    assert missing.status_code == 428
    too_far = client.put(url, json={"day": "2026-12-09", "version": 0}, headers=alice.headers)
    assert too_far.status_code == 422 and too_far.json()["errors"][0]["field"] == "day"

    team_view = client.get(f"/api/v1/teams/{team_id}/standups", headers=bob.headers).json()
    states = {m["name"]: (m["state"], m["standup"]) for m in team_view["members"]}
    assert states == {"Alice": ("draft", None), "Bob": ("missing", None)}  # drafts stay private

    handed_in = client.put(
        url, json={"submit": True}, headers={**alice.headers, "If-Match": '"1"'}
    ).json()
    assert (
        handed_in["status"] == "submitted" and handed_in["submitted_at"] == "2026-11-30T09:00:00Z"
    )
    team_view = client.get(f"/api/v1/teams/{team_id}/standups", headers=bob.headers).json()
    alice_row = next(m for m in team_view["members"] if m["name"] == "Alice")
    assert alice_row["state"] == "submitted"
    assert alice_row["standup"]["today"] == "Only docs today"
    assert team_view["meeting_at"] == "2026-11-30T14:00:00Z"  # 15:00 in Berlin


def test_it_carries_open_blockers_until_resolved(
    client: TestClient, clock: MockClock, alice: Account, bob: Account, world: dict[str, Any]
) -> None:
    team_id = world["team"]["id"]
    draft = mine(client, team_id, alice)
    submit(client, team_id, alice, blockers=draft["blockers"] + "\nWaiting for design sign-off")
    opened = client.get(f"/api/v1/teams/{team_id}/blockers", headers=bob.headers).json()
    assert [(b["text"], b["opened_on"], b["user_name"]) for b in opened][-1] == (
        "Waiting for design sign-off",
        "2026-11-30",
        "Alice",
    )
    assert len(opened) == 3
    by_text = {b["text"]: b for b in opened}
    assert by_text[draft["blocker_items"][0]["text"]]["task_id"] == world["ship"]["id"]

    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # Tuesday
    tuesday = mine(client, team_id, alice)
    assert "Waiting for design sign-off" in tuesday["blockers"].splitlines()
    carried = {i["text"]: i["blocker_id"] for i in tuesday["blocker_items"]}
    assert carried["Waiting for design sign-off"] == by_text["Waiting for design sign-off"]["id"]
    # Submitting again with the same lines opens nothing new.
    submit(client, team_id, alice)
    assert len(client.get(f"/api/v1/teams/{team_id}/blockers", headers=bob.headers).json()) == 3

    # A teammate resolves it: it is no longer carried.
    sign_off = by_text["Waiting for design sign-off"]["id"]
    resolved = client.post(f"/api/v1/blockers/{sign_off}/resolve", headers=bob.headers)
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] == "2026-12-01T09:00:00Z"
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    wednesday = mine(client, team_id, alice)
    assert "Waiting for design sign-off" not in wednesday["blockers"]
    everything = client.get(
        f"/api/v1/teams/{team_id}/blockers?include_resolved=true", headers=bob.headers
    ).json()
    assert len(everything) == 3


def test_it_takes_back_a_blocker_removed_on_the_same_day(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    team_id = world["team"]["id"]
    submit(client, team_id, alice, blockers="Typo blocker\nReal blocker")
    submit(client, team_id, alice, blockers="Real blocker")
    texts = [
        b["text"]
        for b in client.get(f"/api/v1/teams/{team_id}/blockers", headers=alice.headers).json()
    ]
    assert texts == ["Real blocker"]


def test_it_hides_a_teams_standups_from_outsiders(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    carol = sign_up(client, "Carol")
    team_id = world["team"]["id"]
    for method, url in (
        ("GET", f"/api/v1/teams/{team_id}/standups"),
        ("GET", f"/api/v1/teams/{team_id}/standups/mine"),
        ("PUT", f"/api/v1/teams/{team_id}/standups/mine"),
        ("GET", f"/api/v1/teams/{team_id}/blockers"),
    ):
        response = client.request(method, url, json={"version": 0}, headers=carol.headers)
        assert response.status_code == 404, (method, url, response.text)
