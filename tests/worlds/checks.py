"""App checks in the stranger walk: Alice's app, check, maintenance window and incident."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from devday.checks.models import Incident, Problem
from devday.db import transaction
from devday.deps import AppState
from tests.conftest import START
from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/apps/{app_id}"): {"name": "mine now", "version": 1},
    ("POST", "/api/v1/apps/{app_id}/checks"): {"name": "mine now"},
    ("POST", "/api/v1/apps/{app_id}/maintenance"): {
        "starts_at": "2026-12-01T00:00:00",
        "duration_minutes": 10,
    },
    ("PATCH", "/api/v1/checks/{check_id}"): {"name": "mine now", "version": 1},
    ("POST", "/api/v1/checks/{check_id}/run"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    app = client.post(
        "/api/v1/apps",
        json={
            "team_id": ids["team_id"],
            "name": "orders-api",
            "base_url": "https://93.184.215.14",
            "stakeholders": [{"name": "QA", "channel_id": ids["channel_id"]}],
        },
        headers=alice.headers,
    ).json()
    check = client.post(
        f"/api/v1/apps/{app['id']}/checks", json={"name": "health"}, headers=alice.headers
    ).json()
    window = client.post(
        f"/api/v1/apps/{app['id']}/maintenance",
        json={"starts_at": "2026-12-06T02:00:00", "duration_minutes": 60, "rrule": "FREQ=WEEKLY"},
        headers=alice.headers,
    ).json()
    # An incident comes from the runner; here it is written directly, as the runner would.
    state: AppState = client.app.state.devday  # type: ignore[attr-defined]
    with transaction(state.writer_session_factory) as session:
        incident = Incident(
            check_id=check["id"],
            app_id=app["id"],
            team_id=ids["team_id"],
            problem=Problem.down,
            open_key=f"{check['id']}:down",
            severity=4,
            summary="orders-api health is down",
            evidence={"status_code": 503},
            failures=3,
            opened_at=START,
            last_seen_at=START,
            next_reminder_at=START + timedelta(hours=1),
        )
        session.add(incident)
        session.flush()
        incident_id = incident.id
    return {
        "app_id": app["id"],
        "check_id": check["id"],
        "window_id": window["id"],
        "incident_id": incident_id,
    }


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    for url in (
        "/api/v1/apps",
        f"/api/v1/apps?team_id={ids['team_id']}",
        "/api/v1/checks",
        f"/api/v1/checks?app_id={ids['app_id']}",
        "/api/v1/incidents",
        f"/api/v1/incidents?app_id={ids['app_id']}",
    ):
        assert client.get(url, headers=mallory.headers).json() == [], url
