"""The demo workspace's standups, blocker and leave, as the team page and the API show them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from devday.clock import MockClock
from devday.db import transaction
from devday.demo import DEMO_PASSWORD, PEOPLE, seed_if_empty
from tests.factories import web_log_in


def test_it_seeds_standups_a_blocker_and_leave(
    app: FastAPI, client: TestClient, clock: MockClock
) -> None:
    with transaction(app.state.devday.session_factory) as session:
        seed_if_empty(session=session, now=clock.now())
    token = client.post(
        "/api/v1/auth/token", json={"email": PEOPLE[0][0], "password": DEMO_PASSWORD}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    team_id = client.get("/api/v1/teams", headers=headers).json()[0]["id"]

    today = client.get(f"/api/v1/teams/{team_id}/standups", headers=headers).json()
    assert {m["name"]: m["state"] for m in today["members"]} == {
        "Alex Morgan": "missing",
        "Priya Natarajan": "missing",
        "Sam Okafor": "submitted",
    }
    friday = client.get(f"/api/v1/teams/{team_id}/standups?day=2026-11-27", headers=headers).json()
    assert all(m["state"] == "submitted" for m in friday["members"])
    [blocker] = today["open_blockers"]
    assert blocker["user_name"] == "Priya Natarajan" and blocker["opened_on"] == "2026-11-27"
    next_week = client.get(
        f"/api/v1/teams/{team_id}/standups?day=2026-12-08", headers=headers
    ).json()
    assert {m["name"]: m["state"] for m in next_week["members"]}["Priya Natarajan"] == "away"

    web_log_in(client, PEOPLE[0][0], DEMO_PASSWORD)
    page = client.get(f"/team/{team_id}")
    assert page.status_code == 200
    assert "Need read access to the production search logs" in page.text
    # Alex's draft says what they said they would do on Friday.
    assert "Said I&#39;d do: Fix login rate limit" in page.text
