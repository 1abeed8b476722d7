"""The agenda, from real data: standups, blockers, deadlines at risk in members' plans with
the planner's reason, open incidents, and last meeting's action items with their status now."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.checks.models import App, Check, Incident, IncidentStatus, Problem
from devday.clock import MockClock
from devday.db import make_session_factory, transaction
from tests.conftest import START
from tests.factories import Account, api_project, api_task, api_team
from tests.meeting.support import assign, berliner, blocker, standup, today

MONDAY = date(2026, 11, 30)


def incident(engine: Engine, team_id: int, owner_id: int, summary: str, **extra: object) -> None:
    with transaction(make_session_factory(engine, writer=True)) as session:
        app = App(team_id=team_id, owner_id=owner_id, name="shop", base_url="https://shop.example")
        session.add(app)
        session.flush()
        check = Check(app_id=app.id, team_id=team_id, name="home", next_run_at=START)
        session.add(check)
        session.flush()
        session.add(
            Incident(
                check_id=check.id,
                app_id=app.id,
                team_id=team_id,
                problem=Problem.down,
                summary=summary,
                opened_at=START - timedelta(hours=1),
                last_seen_at=START,
                **extra,
            )
        )


def test_it_builds_the_agenda_from_the_teams_data(
    client: TestClient, engine: Engine, alice: Account
) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    project_id = api_project(client, alice, team_id)
    standup(engine, team_id, bob.id, day=MONDAY, today="Ship the export", submitted_at=START)
    standup(engine, team_id, alice.id, day=MONDAY, today="a draft only", submitted_at=None)
    blocker(
        engine,
        team_id,
        bob.id,
        "Waiting for staging keys",
        MONDAY - timedelta(days=3),
        flagged_at=START - timedelta(days=1),
    )
    blocker(
        engine,
        team_id,
        bob.id,
        "Already sorted",
        MONDAY - timedelta(days=1),
        resolved_at=START - timedelta(hours=2),
    )
    # Due at noon in Berlin with four hours of work: only 1.5 h are free before it.
    urgent = api_task(
        client,
        alice,
        title="Fix checkout",
        project_id=project_id,
        deadline="2026-11-30T11:00:00Z",
        estimate_minutes=240,
    )
    api_task(
        client,
        alice,
        title="Secret personal errand",
        deadline="2026-11-30T10:30:00Z",
        estimate_minutes=120,
    )
    incident(engine, team_id, alice.id, "shop: home is down (HTTP 503)", open_key="1:down")
    incident(engine, team_id, alice.id, "shop: recovered", status=IncidentStatus.resolved)

    meeting = today(client, alice, team_id)

    assert meeting["date"] == "2026-11-30" and meeting["status"] == "open"
    assert meeting["starts_at"] == "2026-11-30T14:00:00Z"  # 15:00 in Berlin
    agenda = meeting["agenda"]
    assert [(s["name"], s["today"]) for s in agenda["standups"]] == [("Bobby", "Ship the export")]
    assert agenda["missing_standups"] == [alice.id]
    assert [(b["text"], b["age_days"], b["flagged"]) for b in agenda["blockers"]] == [
        ("Waiting for staging keys", 3, True)
    ]
    [risk] = agenda["at_risk"]
    assert (risk["task_id"], risk["name"]) == (urgent["id"], "Alice")
    assert risk["deadline"] == "2026-11-30T11:00:00Z"
    assert "Fix checkout" in risk["reason"] and "free" in risk["reason"]
    # Alice's personal task counts, but its title stays hers.
    assert agenda["other_late"] == {str(alice.id): 1}
    assert "Secret personal errand" not in json.dumps(meeting)
    assert [i["summary"] for i in agenda["incidents"]] == ["shop: home is down (HTTP 503)"]
    assert agenda["previous_actions"] == []
    assert {(p["name"], p["away"]) for p in agenda["people"]} == {
        ("Alice", False),
        ("Bobby", False),
    }

    again = today(client, bob, team_id)
    assert again["id"] == meeting["id"]  # one meeting per team and day


def test_it_shows_last_meetings_action_items_with_their_status_now(
    client: TestClient, clock: MockClock, alice: Account
) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    clock.set(datetime(2026, 11, 27, 13, 0, tzinfo=UTC))  # Friday
    friday = today(client, alice, team_id)
    made = []
    for title in ("Write the runbook", "Rotate the keys"):
        response = client.post(
            f"/api/v1/meetings/{friday['id']}/items",
            json={"kind": "action", "text": title, "assignee_id": bob.id, "deadline": "2026-12-01"},
            headers=alice.headers,
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    client.post(
        f"/api/v1/meetings/{friday['id']}/items",
        json={"kind": "note", "text": "not an action"},
        headers=alice.headers,
    )
    clock.set(START)
    done = made[0]["task_id"]
    current = client.get(f"/api/v1/tasks/{done}", headers=bob.headers).json()
    client.patch(
        f"/api/v1/tasks/{done}",
        json={"status": "done", "version": current["version"]},
        headers=bob.headers,
    )

    monday = today(client, bob, team_id)

    assert monday["id"] != friday["id"]
    previous = monday["agenda"]["previous_actions"]
    assert [(a["title"], a["status"], a["assignee"], a["meeting_date"]) for a in previous] == [
        ("Write the runbook", "done", "Bobby", "2026-11-27"),
        ("Rotate the keys", "todo", "Bobby", "2026-11-27"),
    ]
    assert previous[1]["deadline"] == "2026-12-01T17:00:00Z"  # the end of the working day
    past = client.get(f"/api/v1/meetings/{friday['id']}", headers=bob.headers).json()
    assert past["status"] == "open" and past["agenda"] is None  # only today's has an agenda
    assert len(past["items"]) == 3
    listed = client.get(f"/api/v1/teams/{team_id}/meetings", headers=bob.headers).json()
    assert [(m["date"], m["items"]) for m in listed] == [("2026-11-30", 0), ("2026-11-27", 3)]


def test_it_leaves_tasks_of_people_outside_the_team_out(client: TestClient, alice: Account) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    other_team = api_team(client, bob)
    elsewhere = api_project(client, bob, other_team)
    late = api_task(
        client,
        bob,
        title="Other team's fire",
        project_id=elsewhere,
        deadline="2026-11-30T10:00:00Z",
        estimate_minutes=300,
    )
    assign(client, bob, late["id"], bob.id)

    agenda = today(client, alice, team_id)["agenda"]

    assert agenda["at_risk"] == [] and agenda["suggestions"] == []
    assert agenda["other_late"] == {str(bob.id): 1}
