"""Helpers for the work log's tests; the CLI's environment fixture is shared with tests/cli."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.cli.conftest import cli_env as cli_env
from tests.cli.conftest import cli_pool as cli_pool
from tests.factories import Account


def start(client: TestClient, who: Account, task_id: int, **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/timer/start", json={"task_id": task_id, **fields}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def log(client: TestClient, who: Account, task_id: int, start: str, end: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/time-entries",
        json={"task_id": task_id, "start": start, "end": end},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
