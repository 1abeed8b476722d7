from __future__ import annotations

from fastapi.testclient import TestClient

from devday.netguard import private_target_reason
from devday.notify.delivery import DeliveryError, Outgoing, WebhookSender
from devday.notify.models import ChannelKind
from tests.conftest import Account


def test_it_names_private_and_loopback_targets() -> None:
    for url in (
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "https://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/latest",
        "http://192.168.1.5",
        "http://[::ffff:127.0.0.1]/",
    ):
        assert private_target_reason(url), url
    assert private_target_reason("https://93.184.215.14/hook") is None


def test_it_refuses_a_private_webhook_unless_allowed(
    client: TestClient, app, alice: Account
) -> None:
    app.state.devday.settings.allow_private_urls = False
    refused = client.post(
        "/api/v1/channels",
        headers=alice.headers,
        json={"kind": "webhook", "name": "x", "target": "http://127.0.0.1:9/hook"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "target"
    assert "DEVDAY_ALLOW_PRIVATE_URLS" in refused.json()["detail"]
    email = client.post(
        "/api/v1/channels",
        headers=alice.headers,
        json={"kind": "email", "name": "me", "target": "alice@example.com"},
    )
    assert email.status_code == 201


def test_it_refuses_a_private_target_at_delivery_time() -> None:
    import pytest

    sender = WebhookSender(timeout=1, allow_private=False)
    message = Outgoing(
        delivery_id="0" * 32,
        kind=ChannelKind.webhook,
        target="http://127.0.0.1:9/hook",
        secret="s",
        subject="s",
        text="t",
        html=None,
        payload={},
    )
    with pytest.raises(DeliveryError, match="refused"):
        sender.deliver(message)
    sender.close()
