"""The team lead's setup in a real browser: create a team and its project, add a task, set the
meeting days, invite by link or by email (to an SMTP server on loopback); a second browser
opens the link (from the mail), signs up, joins and sees the team's task."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from devday.jobs.runner import Worker
from devday.notify.delivery import Deliverers, SmtpConfig, SmtpMailer, WebhookSender
from devday.wiring import job_registry, writer_sessions
from tests.browser.conftest import PASSWORD, Browsing, LiveServer
from tests.browser.helpers import check_page, screenshot, sign_up
from tests.notify.support import SmtpRecorder, free_port

pytestmark = pytest.mark.browser

TASK = "Rotate the staging keys"


def test_a_lead_sets_up_a_team_and_an_invitee_joins_by_link(page: Page, browsing: Browsing) -> None:
    sign_up(page, "Lena", "lena@example.com", timezone="Europe/Berlin")

    page.goto("/teams")
    expect(page.locator("#no-teams")).to_be_visible()
    expect(page.get_by_label("Timezone")).to_have_value("Europe/Berlin")
    check_page(page)
    page.get_by_label("Name").fill("Platform")
    page.get_by_role("button", name="Create team").click()
    expect(page).to_have_url(re.compile(r"/teams/\d+\?saved=created$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform")
    team_url = page.url.split("?")[0]

    page.goto("/projects")
    page.get_by_label("Name").fill("infra")
    page.get_by_label("For").select_option(label="Platform")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("infra")
    check_page(page)
    page.goto("/projects")
    expect(page.locator("main")).to_contain_text("infra")
    screenshot(page, "projects")

    page.goto("/tasks")
    page.locator("form#quick-add input[name=text]").fill(f"{TASK} +infra")
    page.locator("form#quick-add").get_by_role("button", name="Add").click()
    expect(page.locator("table#task-list tr[data-task-id]", has_text=TASK)).to_have_count(1)

    page.goto(team_url)
    page.get_by_label("Role", exact=True).last.select_option("member")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.locator("#invite-link").input_value()
    assert re.search(r"/join/[\w-]+$", link), link
    check_page(page)
    screenshot(page, "team-settings")

    invitee = browsing.new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Platform")
    check_page(invitee)
    signup = invitee.locator("form#join-signup")
    signup.get_by_label("Name").fill("Omar")
    signup.get_by_label("Email").fill("omar@example.com")
    signup.get_by_label("Password").fill(PASSWORD)
    signup.get_by_label("Timezone").select_option("Europe/Lisbon")
    signup.get_by_role("button", name="Sign up").click()
    invitee.get_by_role("button", name="Join Platform as Omar").click()
    expect(invitee).to_have_url(re.compile(r"/team/\d+$"))

    invitee.goto("/tasks")
    expect(invitee.locator("table#task-list tr[data-task-id]", has_text=TASK)).to_have_count(1)

    # The link worked once: opening it again says so (with 410 Gone).
    browsing.problems.expect_status(410, "/join/" + link.rsplit("/", 1)[1])
    invitee.goto(link)
    expect(invitee.locator("#join-gone")).to_contain_text("already been used")

    page.goto(team_url)
    expect(page.locator("table#members")).to_contain_text("omar@example.com")


@pytest.fixture
def mail_server(server: LiveServer) -> Iterator[tuple[SmtpRecorder, Worker]]:
    """An SMTP server on loopback that the live server's outbox delivers to, through a worker
    the test runs; the live server's settings are put back afterwards."""
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    url = f"smtp://127.0.0.1:{controller.port}?from=devday@example.com"
    before = (server.settings.smtp_url, server.settings.public_url)
    server.settings.smtp_url, server.settings.public_url = url, server.url
    deliverers = Deliverers(
        web=WebhookSender(timeout=5), email=SmtpMailer(SmtpConfig.from_url(url, timeout=5))
    )
    worker = Worker(
        writer_sessions(server.engine, server.clock),
        deliverers,
        job_registry(),
        server.clock,
        "browser-mail",
    )
    try:
        yield recorder, worker
    finally:
        worker.close()
        controller.stop()
        server.settings.smtp_url, server.settings.public_url = before


def test_a_lead_invites_by_email_and_the_invitee_joins_from_the_mail(
    page: Page, browsing: Browsing, mail_server: tuple[SmtpRecorder, Worker]
) -> None:
    recorder, worker = mail_server
    sign_up(page, "Lena", "lena@example.com", timezone="Europe/Berlin")
    page.goto("/teams")
    page.get_by_label("Name").fill("Platform")
    page.get_by_role("button", name="Create team").click()
    expect(page).to_have_url(re.compile(r"/teams/\d+\?saved=created$"))
    team_url = page.url.split("?")[0]

    # The team meets Monday to Thursday.
    days = page.locator("fieldset#settings-meeting_days")
    expect(days.get_by_label("Fri")).to_be_checked()
    expect(days.get_by_label("Sat")).not_to_be_checked()
    days.get_by_label("Fri").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(days.get_by_label("Fri")).not_to_be_checked()
    expect(days.get_by_label("Thu")).to_be_checked()

    page.goto("/projects")
    page.get_by_label("Name").fill("infra")
    page.get_by_label("For").select_option(label="Platform")
    page.get_by_role("button", name="Create project").click()
    page.goto("/tasks")
    page.locator("form#quick-add input[name=text]").fill(f"{TASK} +infra")
    page.locator("form#quick-add").get_by_role("button", name="Add").click()
    expect(page.locator("table#task-list tr[data-task-id]", has_text=TASK)).to_have_count(1)

    page.goto(team_url)
    invite = page.locator("form#create-invitation")
    invite.get_by_label("Email (optional)").fill("omar@example.com")
    invite.get_by_label("Role").select_option("member")
    invite.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation emailed to omar@example.com")
    expect(page.locator("#open-invitations")).to_contain_text("emailed to omar@example.com")
    check_page(page)

    for _ in range(10):
        if not worker.run_once():
            break
    [(_sender, recipients, raw)] = recorder.messages
    assert recipients == ["omar@example.com"]
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == "Join Platform on devday"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    [link] = re.findall(r"http://127\.0\.0\.1:\d+/join/\S+", body.get_content())

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    row = page.locator("table#outbox tr[data-delivery]", has_text="Join Platform on devday")
    expect(row).to_contain_text("email to omar@example.com")
    expect(row.locator("td.status")).to_contain_text("sent")

    invitee = browsing.new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Platform")
    signup = invitee.locator("form#join-signup")
    expect(signup.get_by_label("Email")).to_have_value("omar@example.com")
    signup.get_by_label("Name").fill("Omar")
    signup.get_by_label("Password").fill(PASSWORD)
    signup.get_by_role("button", name="Sign up").click()
    invitee.get_by_role("button", name="Join Platform as Omar").click()
    expect(invitee).to_have_url(re.compile(r"/team/\d+$"))
    invitee.goto("/tasks")
    expect(invitee.locator("table#task-list tr[data-task-id]", has_text=TASK)).to_have_count(1)

    page.goto(team_url)
    expect(page.locator("table#members")).to_contain_text("omar@example.com")
    expect(page.locator("#open-invitations")).to_have_count(0)
