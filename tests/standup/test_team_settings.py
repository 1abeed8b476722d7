"""The team's meeting settings that standups build on: timezone, meeting time, reminder."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Account, api_project, api_team


def test_it_defaults_to_the_creators_timezone_and_a_meeting_at_three(
    client: TestClient, bob: Account
) -> None:
    created = client.post("/api/v1/teams", json={"name": "Ops"}, headers=bob.headers)
    assert created.status_code == 201, created.text
    team = created.json()
    assert team["timezone"] == "America/New_York"
    assert team["meeting_time"] == "15:00" and team["standup_reminder_minutes"] == 30
    chosen = client.post(
        "/api/v1/teams",
        json={"name": "Web", "timezone": "Asia/Tokyo", "meeting_time": "09:30"},
        headers=bob.headers,
    ).json()
    assert (chosen["timezone"], chosen["meeting_time"]) == ("Asia/Tokyo", "09:30")


def test_it_refuses_bad_settings_and_lets_only_managers_change_them(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    team = {"id": team_id, "project_id": api_project(client, alice, team_id)}
    url = f"/api/v1/teams/{team['id']}"
    for body, field in (
        ({"meeting_time": "25:00"}, "meeting_time"),
        ({"meeting_time": "3pm"}, "meeting_time"),
        ({"standup_reminder_minutes": 721}, "standup_reminder_minutes"),
        ({"standup_reminder_minutes": -1}, "standup_reminder_minutes"),
    ):
        response = client.patch(url, json=body, headers=alice.headers)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    refused = client.patch(url, json={"meeting_time": "10:00"}, headers=bob.headers)
    assert refused.status_code == 403
    changed = client.patch(
        url, json={"meeting_time": "10:00", "standup_reminder_minutes": 0}, headers=alice.headers
    )
    assert changed.status_code == 200
    assert client.get(url, headers=bob.headers).json()["meeting_time"] == "10:00"
    mine = client.get(f"{url}/standups/mine", headers=bob.headers).json()
    assert mine["meeting_at"] == "2026-11-30T09:00:00Z"  # 10:00 in Berlin
