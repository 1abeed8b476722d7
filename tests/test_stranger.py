"""A stranger walks every endpoint that takes an id, with the ids of someone else's data.

Every such request answers 404 (never 403: existence must not leak), list endpoints show
nothing of the other user's, and the database is unchanged afterwards. A new endpoint that takes
an id and a body must add its body to BODIES, or this test fails and says so.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from devday.db import Base
from tests import worlds
from tests.factories import Account, sign_up

# A valid body per endpoint, so that validation passes and only access control can refuse.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/teams/{team_id}"): {"name": "mine now", "meeting_days": ["sat"]},
    ("POST", "/api/v1/teams/{team_id}/members"): {"email": "mallory@example.com"},
    ("PATCH", "/api/v1/teams/{team_id}/members/{user_id}"): {"role": "member"},
    ("PATCH", "/api/v1/projects/{project_id}"): {"name": "mine now", "version": 1},
    ("PATCH", "/api/v1/tasks/{task_id}"): {"title": "mine now", "version": 1},
    ("PATCH", "/api/v1/plans/{plan_date}/blocks/{block_id}"): {"pinned": True},
    ("POST", "/api/v1/plans/{plan_date}/replan"): {},
    ("PATCH", "/api/v1/time-entries/{entry_id}"): {"note": "mine now", "version": 1},
    ("PUT", "/api/v1/busy-events/{event_id}"): {
        "title": "mine now",
        "start": "2026-11-30T14:00:00Z",
        "end": "2026-11-30T15:00:00Z",
    },
    ("POST", "/api/v1/channels/{channel_id}/test"): {"text": "mine now"},
}

# Endpoints whose only path parameter is the caller's own date: a stranger building their own
# plan for that date is no leak, so these are checked below rather than in the walk.
OWN_SCOPE = {
    ("POST", "/api/v1/plans/{plan_date}"),
    ("GET", "/api/v1/habits/{day}"),
    ("PUT", "/api/v1/habits/{day}"),
    ("GET", "/api/v1/wrapup/{day}"),
    ("POST", "/api/v1/wrapup/{day}"),
    ("GET", "/api/v1/reflections/{day}"),
    ("PUT", "/api/v1/reflections/{day}"),
}

for _module in worlds.modules():
    BODIES.update(getattr(_module, "BODIES", {}))
    OWN_SCOPE |= getattr(_module, "OWN_SCOPE", set())

# Volatile columns a stranger's own sign-in may touch.
IGNORED_COLUMNS = {"last_used_at"}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    result = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in IGNORED_COLUMNS]
            rows = conn.execute(select(*columns)).all()
            result[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return result


def alices_world(client: TestClient, alice: Account) -> dict[str, Any]:
    team = client.post("/api/v1/teams", json={"name": "Backend"}, headers=alice.headers).json()
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team["id"]}, headers=alice.headers
    ).json()
    personal = client.post("/api/v1/projects", json={"name": "notes"}, headers=alice.headers).json()
    task = client.post(
        "/api/v1/tasks",
        json={"title": "secret", "project_id": project["id"], "tags": ["x"]},
        headers=alice.headers,
    ).json()
    client.post(
        "/api/v1/tasks",
        json={"title": "private", "project_id": personal["id"]},
        headers=alice.headers,
    )
    token = client.get("/api/v1/tokens", headers=alice.headers).json()[0]
    client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"estimate_minutes": 60, "version": 1},
        headers=alice.headers,
    )
    event = client.post(
        "/api/v1/busy-events",
        json={"title": "Dentist", "start": "2026-11-30T14:00:00Z", "end": "2026-11-30T15:00:00Z"},
        headers=alice.headers,
    ).json()
    channel = client.post(
        "/api/v1/channels",
        json={
            "kind": "webhook",
            "name": "ops",
            "target": "https://example.com/h",
            "team_id": team["id"],
        },
        headers=alice.headers,
    ).json()
    entry = client.post(
        "/api/v1/time-entries",
        json={
            "task_id": task["id"],
            "start": "2026-11-30T07:00:00Z",
            "end": "2026-11-30T08:00:00Z",
        },
        headers=alice.headers,
    ).json()
    finished = client.post(
        "/api/v1/tasks", json={"title": "finished", "deadline": "2026-11-30"}, headers=alice.headers
    ).json()
    client.patch(
        f"/api/v1/tasks/{finished['id']}",
        json={"status": "done", "version": 1},
        headers=alice.headers,
    )
    client.put(
        "/api/v1/reflections/2026-11-30",
        json={"went_well": "private thoughts", "goals": ["a goal"]},
        headers=alice.headers,
    )
    plan = client.post("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert plan["blocks"], plan
    ids: dict[str, Any] = {
        "event_id": event["id"],
        "entry_id": entry["id"],
        "day": "2026-11-30",
        "plan_date": "2026-11-30",
        "block_id": plan["blocks"][0]["id"],
        "channel_id": channel["id"],
        "team_id": team["id"],
        "project_id": project["id"],
        "task_id": task["id"],
        "token_id": token["id"],
        "user_id": alice.id,
    }
    for module in worlds.modules():
        if hasattr(module, "build"):
            ids.update(module.build(client, alice, ids))
    return ids


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every documented API operation, as (METHOD, path template)."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def test_it_hides_everything_of_others_from_a_stranger(
    client: TestClient, app: FastAPI, engine: Engine, alice: Account
) -> None:
    ids = alices_world(client, alice)
    mallory = sign_up(client, "Mallory")
    before = snapshot(engine)
    walked = []
    for method, path in api_routes(app):
        params = re.findall(r"{(\w+)}", path)
        if not params or (method, path) in OWN_SCOPE:
            continue
        url = path.format(**{name: ids[name] for name in params})
        body = BODIES.get((method, path))
        if method in ("POST", "PATCH", "PUT"):
            assert body is not None, f"add a body for {method} {path} to BODIES"
        headers = {**mallory.headers, "If-Match": '"1"'}
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 404, (
            f"{method} {url}: {response.status_code} {response.text}"
        )
        walked.append((method, path))
    assert len(walked) >= 12
    assert snapshot(engine) == before

    for url in (
        "/api/v1/tasks",
        "/api/v1/tasks?q=secret",
        "/api/v1/tasks?tag=x",
        f"/api/v1/tasks?team_id={ids['team_id']}",
        f"/api/v1/tasks?project_id={ids['project_id']}",
    ):
        assert client.get(url, headers=mallory.headers).json()["items"] == [], url
    assert client.get("/api/v1/projects", headers=mallory.headers).json() == []
    assert client.get("/api/v1/busy-events", headers=mallory.headers).json() == []
    assert client.get("/api/v1/duty-list", headers=mallory.headers).json()["items"] == []
    today = client.get("/api/v1/today", headers=mallory.headers).json()
    assert today["due"] == [] and today["plan"] is None
    wrapup = client.get("/api/v1/wrapup/2026-11-30", headers=mallory.headers).json()
    assert wrapup["done"] == wrapup["pending"] == wrapup["in_progress"] == []
    reflection = client.get("/api/v1/reflections/2026-11-30", headers=mallory.headers).json()
    assert reflection["achievements"] == [] and reflection["goals"] == []
    own = client.post(f"/api/v1/plans/{ids['plan_date']}", headers=mallory.headers).json()
    assert own["blocks"] == [] and own["busy"] == []
    assert client.get("/api/v1/teams", headers=mallory.headers).json() == []
    assert [t["name"] for t in client.get("/api/v1/tokens", headers=mallory.headers).json()] == [
        "tests"
    ]
    for module in worlds.modules():
        if hasattr(module, "check_lists"):
            module.check_lists(client, mallory, ids)


def test_it_refuses_to_point_at_others_data_from_a_body(
    client: TestClient, engine: Engine, alice: Account
) -> None:
    ids = alices_world(client, alice)
    mallory = sign_up(client, "Mallory")
    mine = client.post("/api/v1/tasks", json={"title": "mine"}, headers=mallory.headers).json()
    before = snapshot(engine)
    attempts = [
        ("POST", "/api/v1/tasks", {"title": "x", "project_id": ids["project_id"]}),
        ("POST", "/api/v1/tasks", {"title": "x", "depends_on": [ids["task_id"]]}),
        ("POST", "/api/v1/projects", {"name": "x", "team_id": ids["team_id"]}),
        ("PATCH", f"/api/v1/tasks/{mine['id']}", {"project_id": ids["project_id"], "version": 1}),
        ("PATCH", f"/api/v1/tasks/{mine['id']}", {"depends_on": [ids["task_id"]], "version": 1}),
        ("PATCH", f"/api/v1/tasks/{mine['id']}", {"assignee_id": alice.id, "version": 1}),
    ]
    for method, url, body in attempts:
        response = client.request(method, url, json=body, headers=mallory.headers)
        assert response.status_code == 422, f"{method} {url} {body}: {response.text}"
    assert snapshot(engine) == before
