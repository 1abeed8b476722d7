"""A plain member of a team, through the API and the web, against the role model
(``devday.team.policy`` and "Who can do what" in docs/operating.md).

A member reads everything of the team and works on it (tasks, running a check now); every change
to what the team has set up (apps, checks, maintenance windows, channels, projects, settings,
members) answers 403 with a message that says who may, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import Account, csrf_from, sign_up, web_log_in
from tests.test_stranger import alices_world, snapshot

MANAGER_ONLY: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v1/apps", {"team_id": "{team_id}", "name": "x", "base_url": "https://x.test"}),
    ("PATCH", "/api/v1/apps/{app_id}", {"base_url": "https://evil.example", "version": 1}),
    ("DELETE", "/api/v1/apps/{app_id}", None),
    ("POST", "/api/v1/apps/{app_id}/checks", {"name": "x"}),
    ("PATCH", "/api/v1/checks/{check_id}", {"enabled": False, "version": 1}),
    ("DELETE", "/api/v1/checks/{check_id}", None),
    (
        "POST",
        "/api/v1/apps/{app_id}/maintenance",
        {"starts_at": "2026-12-01T00:00:00", "duration_minutes": 10},
    ),
    ("DELETE", "/api/v1/maintenance/{window_id}", None),
    (
        "POST",
        "/api/v1/channels",
        {"kind": "webhook", "name": "x", "target": "https://x.test/h", "team_id": "{team_id}"},
    ),
    ("DELETE", "/api/v1/channels/{channel_id}", None),
    ("POST", "/api/v1/channels/{channel_id}/test", {"text": "hi"}),
    ("POST", "/api/v1/projects", {"name": "x", "team_id": "{team_id}"}),
    ("PATCH", "/api/v1/projects/{project_id}", {"archived": True, "version": 1}),
    ("DELETE", "/api/v1/projects/{project_id}", None),
    ("PATCH", "/api/v1/teams/{team_id}", {"name": "mine now"}),
    ("POST", "/api/v1/teams/{team_id}/members", {"email": "mallory@example.com"}),
    ("DELETE", "/api/v1/teams/{team_id}", None),
]

CHECK_FORM = {
    "name": "x",
    "method": "GET",
    "path": "/",
    "statuses": "2xx",
    "interval_seconds": "60",
}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def join(client: TestClient, alice: Account, team_id: int, who: Account, role: str) -> None:
    added = client.post(
        f"/api/v1/teams/{team_id}/members",
        json={"email": who.email, "role": role},
        headers=alice.headers,
    )
    assert added.status_code == 201, added.text


def test_it_refuses_a_plain_member_every_manager_only_change_in_the_api(
    client: TestClient, engine: Engine, alice: Account
) -> None:
    ids = alices_world(client, alice)
    bob = sign_up(client, "Bob")
    sign_up(client, "Mallory")
    join(client, alice, ids["team_id"], bob, "member")
    before = snapshot(engine)
    for method, path, body in MANAGER_ONLY:
        url = path.format(**ids)
        headers = {**bob.headers, "If-Match": '"1"'}
        response = client.request(method, url, json=_fill(body, ids), headers=headers)
        assert response.status_code == 403, f"{method} {url}: {response.status_code}"
        detail = response.json()["detail"]
        assert "only the team's owners" in detail and "your role is member" in detail, detail
    assert snapshot(engine) == before


def test_it_lets_a_plain_member_read_everything_and_work_on_tasks(
    client: TestClient, alice: Account
) -> None:
    ids = alices_world(client, alice)
    bob = sign_up(client, "Bob")
    join(client, alice, ids["team_id"], bob, "member")
    for url in (
        "/api/v1/apps/{app_id}",
        "/api/v1/checks/{check_id}",
        "/api/v1/apps/{app_id}/maintenance",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/projects/{project_id}",
        "/api/v1/teams/{team_id}",
        "/api/v1/teams/{team_id}/members",
    ):
        assert client.get(url.format(**ids), headers=bob.headers).status_code == 200, url
    ran = client.post(f"/api/v1/checks/{ids['check_id']}/run", headers=bob.headers)
    assert ran.status_code == 200, ran.text
    task = client.post(
        "/api/v1/tasks",
        json={"title": "mine", "project_id": ids["project_id"]},
        headers=bob.headers,
    )
    assert task.status_code == 201, task.text


def test_it_lets_a_manager_change_what_a_member_may_not(client: TestClient, alice: Account) -> None:
    ids = alices_world(client, alice)
    carol = sign_up(client, "Carol")
    join(client, alice, ids["team_id"], carol, "manager")
    renamed = client.patch(
        f"/api/v1/apps/{ids['app_id']}",
        json={"name": "orders", "version": 1},
        headers=carol.headers,
    )
    assert renamed.status_code == 200, renamed.text
    archived = client.patch(
        f"/api/v1/projects/{ids['project_id']}",
        json={"archived": True, "version": 1},
        headers=carol.headers,
    )
    assert archived.status_code == 200, archived.text
    gone = client.delete(f"/api/v1/maintenance/{ids['window_id']}", headers=carol.headers)
    assert gone.status_code == 204
    kept = client.delete(f"/api/v1/teams/{ids['team_id']}", headers=carol.headers)
    assert kept.status_code == 403 and "only the team's owners can" in kept.json()["detail"]


def test_it_refuses_a_plain_member_the_manager_only_forms_on_the_web(
    client: TestClient, engine: Engine, alice: Account
) -> None:
    ids = alices_world(client, alice)
    bob = sign_up(client, "Bob")
    join(client, alice, ids["team_id"], bob, "member")
    assert web_log_in(client, bob.email).status_code == 303
    app_page = client.get(f"/apps/{ids['app_id']}").text
    token = csrf_from(app_page)
    # The forms a member may not use are not offered.
    assert 'action="/apps/' not in app_page and "owners and managers add" in app_page
    assert 'action="/apps"' not in client.get("/apps").text
    before = snapshot(engine)
    forms = [
        ("/apps", {"team_id": ids["team_id"], "name": "x", "base_url": "https://x.test"}),
        (f"/apps/{ids['app_id']}/checks", CHECK_FORM),
        (f"/settings/channels/{ids['channel_id']}/delete", {}),
        (f"/settings/channels/{ids['channel_id']}/test", {}),
    ]
    for url, data in forms:
        response = client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, f"{url}: {response.status_code}"
        assert "only the team&#39;s owners and managers can" in response.text, url
    assert snapshot(engine) == before


def test_it_offers_a_manager_the_forms_a_member_does_not_get(
    client: TestClient, alice: Account
) -> None:
    ids = alices_world(client, alice)
    carol = sign_up(client, "Carol")
    join(client, alice, ids["team_id"], carol, "manager")
    assert web_log_in(client, carol.email).status_code == 303
    assert f'action="/apps/{ids["app_id"]}/checks"' in client.get(f"/apps/{ids['app_id']}").text
    assert 'action="/apps"' in client.get("/apps").text
