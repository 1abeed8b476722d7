"""Apprise channels: an Apprise URL as the target, delivered through the same outbox, with the
outbound guard checking the service's host before Apprise connects to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.config import Settings
from devday.netguard import STRICT, OutboundPolicy
from devday.notify.apprise_target import endpoint, masked
from devday.notify.delivery import AppriseSender, DeliveryError, Outgoing
from devday.notify.models import ChannelKind
from devday.wiring import build_worker
from tests.checks.servers import Route, http_server
from tests.factories import Account, csrf_from, sign_up, web_log_in
from tests.notify.support import WebhookReceiver, free_port


@pytest.fixture
def ntfy() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(status=200).start()  # ntfy's answer: a 200
    yield server
    server.stop()


def port_of(receiver: WebhookReceiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1])


def add(client: TestClient, owner: Account, target: str) -> Any:
    body = {"kind": "apprise", "name": "phone", "target": target}
    return client.post("/api/v1/channels", json=body, headers=owner.headers)


def deliver_all(settings: Settings, engine: Engine, clock: MockClock) -> None:
    worker = build_worker(settings=settings, engine=engine, clock=clock, worker_id="w")
    try:
        worker.run_once()
    finally:
        worker.close()


def test_it_delivers_an_apprise_channel_through_the_outbox(
    strict: TestClient,
    strict_settings: Settings,
    engine: Engine,
    clock: MockClock,
    ntfy: WebhookReceiver,
) -> None:
    alice = sign_up(strict, "Alice")
    strict_settings.outbound_allow = "127.0.0.1"
    json_hook = add(strict, alice, f"json://127.0.0.1:{port_of(ntfy)}/devday")
    topic = add(strict, alice, f"ntfy://127.0.0.1:{port_of(ntfy)}/deploys")
    assert json_hook.status_code == 201, json_hook.text
    assert topic.status_code == 201, topic.text
    assert json_hook.json()["target"] == f"json://127.0.0.1:{port_of(ntfy)}/…"
    for channel in (json_hook.json(), topic.json()):
        sent = strict.post(f"/api/v1/channels/{channel['id']}/test", json={}, headers=alice.headers)
        assert sent.status_code == 202, sent.text
    deliver_all(strict_settings, engine, clock)

    by_path = {r.path: r for r in ntfy.received}
    assert sorted(by_path) == ["/", "/devday"]
    outbox = strict.get("/api/v1/outbox", headers=alice.headers).json()
    assert [m["status"] for m in outbox] == ["delivered", "delivered"]
    json_id = next(m["delivery_id"] for m in outbox if m["channel_id"] == json_hook.json()["id"])
    assert by_path["/devday"].headers["X-Devday-Delivery"] == json_id
    assert by_path["/devday"].json()["title"] == "devday test: phone"
    assert by_path["/devday"].json()["message"].startswith("This is a test of the devday channel")
    assert by_path["/"].json()["topic"] == "deploys"
    assert by_path["/"].json()["title"] == "devday test: phone"


def test_it_refuses_a_loopback_apprise_url_unless_allowed(
    strict: TestClient, strict_settings: Settings, ntfy: WebhookReceiver
) -> None:
    alice = sign_up(strict, "Alice")
    refused = add(strict, alice, f"ntfy://127.0.0.1:{port_of(ntfy)}/deploys")
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "target"
    assert "127.0.0.1 is a loopback address" in error["message"]
    assert "DEVDAY_OUTBOUND_ALLOW" in error["message"]

    web_log_in(strict, alice.email)
    token = csrf_from(strict.get("/settings/channels").text)
    form = {"kind": "apprise", "name": "phone", "csrf_token": token}
    page = strict.post(
        "/settings/channels", data={**form, "target": f"json://127.0.0.1:{port_of(ntfy)}/x"}
    )
    assert page.status_code == 422
    assert 'id="channel-target-error"' in page.text
    assert "127.0.0.1 is a loopback address" in page.text
    assert ntfy.received == []


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "windows://", "dbus://", "syslog://", "https://example.com/", "json://"],
)
def test_it_refuses_apprise_schemes_it_cannot_check(
    strict: TestClient, strict_settings: Settings, target: str
) -> None:
    alice = sign_up(strict, "Alice")
    strict_settings.allow_private_urls = True
    refused = add(strict, alice, target)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "target"
    assert "devday does not send to" in error["message"] or "cannot read" in error["message"]


def test_it_checks_the_host_again_when_it_delivers(ntfy: WebhookReceiver) -> None:
    message = Outgoing(
        delivery_id="1" * 32,
        kind=ChannelKind.apprise,
        target=f"json://127.0.0.1:{port_of(ntfy)}/x",
        secret="s",
        subject="Deadline at risk",
        text="**Ship the API** is due at 17:00.",
        html=None,
        payload={},
        team_id=7,
    )
    with pytest.raises(DeliveryError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        AppriseSender(timeout=5, outbound=STRICT).deliver(message)
    other_team = OutboundPolicy.of(allow_private=False, allow="8=127.0.0.1")
    with pytest.raises(DeliveryError, match="refused"):
        AppriseSender(timeout=5, outbound=other_team).deliver(message)
    assert ntfy.received == []
    this_team = OutboundPolicy.of(allow_private=False, allow="7=127.0.0.1")
    AppriseSender(timeout=5, outbound=this_team).deliver(message)
    [received] = ntfy.received
    assert received.json()["message"] == "**Ship the API** is due at 17:00."


def test_it_fails_the_attempt_when_the_service_does_not_answer() -> None:
    closed = Outgoing(
        delivery_id="2" * 32,
        kind=ChannelKind.apprise,
        target=f"ntfy://127.0.0.1:{free_port()}/deploys",
        secret="s",
        subject="s",
        text="t",
        html=None,
        payload={},
    )
    with pytest.raises(DeliveryError, match=r"ntfy:// to 127\.0\.0\.1:\d+ failed"):
        AppriseSender(timeout=5).deliver(closed)
    with pytest.raises(DeliveryError, match="does not send to file://"):
        AppriseSender(timeout=5).deliver(replace(closed, target="file:///tmp/devday"))


def test_it_knows_where_each_service_connects() -> None:
    assert endpoint("discord://1234/token").url == "https://discord.com:443/"
    assert endpoint("ntfy://deploys").url == "https://ntfy.sh:443/"
    assert endpoint("ntfys://ntfy.example.com/deploys").url == "https://ntfy.example.com:443/"
    assert endpoint("gotify://push.example.com:8008/TOKEN").url == "http://push.example.com:8008/"
    assert endpoint("json://[::1]:9000/x").url == "http://[::1]:9000/"
    assert masked("tgram://123456:SECRET/987") == "tgram://…"
    assert masked("gotifys://push.example.com/SECRET") == "gotifys://push.example.com:443/…"


def test_it_does_not_follow_a_redirect_where_the_guard_would_not_go(
    ntfy: WebhookReceiver,
) -> None:
    # The allowed endpoint answers 307 to another port on loopback that is not allowed:
    # Apprise's library would follow it; the guard refuses the second connection.
    inside = port_of(ntfy)
    moved = [("Location", f"http://127.0.0.1:{inside}/x"), ("Content-Length", "0")]
    routes: dict[str, Route] = {"/x": (307, moved, b"")}
    with http_server(routes) as door:
        message = Outgoing(
            delivery_id="3" * 32,
            kind=ChannelKind.apprise,
            target=f"json://127.0.0.1:{door.port}/x",
            secret="s",
            subject="Deadline at risk",
            text="text",
            html=None,
            payload={},
            team_id=7,
        )
        only_the_door = OutboundPolicy.of(allow_private=False, allow=f"7=127.0.0.1:{door.port}")
        with pytest.raises(DeliveryError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
            AppriseSender(timeout=5, outbound=only_the_door).deliver(message)
        assert ntfy.received == []
        both = f"7=127.0.0.1:{door.port}, 7=127.0.0.1:{inside}"
        both_allowed = OutboundPolicy.of(allow_private=False, allow=both)
        AppriseSender(timeout=5, outbound=both_allowed).deliver(message)
    [received] = ntfy.received
    assert received.json()["title"] == "Deadline at risk"
