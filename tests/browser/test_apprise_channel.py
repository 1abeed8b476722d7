"""An Apprise channel in a browser: added in Settings as an ntfy URL, its test message delivered
to an ntfy-style receiver on loopback, and the Outbox page showing it sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, sign_up
from tests.browser.test_outbox_page import deliver_all
from tests.notify.support import WebhookReceiver

pytestmark = pytest.mark.browser


def test_an_ntfy_channel_from_settings_to_the_receiver(
    page: Page, server: LiveServer, tmp_path: Path, database_url: str
) -> None:
    receiver = WebhookReceiver(status=200).start()  # ntfy answers 200
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    try:
        sign_up(page, "Nia", "nia@example.com")
        page.goto("/settings/channels")
        page.locator("#channel-kind").select_option("apprise")
        page.locator("#channel-name").fill("deploys")
        page.locator("#channel-target").fill(f"ntfy://127.0.0.1:{port}/deploys")
        page.get_by_role("button", name="Add channel").click()
        expect(page.get_by_text("Channel added.")).to_be_visible()
        row = page.locator("tr", has_text="deploys")
        expect(row).to_contain_text(f"ntfy://127.0.0.1:{port}/…")  # the topic is not shown
        row.get_by_role("button", name="Send a test through deploys").click()
        expect(page.get_by_text("Test message queued")).to_be_visible()

        deliver_all(server, tmp_path, database_url)

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
        page.wait_for_url(re.compile(r"/outbox$"))
        sent = page.locator("tr[data-delivery]", has_text="deploys")
        expect(sent.locator("td.status")).to_contain_text("sent")
        check_page(page)
    finally:
        receiver.stop()
    (received,) = receiver.received  # ntfy's JSON publish: the topic in the body
    assert received.path == "/"
    assert received.json()["topic"] == "deploys"
    assert received.json()["title"] == "devday test: deploys"
    assert received.json()["message"].startswith("This is a test of the devday channel")
