"""A team in Berlin with a meeting to hold: members, team tasks, standups and blockers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.db import make_session_factory, transaction
from devday.standup.models import Blocker, Standup, StandupStatus
from tests.factories import Account, sign_up

DAY = "2026-11-30"


def berliner(client: TestClient, name: str) -> Account:
    return sign_up(client, name, timezone="Europe/Berlin")


def assign(client: TestClient, who: Account, task_id: int, assignee_id: int) -> None:
    current = client.get(f"/api/v1/tasks/{task_id}", headers=who.headers).json()
    response = client.patch(
        f"/api/v1/tasks/{task_id}",
        json={"assignee_id": assignee_id, "version": current["version"]},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text


def today(client: TestClient, who: Account, team_id: int) -> dict[str, Any]:
    """Today's meeting, opened (stored) so that it has an id to change it by."""
    response = client.post(f"/api/v1/teams/{team_id}/meetings/today", headers=who.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def standup(
    engine: Engine,
    team_id: int,
    user_id: int,
    *,
    day: date,
    today: str,
    submitted_at: datetime | None,
) -> None:
    with transaction(make_session_factory(engine, writer=True)) as session:
        session.add(
            Standup(
                team_id=team_id,
                user_id=user_id,
                day=day,
                yesterday="Finished the login fix",
                today=today,
                blockers="",
                status=StandupStatus.submitted if submitted_at else StandupStatus.draft,
                submitted_at=submitted_at,
            )
        )


def blocker(
    engine: Engine, team_id: int, user_id: int, text: str, opened_on: date, **extra: Any
) -> None:
    with transaction(make_session_factory(engine, writer=True)) as session:
        session.add(
            Blocker(team_id=team_id, user_id=user_id, text=text, opened_on=opened_on, **extra)
        )
