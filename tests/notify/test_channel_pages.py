"""The channels section of Settings, as it concerns what this server can send."""

from __future__ import annotations

from fastapi.testclient import TestClient

from devday.config import Settings
from tests.factories import Account, web_log_in


def test_it_says_plainly_on_the_channels_page_when_email_is_not_set_up(
    client: TestClient, settings: Settings, alice: Account
) -> None:
    web_log_in(client, alice.email)
    page = client.get("/settings/channels").text
    assert 'id="no-email"' in page and "Email is not set up on this server" in page
    assert "DEVDAY_SMTP_URL" in page
    settings.smtp_url = "smtp://mail.example.com:587?from=devday@example.com"
    assert 'id="no-email"' not in client.get("/settings/channels").text
