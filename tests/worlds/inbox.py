"""The inbox's part of the stranger walk: Alice's team inbox, a request to her and one she sent."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, sign_up

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/inbox/{item_id}/accept"): {"importance": 3, "version": 1},
    ("POST", "/api/v1/inbox/{item_id}/decline"): {"reply": "mine now", "version": 1},
    ("POST", "/api/v1/inbox/{item_id}/snooze"): {"until": "2026-12-01T09:00:00Z", "version": 1},
    ("POST", "/api/v1/inbox/{item_id}/forward"): {"to_user_id": 1, "version": 1},
    ("PATCH", "/api/v1/teams/{team_id}/inbox"): {"slug": "mine-now", "version": 1},
    ("POST", "/api/v1/teams/{team_id}/inbox/poll"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    tess = sign_up(client, "Tess")
    added = client.post(
        f"/api/v1/teams/{ids['team_id']}/members", json={"email": tess.email}, headers=alice.headers
    )
    assert added.status_code == 201, added.text
    setup = client.patch(
        f"/api/v1/teams/{ids['team_id']}/inbox",
        json={"slug": "alices-team", "help_form": True, "imap_host": "127.0.0.1"},
        headers=alice.headers,
    )
    assert setup.status_code == 200, setup.text
    to_alice = client.post(
        "/api/v1/inbox",
        json={"recipient_id": alice.id, "subject": "secret review by thu"},
        headers=tess.headers,
    ).json()
    client.post(
        "/api/v1/inbox",
        json={"team_id": ids["team_id"], "subject": "secret team request"},
        headers=alice.headers,
    )
    return {"item_id": to_alice["id"]}


def check_lists(client: TestClient, mallory: Account, ids: dict[str, Any]) -> None:
    for params in (
        {},
        {"view": "all"},
        {"view": "snoozed"},
        {"view": "sent"},
        {"q": "secret"},
        {"view": "all", "team_id": ids["team_id"]},
    ):
        page = client.get("/api/v1/inbox", params=params, headers=mallory.headers)
        assert page.status_code == 200 and page.json()["items"] == [], params
    asked = client.post(
        "/api/v1/inbox",
        json={"team_id": ids["team_id"], "subject": "let me in"},
        headers=mallory.headers,
    )
    assert asked.status_code == 422
