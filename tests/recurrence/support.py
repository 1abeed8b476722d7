"""Shared steps of the recurrence tests: the worker's sweep run on a wired session."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.db import transaction
from devday.recurrence.jobs import make_due
from devday.wiring import writer_sessions
from tests.factories import Account


def sweep(engine: Engine, clock: MockClock) -> int:
    """One pass of the worker's sweep at the clock's now; how many instances it made."""
    with transaction(writer_sessions(engine, clock)) as session:
        return make_due(session, clock.now())


def open_tasks(client: TestClient, who: Account, title: str) -> list[dict[str, Any]]:
    items = client.get(
        "/api/v1/tasks", params={"status": "open", "q": title}, headers=who.headers
    ).json()["items"]
    return [t for t in items if t["title"] == title]


def all_tasks(client: TestClient, who: Account, title: str) -> list[dict[str, Any]]:
    items = client.get(
        "/api/v1/tasks",
        params={"status": "todo,doing,done,dropped", "q": title, "limit": 200},
        headers=who.headers,
    ).json()["items"]
    return sorted((t for t in items if t["title"] == title), key=lambda t: t["id"])


def finish(client: TestClient, who: Account, task: dict[str, Any]) -> dict[str, Any]:
    response = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())
