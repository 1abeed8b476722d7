"""The team invitations' part of the stranger walk: a stranger can neither invite into Alice's
team nor accept with a link they were not given."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/teams/{team_id}/invitations"): {
        "role": "member",
        "email": "mallory@example.com",
    },
    ("POST", "/api/v1/invitations/{token}/accept"): {},
}


def build(client: TestClient, alice: Account, ids: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/teams/{ids['team_id']}/invitations", json={}, headers=alice.headers
    )
    assert response.status_code == 201, response.text
    # The walk uses a link Alice never handed out: a real one would, by design, let in whoever
    # holds it.
    return {"token": "a-link-nobody-was-given"}
