"""Apps, checks, maintenance windows through the API: validation that names the field, team
visibility, versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.checks.servers import TestServer
from tests.factories import Account, api_app, api_channel, api_check, api_team, sign_up


def errors(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return {e["field"]: e["message"] for e in body["errors"]}


def test_it_registers_an_app_with_stakeholders_and_a_check(
    client: TestClient, alice: Account, target: TestServer
) -> None:
    team = api_team(client, alice, timezone=None)
    channel = api_channel(client, alice, "https://chat.example.com/hook", team_id=team)
    app = api_app(
        client,
        alice,
        team,
        target.url + "/",
        stakeholders=[{"name": "QA", "role": "qa", "channel_id": channel}],
    )
    assert app["base_url"] == target.url  # the trailing slash goes
    assert app["owner_id"] == alice.id
    assert [s["name"] for s in app["stakeholders"]] == ["QA"]
    check = api_check(
        client,
        alice,
        app["id"],
        assertions=['$.status == "ok"', "len($.items) > 0"],
        latency_budget_ms=500,
    )
    assert check["url"] == target.url + "/health"
    assert check["interval_seconds"] == 60 and check["timeout_seconds"] == 10
    assert check["fail_after"] == 3 and check["recover_after"] == 2
    assert check["state"] == "pending"
    listed = client.get("/api/v1/apps", headers=alice.headers).json()
    assert [c["name"] for c in listed[0]["checks"]] == ["health"]


def test_it_names_the_field_of_every_bad_check_setting(
    client: TestClient, alice: Account, target: TestServer
) -> None:
    team = api_team(client, alice, timezone=None)
    app = api_app(client, alice, team, target.url)
    url = f"/api/v1/apps/{app['id']}/checks"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"interval_seconds": 5}, "interval_seconds"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"interval_seconds": 10, "timeout_seconds": 20}, "body"),
        ({"assertions": ["$.status =="]}, "assertions"),
        ({"assertions": ["status == 'ok'"]}, "assertions"),
        ({"accepted_statuses": ["2xy"]}, "accepted_statuses"),
        ({"accepted_statuses": ["299-200"]}, "accepted_statuses"),
        ({"method": "FETCH"}, "method"),
        ({"path": "health"}, "path"),
        ({"headers": {"Bad Header": "x"}}, "headers"),
        ({"fail_after": 0}, "fail_after"),
        ({"regression_factor": 1.0}, "regression_factor"),
        ({"surprise": 1}, "surprise"),
    ]
    for extra, field in cases:
        response = client.post(url, json={"name": "x", **extra}, headers=alice.headers)
        assert response.status_code == 422, (extra, response.text)
        assert field in errors(response), (extra, response.text)
    bad = client.post(url, json={"name": "x", "assertions": ["$.a == "]}, headers=alice.headers)
    assert "assertion 1" in errors(bad)["assertions"]
    assert client.get("/api/v1/checks", headers=alice.headers).json() == []


def test_it_names_the_field_of_bad_app_settings(
    client: TestClient, alice: Account, bob: Account, target: TestServer
) -> None:
    team = api_team(client, alice, timezone=None)
    bobs_team = api_team(client, bob, "Frontend", timezone=None)
    bobs_channel = api_channel(client, bob, "https://chat.example.com/b", team_id=bobs_team)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "https://example.com/?q=1"}, "base_url"),
        ({"team_id": bobs_team}, "team_id"),
        ({"owner_id": bob.id}, "owner_id"),
        (
            {"stakeholders": [{"name": "B", "channel_id": bobs_channel}]},
            "stakeholders.0.channel_id",
        ),
        ({"response_target_minutes": 1}, "response_target_minutes"),
    ]
    for extra, field in cases:
        body = {"team_id": team, "name": "x", "base_url": target.url, **extra}
        response = client.post("/api/v1/apps", json=body, headers=alice.headers)
        assert response.status_code == 422, (extra, response.text)
        assert field in errors(response), (extra, response.text)


def test_it_refuses_private_addresses_unless_the_server_allows_them(
    tmp_path: Path, engine: Engine, clock: MockClock, database_url: str
) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key="t", database_url=database_url, allow_private_urls=False
    )
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        alice = sign_up(client, "Alice")
        team = api_team(client, alice, timezone=None)
        for url in ("http://127.0.0.1:8080", "http://localhost", "http://10.0.0.5", "http://[::1]"):
            response = client.post(
                "/api/v1/apps",
                json={"team_id": team, "name": "x", "base_url": url},
                headers=alice.headers,
            )
            assert response.status_code == 422, url
            assert "own network" in errors(response)["base_url"]
        assert client.get("/api/v1/apps", headers=alice.headers).json() == []


def test_it_shows_a_teams_apps_to_its_members_only(
    client: TestClient, alice: Account, bob: Account, target: TestServer
) -> None:
    team = api_team(client, alice, timezone=None)
    app = api_app(client, alice, team, target.url)
    check = api_check(client, alice, app["id"])
    for url in (f"/api/v1/apps/{app['id']}", f"/api/v1/checks/{check['id']}"):
        assert client.get(url, headers=bob.headers).status_code == 404
    assert client.get("/api/v1/apps", headers=bob.headers).json() == []
    assert client.get("/api/v1/checks", headers=bob.headers).json() == []
    client.post(f"/api/v1/teams/{team}/members", json={"email": bob.email}, headers=alice.headers)
    assert client.get(f"/api/v1/checks/{check['id']}", headers=bob.headers).status_code == 200
    assert [a["id"] for a in client.get("/api/v1/apps", headers=bob.headers).json()] == [app["id"]]


def test_it_updates_a_check_with_its_version_and_moves_its_slot(
    client: TestClient, alice: Account, target: TestServer
) -> None:
    team = api_team(client, alice, timezone=None)
    app = api_app(client, alice, team, target.url)
    check = api_check(client, alice, app["id"])
    url = f"/api/v1/checks/{check['id']}"
    stale = client.patch(url, json={"interval_seconds": 30, "version": 9}, headers=alice.headers)
    assert stale.status_code == 409
    missing = client.patch(url, json={"interval_seconds": 30}, headers=alice.headers)
    assert missing.status_code == 428
    too_long = client.patch(url, json={"timeout_seconds": 61, "version": 1}, headers=alice.headers)
    assert too_long.status_code == 422
    changed = client.patch(
        url,
        json={"interval_seconds": 30, "timeout_seconds": 5},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["interval_seconds"] == 30 and changed.json()["version"] == 2
    assert changed.headers["ETag"] == '"2"'
    conflict = client.patch(url, json={"timeout_seconds": 45, "version": 2}, headers=alice.headers)
    assert conflict.status_code == 422 and "timeout_seconds" in errors(conflict)


def test_it_keeps_maintenance_windows_and_checks_their_rule(
    client: TestClient, alice: Account, target: TestServer
) -> None:
    team = api_team(client, alice, timezone=None)
    app = api_app(client, alice, team, target.url)
    url = f"/api/v1/apps/{app['id']}/maintenance"
    bad_rule = client.post(
        url,
        json={
            "starts_at": "2026-12-06T02:00:00",
            "duration_minutes": 60,
            "rrule": "FREQ=SOMETIMES",
        },
        headers=alice.headers,
    )
    assert bad_rule.status_code == 422 and "rrule" in errors(bad_rule)
    bad_zone = client.post(
        url,
        json={"starts_at": "2026-12-06T02:00:00", "duration_minutes": 60, "timezone": "Mars/Base"},
        headers=alice.headers,
    )
    assert bad_zone.status_code == 422 and "timezone" in errors(bad_zone)
    # Today, 09:00 UTC is 10:00 in Berlin: a window from 09:30 Berlin time is on.
    made = client.post(
        url,
        json={
            "starts_at": "2026-11-30T09:30:00",
            "duration_minutes": 60,
            "timezone": "Europe/Berlin",
            "reason": "deploy",
        },
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["active"] is True
    assert made.json()["starts_at"].startswith("2026-11-30T08:30:00")
    window_id = made.json()["id"]
    assert (
        client.delete(f"/api/v1/maintenance/{window_id}", headers=alice.headers).status_code == 204
    )
    assert client.get(url, headers=alice.headers).json() == []
