"""Shared set-up for the inbox tests: a team of Alice (owner), Bob and Carol."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, sign_up


def ask(client: TestClient, who: Account, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/inbox", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def inbox(client: TestClient, who: Account, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/inbox", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def carol(client: TestClient) -> Account:
    return sign_up(client, "Carol")


def email_channel(client: TestClient, who: Account, target: str) -> None:
    """A personal email channel, so that the outbox has somewhere to send ``who``'s notices."""
    response = client.post(
        "/api/v1/channels",
        json={"kind": "email", "name": "me", "target": target},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
