"""A forgotten password in a real browser: the reset email goes out through a real SMTP server
on loopback; its link sets a new password that logs in, and works once."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from devday.config import Settings
from devday.wiring import build_worker
from tests.browser.conftest import Browsing, LiveServer
from tests.browser.helpers import log_in, log_out, sign_up
from tests.notify.support import SmtpRecorder, free_port

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mail(server: LiveServer) -> Iterator[tuple[str, SmtpRecorder]]:
    """An SMTP server on loopback that keeps what it receives, and the app set to link to
    itself (the link in the email is the one the browser follows)."""
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{controller.port}?from=devday@example.com"
    before = (server.settings.public_url, server.settings.smtp_url)
    server.settings.public_url, server.settings.smtp_url = server.url, smtp_url
    try:
        yield smtp_url, recorder
    finally:
        server.settings.public_url, server.settings.smtp_url = before
        controller.stop()


def deliver_all(server: LiveServer, tmp_path: Path, database_url: str, smtp_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key="w", database_url=database_url, smtp_url=smtp_url
    )
    worker = build_worker(
        settings=settings, engine=server.engine, clock=server.clock, worker_id="w"
    )
    try:
        worker.run_once()
    finally:
        worker.close()


def test_a_reset_link_from_the_email_sets_a_new_password_once(
    page: Page,
    browsing: Browsing,
    server: LiveServer,
    mail: tuple[str, SmtpRecorder],
    tmp_path: Path,
    database_url: str,
) -> None:
    smtp_url, recorder = mail
    sign_up(page, "Rosa", "rosa@example.com")
    log_out(page)

    page.get_by_role("link", name="Reset it").click()  # "Forgot your password?"
    page.wait_for_url(re.compile(r"/reset-password$"))
    expect(page.locator("#no-email")).to_have_count(0)  # this server sends email
    page.locator("#email").fill("rosa@example.com")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_text("a reset link is on its way")).to_be_visible()
    deliver_all(server, tmp_path, database_url, smtp_url)

    [(_sender, recipients, raw)] = recorder.messages
    assert recipients == ["rosa@example.com"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Reset your devday password"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+", body.get_content())
    assert found is not None, body.get_content()
    link = found.group(0)
    assert link.startswith(server.url + "/reset-password/")

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    page.locator("#password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # signed in by the link

    log_out(page)
    log_in(page, "rosa@example.com", NEW_PASSWORD)
    expect(page.locator(".who")).to_have_text("Rosa")
    log_out(page)

    # The link made for the old password is spent: it shows why and offers a new one.
    browsing.problems.expect_status(404, link.removeprefix(server.url))
    page.goto(link)
    expect(page.locator("#password")).to_have_count(0)
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
