"""The Outbox page in a browser: a delivery the receiver refused shows as failed with its
error, and Retry now sends it again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.config import Settings
from devday.notify.models import OutboxMessage
from devday.wiring import build_worker
from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, screenshot, sign_up
from tests.notify.support import WebhookReceiver
from tests.notify.test_outbox import give_up

pytestmark = pytest.mark.browser


def deliver_all(server: LiveServer, tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key="w", database_url=database_url, allow_private_urls=True
    )
    worker = build_worker(
        settings=settings, engine=server.engine, clock=server.clock, worker_id="w"
    )
    try:
        worker.run_once()
    finally:
        worker.close()


def test_outbox_shows_a_failed_delivery_and_retries_it(
    page: Page, server: LiveServer, tmp_path: Path, database_url: str
) -> None:
    receiver = WebhookReceiver(fail_first=1).start()
    try:
        sign_up(page, "Olive", "olive@example.com")
        page.goto("/settings/channels")
        page.locator("#channel-kind").select_option("webhook")
        page.locator("#channel-name").fill("ops bridge")
        page.locator("#channel-target").fill(receiver.url + "/hook")
        page.get_by_role("button", name="Add channel").click()
        expect(page.get_by_text("Channel added.")).to_be_visible()
        page.get_by_role("button", name="Send a test through ops bridge").click()
        expect(page.get_by_text("Test message queued")).to_be_visible()
        deliver_all(server, tmp_path, database_url)  # the receiver answers 500
        with Session(server.engine) as session:
            message_id = session.scalars(select(OutboxMessage.id)).one()
        give_up(server.engine, message_id)

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
        page.wait_for_url(re.compile(r"/outbox$"))
        row = page.locator(f'tr[data-delivery="{message_id}"]')
        expect(row.locator("td.status")).to_contain_text("failed")
        expect(row.locator("td.status")).to_contain_text("HTTP 500 from 127.0.0.1")
        check_page(page)
        screenshot(page, "outbox")

        row.get_by_role("button", name="Retry devday test: ops bridge now").click()
        expect(page.get_by_text("Sending it again now")).to_be_visible()
        expect(row.locator("td.status")).to_contain_text("queued")
        deliver_all(server, tmp_path, database_url)
        page.reload()
        expect(row.locator("td.status")).to_contain_text("sent")
        expect(row.get_by_role("button")).to_have_count(0)
    finally:
        receiver.stop()
    assert len(receiver.received) == 2
    assert len(set(receiver.delivery_ids())) == 1  # the same delivery id, sent again
