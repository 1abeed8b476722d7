"""Invitations by email: devday mails the link through the outbox to a real SMTP server on
loopback; the invitee follows the link from the mail, signs up and joins. Without an outgoing
mail server the page says so and offers a link to copy."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.jobs.runner import Worker
from devday.notify.delivery import Deliverers, SmtpConfig, SmtpMailer, WebhookSender
from devday.team.models import Invitation
from devday.wiring import job_registry, writer_sessions
from tests.factories import Account, api_team, csrf_from, sign_up, web_log_in
from tests.notify.support import SmtpRecorder, free_port
from tests.team.test_pages import post, roles

PUBLIC = "https://devday.example.com"


class Mail:
    """An SMTP server on 127.0.0.1 (started on demand, so a test can have it down first) and
    the worker that delivers the outbox to it."""

    def __init__(self, engine: Engine, clock: MockClock) -> None:
        self.port = free_port()
        self.recorder = SmtpRecorder()
        self.url = f"smtp://127.0.0.1:{self.port}?from=devday@example.com"
        mailer = SmtpMailer(SmtpConfig.from_url(self.url, timeout=5))
        deliverers = Deliverers(web=WebhookSender(timeout=5), email=mailer)
        self.worker = Worker(
            writer_sessions(engine, clock), deliverers, job_registry(), clock, "test-worker"
        )
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def deliver(self) -> None:
        for _ in range(20):
            if not self.worker.run_once():
                return
        raise AssertionError("the worker never ran out of work")

    def links(self, to: str) -> list[str]:
        """The join links in the mails received for ``to``."""
        found = []
        for _sender, recipients, raw in self.recorder.messages:
            if to in recipients:
                message = email.message_from_bytes(raw, policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                found += re.findall(r"https://\S+/join/\S+", body.get_content())
        return found

    def close(self) -> None:
        self.worker.close()
        if self.controller is not None:
            self.controller.stop()


@pytest.fixture
def mail(app: FastAPI, engine: Engine, clock: MockClock) -> Iterator[Mail]:
    server = Mail(engine, clock)
    settings = app.state.devday.settings
    settings.smtp_url = server.url
    settings.public_url = PUBLIC
    yield server
    server.close()


def invite_page(client: TestClient, team_id: int, **form: str) -> str:
    made = post(client, f"/teams/{team_id}", f"/teams/{team_id}/invitations", **form)
    assert made.status_code == 201, made.text
    return made.text


def test_it_emails_the_link_and_the_invitee_signs_up_and_joins_through_it(
    client: TestClient, alice: Account, mail: Mail
) -> None:
    mail.start()
    team_id = api_team(client, alice)
    web_log_in(client, alice.email)
    page = client.get(f"/teams/{team_id}").text
    assert 'id="invite-email"' in page and 'id="no-email"' not in page
    made = invite_page(client, team_id, email="dana@example.com", role="manager")
    assert "Invitation emailed to dana@example.com" in made
    assert 'id="invite-link"' not in made  # the email is the one copy of the link
    assert "manager, emailed to dana@example.com, expires" in made

    mail.deliver()
    [(sender, recipients, raw)] = mail.recorder.messages
    assert (sender, recipients) == ("devday@example.com", ["dana@example.com"])
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Join Backend on devday"
    [link] = mail.links("dana@example.com")
    assert link.startswith(f"{PUBLIC}/join/")  # the public address, not the request's Host
    outbox = client.get("/outbox").text
    row = re.search(r"<tr data-delivery.*?</tr>", outbox, re.S)
    assert row and "email to dana@example.com" in row.group(0) and "Join Backend" in row.group(0)
    assert "<strong>sent</strong>" in row.group(0)

    client.cookies.clear()
    path = link.removeprefix(PUBLIC)
    invited = client.get(path)
    assert invited.status_code == 200 and "Join Backend" in invited.text
    assert 'id="email" name="email" type="email"' in invited.text
    assert 'value="dana@example.com"' in invited.text  # the address it was sent to, filled in
    signed_up = client.post(
        f"{path}/signup",
        data={
            "csrf_token": csrf_from(invited.text),
            "name": "Dana",
            "email": "dana@example.com",
            "password": "correct horse battery staple",
            "timezone": "Europe/Lisbon",
        },
        follow_redirects=False,
    )
    assert signed_up.status_code == 303 and signed_up.headers["location"] == path
    confirm = client.get(path)
    joined = client.post(path, data={"csrf_token": csrf_from(confirm.text)}, follow_redirects=False)
    assert joined.status_code == 303 and joined.headers["location"] == f"/team/{team_id}"
    assert roles(client, alice, team_id)["dana@example.com"] == "manager"

    client.cookies.clear()
    used = client.get(path)
    assert used.status_code == 410 and "already been used" in used.text
    assert "This invitation link does not work" in used.text


def test_it_retries_an_invitation_email_that_failed_from_the_outbox(
    client: TestClient, alice: Account, bob: Account, mail: Mail, clock: MockClock
) -> None:
    team_id = api_team(client, alice, members=[(bob, "member")])
    web_log_in(client, alice.email)
    invite_page(client, team_id, email="dana@example.com")
    mail.deliver()  # nothing listens yet: the attempt fails
    assert mail.recorder.messages == []
    outbox = client.get("/outbox").text
    row = re.search(r"<tr data-delivery=\"(\d+)\".*?</tr>", outbox, re.S)
    assert row and "waiting for retry" in row.group(0) and "Retry now" in row.group(0)

    # A member sees the team's message but may not resend it; an owner or manager may.
    client.cookies.clear()
    web_log_in(client, bob.email)
    as_member = client.get("/outbox").text
    assert "email to dana@example.com" in as_member and "Retry now" not in as_member

    client.cookies.clear()
    web_log_in(client, alice.email)
    mail.start()
    retried = post(client, "/outbox", f"/outbox/{row.group(1)}/retry")
    assert retried.status_code == 303
    mail.deliver()
    [link] = mail.links("dana@example.com")
    carol = sign_up(client, "Carol")
    token = link.rsplit("/", 1)[1]
    joined = client.post(f"/api/v1/invitations/{token}/accept", headers=carol.headers)
    assert joined.status_code == 200 and joined.json()["my_role"] == "member"


def test_it_emails_an_invitation_through_the_api_and_the_link_expires(
    client: TestClient, alice: Account, bob: Account, mail: Mail, clock: MockClock
) -> None:
    mail.start()
    team_id = api_team(client, alice)
    made = client.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"email": "Dana@Example.com", "role": "member"},
        headers=alice.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["emailed"] is True and made.json()["email"] == "Dana@example.com"
    outbox = client.get("/api/v1/outbox", headers=alice.headers).json()
    assert [(m["subject"], m["team_id"]) for m in outbox] == [("Join Backend on devday", team_id)]
    mail.deliver()
    [link] = mail.links("Dana@example.com")
    assert link.endswith(made.json()["link"])

    clock.advance(timedelta(days=7, minutes=1))
    path = link.removeprefix(PUBLIC)
    web_log_in(client, bob.email)
    late = client.get(path)
    assert late.status_code == 410 and "expired" in late.text
    assert 'id="accept-invitation"' not in late.text
    refused = client.post(f"/api/v1/invitations/{made.json()['token']}/accept", headers=bob.headers)
    assert refused.status_code == 410
    assert bob.email not in roles(client, alice, team_id)


def test_an_inviter_sends_as_many_invitation_emails_as_the_setting_allows(
    app: FastAPI, client: TestClient, alice: Account, mail: Mail, engine: Engine
) -> None:
    app.state.devday.settings.invitation_email_limit_per_user = "2/hour"
    mail.start()
    team_id = api_team(client, alice)

    def invite(**email: str) -> Any:
        return client.post(
            f"/api/v1/teams/{team_id}/invitations",
            json={"role": "member", **email},
            headers=alice.headers,
        )

    sent = [invite(email=f"person{i}@example.com") for i in range(3)]
    assert [r.status_code for r in sent] == [201, 201, 429]
    assert sent[2].json()["detail"] == "you sent many invitation emails just now; try again later"
    assert int(sent[2].headers["Retry-After"]) > 0
    # The refused one left nothing behind: no invitation, no mail in the outbox.
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 2
    outbox = client.get("/api/v1/outbox", headers=alice.headers).json()
    assert len(outbox) == 2
    mail.deliver()
    assert not mail.links("person2@example.com")
    assert invite().status_code == 201  # a link to pass on is not an email: not counted


def test_it_says_when_the_server_sends_no_email_and_offers_a_link(
    client: TestClient, engine: Engine, alice: Account
) -> None:
    team_id = api_team(client, alice)
    web_log_in(client, alice.email)
    page = client.get(f"/teams/{team_id}").text
    notice = re.search(r'<p class="hint" id="no-email">(.*?)</p>', page, re.S)
    assert notice and "sends no email" in notice.group(1) and "DEVDAY_SMTP_URL" in notice.group(1)
    assert 'id="invite-email"' not in page

    refused = client.post(
        f"/api/v1/teams/{team_id}/invitations",
        json={"email": "dana@example.com"},
        headers=alice.headers,
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "email"
    assert "sends no email" in refused.json()["detail"]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0

    made = invite_page(client, team_id, role="member")
    link = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', made)
    assert link and "/join/" in link.group(1)


def test_it_shows_a_clear_page_for_a_link_that_never_was(client: TestClient) -> None:
    unknown = client.get("/join/not-a-link-anyone-made")
    assert unknown.status_code == 404
    assert "This invitation link does not work" in unknown.text
    assert "ask for a new link" in unknown.text
