"""Team figures on a small dataset whose every number is worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.inbox.models import InboxItem, ItemSource, ItemStatus
from tests.factories import Account, api_project, api_task, api_team, api_time_entry, sign_up
from tests.standup.support import finish


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def request(
    session: Session, recipient: int, team_id: int | None, received: datetime, answered: datetime
) -> None:
    session.add(
        InboxItem(
            recipient_id=recipient,
            team_id=team_id,
            subject="Can you look at this?",
            source=ItemSource.colleague,
            status=ItemStatus.accepted,
            received_at=received,
            answered_at=answered,
            updated_at=answered,
        )
    )


@pytest.fixture
def dataset(
    client: TestClient, clock: MockClock, engine: Engine, alice: Account, bob: Account
) -> dict[str, Any]:
    """Backend (Berlin): Alice and Bob over the weeks of Mon 23 Nov and Mon 30 Nov."""
    clock.set(at(23, 8))
    team_id = api_team(client, alice, members=[(bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    project = team["project_id"]
    a = api_task(
        client,
        alice,
        "A",
        project_id=project,
        kind="coding",
        estimate_minutes=60,
        deadline="2026-11-25T17:00:00+01:00",
    )
    b = api_task(
        client,
        alice,
        "B",
        project_id=project,
        kind="testing",
        estimate_minutes=120,
        deadline="2026-11-23T12:00:00+01:00",
    )
    c = api_task(client, bob, "C", project_id=project, kind="docs")
    d = api_task(client, bob, "D", project_id=project, kind="meeting")
    e = api_task(
        client,
        bob,
        "E",
        project_id=project,
        kind="coding",
        estimate_minutes=30,
        deadline="2026-11-30T18:00:00+01:00",
    )
    personal = api_task(client, alice, "Personal", kind="coding", estimate_minutes=10)
    other_team = client.post("/api/v1/teams", json={"name": "Ops"}, headers=alice.headers).json()

    clock.set(at(24, 10))
    finish(client, alice, a)  # on time
    clock.set(at(25, 10))
    finish(client, alice, b)  # late
    finish(client, alice, personal)  # not the team's: not counted
    clock.set(at(26, 15))
    finish(client, bob, c)  # no deadline
    clock.set(at(30, 8, 30))
    finish(client, bob, e)  # on time
    clock.set(at(30, 9))
    api_time_entry(client, alice, a["id"], "2026-11-24T08:00:00Z", "2026-11-24T09:30:00Z")
    api_time_entry(client, alice, b["id"], "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z")
    api_time_entry(client, alice, personal["id"], "2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z")
    api_time_entry(client, bob, c["id"], "2026-11-26T14:00:00Z", "2026-11-26T14:30:00Z")
    api_time_entry(client, bob, d["id"], "2026-11-27T13:00:00Z", "2026-11-27T14:00:00Z")
    # Across the week's end: midnight in Berlin is 23:00 UTC, so 30 minutes fall in each week.
    api_time_entry(client, bob, e["id"], "2026-11-29T22:30:00Z", "2026-11-29T23:30:00Z")
    with Session(engine) as session:
        request(session, alice.id, None, at(24, 9), at(24, 9, 30))  # 30 minutes
        request(session, alice.id, team["id"], at(25, 10), at(25, 12))  # 120 minutes
        request(session, alice.id, other_team["id"], at(25, 10), at(25, 11))  # another team's
        request(session, bob.id, team["id"], at(30, 7), at(30, 8))  # 60 minutes
        session.commit()
    return team


def week(data: dict[str, Any], index: int) -> dict[str, Any]:
    found: dict[str, Any] = data["weeks"][index]
    return found


def test_it_counts_each_members_week(
    client: TestClient, alice: Account, bob: Account, dataset: dict[str, Any]
) -> None:
    response = client.get(f"/api/v1/teams/{dataset['id']}/figures?weeks=2", headers=alice.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["weeks"] == ["2026-11-23", "2026-11-30"] and body["all_members"] is True
    members = {m["name"]: m for m in body["members"]}
    assert week(members["Alice"], 0) == {
        "week_start": "2026-11-23",
        "tasks_finished": 2,
        "finished_with_deadline": 2,
        "finished_on_time": 1,
        "on_time_share": 0.5,
        "minutes_by_kind": {"coding": 90, "testing": 60, "docs": 0, "meeting": 0, "other": 0},
        "total_minutes": 150,
        "estimated_tasks": 2,
        "estimate_ratio_median": 1.0,  # 90/60 and 60/120
        "requests_answered": 2,
        "answer_minutes_median": 75.0,
    }
    bob_first, bob_second = week(members["Bob"], 0), week(members["Bob"], 1)
    assert bob_first["tasks_finished"] == 1 and bob_first["on_time_share"] is None
    assert bob_first["minutes_by_kind"] == {
        "coding": 30,
        "testing": 0,
        "docs": 30,
        "meeting": 60,
        "other": 0,
    }
    assert bob_first["estimate_ratio_median"] is None and bob_first["requests_answered"] == 0
    assert bob_second["tasks_finished"] == 1 and bob_second["on_time_share"] == 1.0
    assert bob_second["minutes_by_kind"]["coding"] == 30
    assert bob_second["estimate_ratio_median"] == 2.0  # 60 minutes in all on a 30-minute task
    assert bob_second["answer_minutes_median"] == 60.0

    first_total = body["totals"][0]
    assert first_total["tasks_finished"] == 3
    assert first_total["on_time_share"] == 0.5
    assert first_total["total_minutes"] == 270
    assert first_total["requests_answered"] == 2
    overall = body["overall"]
    assert overall["tasks_finished"] == 4 and overall["finished_on_time"] == 2
    assert overall["estimate_ratio_median"] == 1.5  # of 1.5, 0.5 and 2.0
    assert members["Alice"]["overall"]["total_minutes"] == 150


def test_it_shows_a_member_the_totals_and_only_their_own_figures(
    client: TestClient, alice: Account, bob: Account, dataset: dict[str, Any]
) -> None:
    as_owner = client.get(f"/api/v1/teams/{dataset['id']}/figures", headers=alice.headers).json()
    as_member = client.get(f"/api/v1/teams/{dataset['id']}/figures", headers=bob.headers).json()

    assert len(as_member["weeks"]) == 8 and as_member["weeks"][-1] == "2026-11-30"
    assert as_member["all_members"] is False
    assert [m["name"] for m in as_member["members"]] == ["Bob"]
    assert as_member["totals"] == as_owner["totals"]
    carol = sign_up(client, "Carol")
    hidden = client.get(f"/api/v1/teams/{dataset['id']}/figures", headers=carol.headers)
    assert hidden.status_code == 404


@pytest.mark.parametrize("weeks", ["0", "53", "x"])
def test_it_refuses_a_window_out_of_range(client: TestClient, alice: Account, weeks: str) -> None:
    team = client.post("/api/v1/teams", json={"name": "Solo"}, headers=alice.headers).json()
    response = client.get(
        f"/api/v1/teams/{team['id']}/figures?weeks={weeks}", headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "weeks"
