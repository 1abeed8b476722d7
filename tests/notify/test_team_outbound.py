"""An administrator's allowance for one team (``DEVDAY_OUTBOUND_ALLOW=<team id>=host``) lets
that team's webhook channels reach the host, when they are saved and when the worker delivers
to them; another team's channels, and anyone's own, get the usual refusal."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.config import Settings
from devday.wiring import build_worker
from tests.conftest import Account, sign_up
from tests.factories import api_team
from tests.notify.support import WebhookReceiver


def add_channel(client: TestClient, owner: Account, target: str, team_id: int | None) -> Any:
    body = {"kind": "webhook", "name": "ci", "target": target, "team_id": team_id}
    return client.post("/api/v1/channels", json=body, headers=owner.headers)


def send_test(client: TestClient, owner: Account, channel_id: int) -> None:
    sent = client.post(f"/api/v1/channels/{channel_id}/test", json={}, headers=owner.headers)
    assert sent.status_code == 202, sent.text


def deliver_all(settings: Settings, engine: Engine, clock: MockClock) -> None:
    worker = build_worker(settings=settings, engine=engine, clock=clock, worker_id="w")
    try:
        worker.run_once()
    finally:
        worker.close()


def outbox(client: TestClient, owner: Account) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = client.get("/api/v1/outbox", headers=owner.headers).json()
    return rows


def test_it_saves_and_delivers_to_a_channel_of_the_team_allowed_and_refuses_others(
    strict: TestClient,
    strict_settings: Settings,
    engine: Engine,
    clock: MockClock,
    receiver: WebhookReceiver,
) -> None:
    alice, bob = sign_up(strict, "Alice"), sign_up(strict, "Bob")
    team_a, team_b = api_team(strict, alice), api_team(strict, bob, "Frontend")
    strict_settings.outbound_allow = f"{team_a}=127.0.0.1"
    created = add_channel(strict, alice, receiver.url + "/a", team_a)
    assert created.status_code == 201, created.text
    for owner, team_id in ((bob, team_b), (alice, None)):
        refused = add_channel(strict, owner, receiver.url + "/b", team_id)
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == "target"
        assert "127.0.0.1 is a loopback address" in error["message"]
        assert "DEVDAY_OUTBOUND_ALLOW" in error["message"]
    send_test(strict, alice, created.json()["id"])
    deliver_all(strict_settings, engine, clock)
    assert [r.path for r in receiver.received] == ["/a"]
    [message] = outbox(strict, alice)
    assert (message["status"], message["last_error"]) == ("delivered", None)


def test_it_refuses_to_deliver_to_another_teams_channel(
    strict: TestClient,
    strict_settings: Settings,
    engine: Engine,
    clock: MockClock,
    receiver: WebhookReceiver,
) -> None:
    alice, bob = sign_up(strict, "Alice"), sign_up(strict, "Bob")
    team_a, team_b = api_team(strict, alice), api_team(strict, bob, "Frontend")
    strict_settings.outbound_allow = "127.0.0.1"  # for everyone while the channels are made
    channels = [
        (alice, add_channel(strict, alice, receiver.url + "/a", team_a).json()["id"]),
        (bob, add_channel(strict, bob, receiver.url + "/b", team_b).json()["id"]),
        (bob, add_channel(strict, bob, receiver.url + "/own", None).json()["id"]),
    ]
    for owner, channel_id in channels:
        send_test(strict, owner, channel_id)
    strict_settings.outbound_allow = f"{team_a}=127.0.0.1"
    deliver_all(strict_settings, engine, clock)
    assert [r.path for r in receiver.received] == ["/a"]
    assert [m["status"] for m in outbox(strict, alice)] == ["delivered"]
    refused = outbox(strict, bob)
    assert [m["status"] for m in refused] == ["pending", "pending"]  # retried later
    for message in refused:
        assert message["last_error"].startswith("refused: 127.0.0.1 is a loopback address")
