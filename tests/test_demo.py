from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.db import transaction
from devday.demo import DEMO_PASSWORD, PEOPLE, seed_if_empty


def test_it_seeds_a_demo_workspace_once(app: FastAPI, client: TestClient, clock: MockClock) -> None:
    factory = app.state.devday.session_factory
    with transaction(factory) as session:
        line = seed_if_empty(session=session, now=clock.now())
    assert line is not None and PEOPLE[0][0] in line and DEMO_PASSWORD in line
    with transaction(factory) as session:
        assert seed_if_empty(session=session, now=clock.now()) is None

    token = client.post(
        "/api/v1/auth/token", json={"email": PEOPLE[0][0], "password": DEMO_PASSWORD}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    teams = client.get("/api/v1/teams", headers=headers).json()
    assert [t["name"] for t in teams] == ["Backend"]
    members = client.get(f"/api/v1/teams/{teams[0]['id']}/members", headers=headers).json()
    assert len(members) == 3
    tasks = client.get("/api/v1/tasks?limit=200", headers=headers).json()["items"]
    assert len(tasks) >= 20
    kinds = {t["kind"] for t in tasks}
    assert {"coding", "docs", "testing", "support", "review"} <= kinds
    assert any(t["source"] == "inbox" for t in tasks)
    assert any(t["depends_on"] for t in tasks)
    done = [t for t in tasks if t["status"] == "done"]
    open_ = [t for t in tasks if t["status"] == "todo"]
    assert done and all(t["completed_at"] < "2026-11-30T09:00:00Z" for t in done)
    assert open_ and all(t["deadline"] >= "2026-11-30" for t in open_)


def test_it_places_demo_deadlines_on_working_days(app: FastAPI, clock: MockClock) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from devday.task.models import Task

    factory = app.state.devday.session_factory
    with transaction(factory) as session:
        seed_if_empty(session=session, now=clock.now())
    with Session(app.state.devday.engine) as session:
        deadlines = session.scalars(select(Task.deadline_at)).all()
    assert all(
        d is not None and d.astimezone(ZoneInfo("Europe/Berlin")).weekday() < 5 for d in deadlines
    )
