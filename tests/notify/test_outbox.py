"""The Outbox page and its retry: what was sent where, what failed and why, and sending a failed
delivery again with the same delivery id."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.config import Settings
from devday.notify.models import OutboxMessage, OutboxStatus
from devday.wiring import build_worker
from tests.factories import Account, api_channel, api_team, csrf_from, sign_up, web_log_in
from tests.notify.support import WebhookReceiver


def deliver_all(settings: Settings, engine: Engine, clock: MockClock) -> None:
    worker = build_worker(settings=settings, engine=engine, clock=clock, worker_id="w")
    try:
        worker.run_once()
    finally:
        worker.close()


def send_test(client: TestClient, who: Account, channel_id: int) -> dict[str, Any]:
    sent = client.post(f"/api/v1/channels/{channel_id}/test", json={}, headers=who.headers)
    assert sent.status_code == 202, sent.text
    message: dict[str, Any] = sent.json()
    return message


def give_up(engine: Engine, message_id: int) -> None:
    """As the worker leaves a message after its 8th failed attempt."""
    with Session(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=OutboxStatus.failed, attempts=8)
        )
        session.commit()


def row(html: str, message_id: int) -> str:
    match = re.search(rf'<tr data-delivery="{message_id}">(.*?)</tr>', html, re.S)
    assert match, html
    return match.group(1)


def test_it_shows_a_failed_delivery_and_sends_it_again(
    client: TestClient, settings: Settings, engine: Engine, clock: MockClock, alice: Account
) -> None:
    failing = WebhookReceiver(fail_first=1).start()
    try:
        channel_id = api_channel(client, alice, failing.url + "/hook", name="ops bridge")
        message = send_test(client, alice, channel_id)
        deliver_all(settings, engine, clock)  # the receiver answers 500

        web_log_in(client, alice.email)
        waiting = row(client.get("/outbox").text, message["id"])
        assert "webhook ops bridge" in waiting and "devday test: ops bridge" in waiting
        assert "waiting for retry" in waiting and "HTTP 500 from 127.0.0.1" in waiting
        give_up(engine, message["id"])
        page = client.get("/outbox").text
        failed = row(page, message["id"])
        assert "<strong>failed</strong>" in failed and "HTTP 500 from 127.0.0.1" in failed
        assert "Retry now" in failed

        retried = client.post(
            f"/outbox/{message['id']}/retry",
            data={"csrf_token": csrf_from(page)},
            follow_redirects=False,
        )
        assert retried.status_code == 303, retried.text
        after = client.get(retried.headers["location"]).text
        assert "Sending it again now" in after
        assert "<strong>queued</strong>" in row(after, message["id"])
        deliver_all(settings, engine, clock)
        sent = row(client.get("/outbox").text, message["id"])
        assert "<strong>sent</strong>" in sent and "Retry now" not in sent
    finally:
        failing.stop()
    assert [r.headers["X-Devday-Delivery"] for r in failing.received] == [
        message["delivery_id"]
    ] * 2
    [read] = client.get("/api/v1/outbox", headers=alice.headers).json()
    assert (read["status"], read["attempts"], read["last_error"]) == ("delivered", 1, None)


def test_it_lets_only_managers_retry_a_teams_delivery(
    client: TestClient, engine: Engine, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice)
    added = client.post(
        f"/api/v1/teams/{team_id}/members",
        json={"email": bob.email, "role": "member"},
        headers=alice.headers,
    )
    assert added.status_code == 201, added.text
    channel_id = api_channel(client, alice, "https://chat.example.com/h", team_id=team_id)
    message = send_test(client, alice, channel_id)
    give_up(engine, message["id"])
    mallory = sign_up(client, "Mallory")

    web_log_in(client, bob.email)
    page = client.get("/outbox").text
    assert "Retry now" not in row(page, message["id"])  # he sees it, but may not retry it
    refused = client.post(f"/outbox/{message['id']}/retry", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 403 and "Retry:" in refused.text
    stranger = client.post(f"/api/v1/outbox/{message['id']}/retry", headers=mallory.headers)
    assert stranger.status_code == 404
    member = client.post(f"/api/v1/outbox/{message['id']}/retry", headers=bob.headers)
    assert member.status_code == 403

    manager = client.post(f"/api/v1/outbox/{message['id']}/retry", headers=alice.headers)
    assert manager.status_code == 202, manager.text
    assert (manager.json()["status"], manager.json()["attempts"]) == ("pending", 0)
    again = client.post(f"/api/v1/outbox/{message['id']}/retry", headers=alice.headers)
    assert again.status_code == 409  # queued, not failed: nothing to retry


def test_it_says_when_nothing_was_sent_yet(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    page = client.get("/outbox")
    assert page.status_code == 200
    assert "Nothing sent yet" in page.text
