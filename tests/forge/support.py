"""What the forge tests share: connecting the fake, syncing, reading tasks, a worker."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.jobs.runner import Worker
from devday.netguard import OutboundPolicy
from devday.wiring import job_registry
from tests.factories import Account
from tests.forge.fake_forge import TOKEN, FakeForge
from tests.jobs.support import make_worker


def connect(
    client: TestClient, user: Account, forge: FakeForge, kind: str, **fields: Any
) -> dict[str, Any]:
    body = {"kind": kind, "repo": forge.repo, "token": TOKEN, "base_url": forge.url} | fields
    response = client.post("/api/v1/forges", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def sync(client: TestClient, user: Account, connection_id: int) -> dict[str, Any]:
    response = client.post(f"/api/v1/forges/{connection_id}/sync", headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def tasks(client: TestClient, user: Account) -> dict[str, dict[str, Any]]:
    """The user's tasks by title."""
    response = client.get("/api/v1/tasks?status=todo,doing,done,dropped", headers=user.headers)
    assert response.status_code == 200, response.text
    return {task["title"]: task for task in response.json()["items"]}


def worker(engine: Engine, clock: MockClock) -> Worker:
    """A worker whose jobs may reach the fake on loopback."""
    allowed = OutboundPolicy.of(allow_private=True)
    return make_worker(engine, clock, web=None, registry=job_registry(outbound=allowed))  # type: ignore[arg-type]
