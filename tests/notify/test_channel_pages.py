"""The channels section of Settings, as it concerns what this server can send."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from devday.config import Settings
from tests.factories import Account, api_team, csrf_from, web_log_in


def test_it_says_plainly_on_the_channels_page_when_email_is_not_set_up(
    client: TestClient, settings: Settings, alice: Account
) -> None:
    web_log_in(client, alice.email)
    page = client.get("/settings/channels").text
    assert 'id="no-email"' in page and "Email is not set up on this server" in page
    assert "DEVDAY_SMTP_URL" in page
    settings.smtp_url = "smtp://mail.example.com:587?from=devday@example.com"
    assert 'id="no-email"' not in client.get("/settings/channels").text


def test_a_lead_adds_a_channel_for_the_team_and_a_member_cannot(
    client: TestClient, app: FastAPI, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice, members=[bob])
    web_log_in(client, alice.email)
    page = client.get("/settings/channels").text
    assert f'<option value="{team}">the team Backend</option>' in page
    added = client.post(
        "/settings/channels",
        data={
            "csrf_token": csrf_from(page),
            "kind": "webhook",
            "name": "team chat",
            "target": "https://hooks.example.com/backend",
            "team_id": str(team),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    listed = client.get("/api/v1/channels", headers=alice.headers).json()
    assert [(c["name"], c["team_id"]) for c in listed] == [("team chat", team)]

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/today").text)})
    web_log_in(client, bob.email)
    page = client.get("/settings/channels").text
    assert "the team Backend" not in page  # a plain member is not offered the team
    forged = client.post(
        "/settings/channels",
        data={
            "csrf_token": csrf_from(page),
            "kind": "webhook",
            "name": "mine now",
            "target": "https://hooks.example.com/bob",
            "team_id": str(team),
        },
    )
    assert forged.status_code == 403 and "owners and managers" in forged.text
    assert [c["name"] for c in client.get("/api/v1/channels", headers=bob.headers).json()] == [
        "team chat"
    ]
