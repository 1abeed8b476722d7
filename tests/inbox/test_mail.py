"""Mail into the inbox over real servers on loopback: devday's SMTP receiver (aiosmtpd) fed by
smtplib, and a real IMAP4rev1 server polled with imaplib."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.db import make_session_factory, transaction
from devday.inbox import jobs as inbox_jobs
from devday.inbox import mail
from devday.inbox.models import InboxItem
from devday.jobs.models import ScheduledJob
from devday.netguard import OutboundPolicy
from devday.notify.models import OutboxMessage
from devday.wiring import job_registry
from tests.factories import Account, api_team
from tests.inbox.imap_server import ImapServer, Mailbox
from tests.inbox.support import inbox
from tests.jobs.support import make_worker
from tests.notify.support import free_port


def a_mail(
    subject: str = "Export to CSV times out",
    body: str = "Hi, the export has timed out since Friday. Can you fix it by Thu?",
    *,
    message_id: str | None = "<m1@customer.example>",
    html: str | None = None,
    sender: str = "Dana Client <dana@customer.example>",
    to: str = "backend@devday.test",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if html is None:
        message.set_content(body)
    else:
        message.set_content(html, subtype="html")
    return bytes(message)


def set_up(client: TestClient, owner: Account, team_id: int, **fields: Any) -> dict[str, Any]:
    current = client.get(f"/api/v1/teams/{team_id}/inbox", headers=owner.headers).json()
    body = {**fields}
    if current["version"] is not None:
        body["version"] = current["version"]
    response = client.patch(f"/api/v1/teams/{team_id}/inbox", json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


# --- parsing --------------------------------------------------------------------------------


def test_it_prefers_the_plain_text_part() -> None:
    message = EmailMessage()
    message["From"] = '"Dana" <Dana@Customer.example>'
    message["Subject"] = "Help"
    message.set_content("plain words")
    message.add_alternative("<p>html <b>words</b></p>", subtype="html")
    parsed = mail.parse(bytes(message))
    assert (parsed.sender_email, parsed.sender_name, parsed.body) == (
        "dana@customer.example",
        "Dana",
        "plain words",
    )
    assert parsed.message_id.startswith("<sha256:")  # no Message-ID: a digest keys it


def test_it_strips_html_when_there_is_only_html() -> None:
    raw = a_mail(html="<p>Hello &amp; welcome</p><script>alert(1)</script><p>Line <i>two</i></p>")
    body = mail.parse(raw).body
    assert body == "Hello & welcome\nLine two"


def test_it_marks_automatic_replies() -> None:
    assert mail.parse(a_mail(Auto_Submitted="auto-replied")).automatic
    assert mail.parse(a_mail(X_Devday_Delivery="abc")).automatic
    assert not mail.parse(a_mail()).automatic


# --- SMTP --------------------------------------------------------------------------------


@pytest.fixture
def receiver(app: FastAPI, engine: Engine, clock: MockClock) -> Iterator[int]:
    port = free_port()
    stop = mail.start_receiver(
        factory=make_session_factory(engine, writer=True),
        clock=clock,
        listen=f"127.0.0.1:{port}",
        domain="devday.test",
    )
    yield port
    stop()


def test_it_takes_mail_on_its_own_smtp_port(
    client: TestClient, alice: Account, bob: Account, receiver: int, engine: Engine
) -> None:
    team = api_team(client, alice, members=[bob])
    setup = set_up(client, alice, team, slug="backend")
    assert setup["slug"] == "backend"
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        for wrong in ("nobody@devday.test", "backend@elsewhere.test"):
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("dana@customer.example", [wrong], a_mail())
        smtp.sendmail("dana@customer.example", ["backend@devday.test"], a_mail())
        smtp.sendmail("dana@customer.example", ["Backend+help@devday.test"], a_mail())  # again

    [item] = inbox(client, bob)
    assert item["source"] == "email" and item["team_id"] == team
    assert item["sender_email"] == "dana@customer.example" and item["sender_name"] == "Dana Client"
    assert item["subject"] == "Export to CSV times out"
    assert item["suggestion"]["deadline"] == "2026-12-03T17:00:00Z"

    accepted = client.post(
        f"/api/v1/inbox/{item['id']}/decline",
        json={"reply": "Fixed in 2.15, out tomorrow.", "version": item["version"]},
        headers=bob.headers,
    )
    assert accepted.status_code == 200, accepted.text
    with Session(engine) as session:
        [reply] = session.scalars(select(OutboxMessage)).all()
    assert (reply.kind, reply.target, reply.team_id) == ("email", "dana@customer.example", team)
    assert reply.subject == "Re: Export to CSV times out"
    assert "Fixed in 2.15, out tomorrow." in reply.text


def test_it_refuses_every_address_until_an_inbox_has_that_slug(
    receiver: int, client: TestClient, alice: Account
) -> None:
    api_team(client, alice)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("x@customer.example", ["backend@devday.test"], a_mail())


# --- IMAP --------------------------------------------------------------------------------


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, ImapServer]]:
    box = Mailbox(user="requests", password='pa ss"word')
    server = ImapServer(box).start()
    yield box, server
    server.stop()


def imap_team(client: TestClient, alice: Account, bob: Account, port: int, **extra: Any) -> int:
    team = api_team(client, alice, members=[bob])
    fields = {
        "imap_enabled": True,
        "imap_host": "127.0.0.1",
        "imap_port": port,
        "imap_tls": False,
        "imap_user": "requests",
        "imap_password": 'pa ss"word',
        **extra,
    }
    result = set_up(client, alice, team, **fields)
    assert result["imap_password_set"] is True and "imap_password" not in result
    return team


def test_it_polls_an_imap_mailbox_without_losing_or_doubling_a_mail(
    client: TestClient,
    alice: Account,
    bob: Account,
    mailbox: tuple[Mailbox, ImapServer],
) -> None:
    box, server = mailbox
    team = imap_team(client, alice, bob, server.port)
    box.deliver(a_mail())
    box.deliver(a_mail("Invoice PDF is blank", "Since today.", message_id="<m2@x>"))
    box.deliver(
        a_mail("Out of office", "Back Monday", message_id="<m3@x>", Auto_Submitted="auto-replied")
    )

    first = client.post(f"/api/v1/teams/{team}/inbox/poll", headers=bob.headers).json()
    assert first == {"fetched": 3, "new": 2, "error": None}
    # Not marked seen until stored by a poll before this one (the auto-reply at once).
    assert box.unseen() == 2
    second = client.post(f"/api/v1/teams/{team}/inbox/poll", headers=bob.headers).json()
    assert second == {"fetched": 2, "new": 0, "error": None}
    assert box.unseen() == 0
    box.deliver(a_mail())  # the same mail again, e.g. moved back to the inbox
    third = client.post(f"/api/v1/teams/{team}/inbox/poll", headers=bob.headers).json()
    assert third == {"fetched": 1, "new": 0, "error": None}

    subjects = sorted(i["subject"] for i in inbox(client, alice))
    assert subjects == ["Export to CSV times out", "Invoice PDF is blank"]
    assert "LOGOUT" in box.commands and "STORE" in box.commands
    setup = client.get(f"/api/v1/teams/{team}/inbox", headers=bob.headers).json()
    assert setup["last_polled_at"] == "2026-11-30T09:00:00Z" and setup["last_error"] is None


def test_it_keeps_the_error_when_the_mailbox_refuses(
    client: TestClient,
    alice: Account,
    bob: Account,
    mailbox: tuple[Mailbox, ImapServer],
) -> None:
    box, server = mailbox
    team = imap_team(client, alice, bob, server.port, imap_password="wrong")
    box.deliver(a_mail())
    result = client.post(f"/api/v1/teams/{team}/inbox/poll", headers=bob.headers).json()
    assert result["new"] == 0 and "check imap_user and imap_password" in result["error"]
    assert "AUTHENTICATIONFAILED" not in result["error"]  # the server's own words stay out
    setup = client.get(f"/api/v1/teams/{team}/inbox", headers=bob.headers).json()
    assert setup["last_error"] == result["error"]
    assert inbox(client, alice) == []


def test_it_polls_on_schedule_through_the_worker(
    client: TestClient,
    alice: Account,
    bob: Account,
    mailbox: tuple[Mailbox, ImapServer],
    engine: Engine,
    clock: MockClock,
) -> None:
    box, server = mailbox
    team = imap_team(client, alice, bob, server.port, poll_minutes=10)
    box.deliver(a_mail())
    # The worker's own server setting, not the app's: loopback allowed by the allow-list.
    allowed = OutboundPolicy.of(allow_private=False, allow=f"127.0.0.1:{server.port}")
    worker = make_worker(engine, clock, web=None, registry=job_registry(outbound=allowed))  # type: ignore[arg-type]
    worker.start_up()
    worker.run_once()  # the sweep queues a poll now; the next run does it
    worker.run_once()
    assert [i["subject"] for i in inbox(client, alice)] == ["Export to CSV times out"]
    with Session(engine) as session:
        polls = session.scalars(
            select(ScheduledJob).where(ScheduledJob.kind == inbox_jobs.POLL)
        ).all()
    assert sorted((p.status, p.due_at) for p in polls) == [
        ("done", clock.now()),
        ("pending", clock.now() + timedelta(minutes=10)),
    ]
    assert all(p.team_id == team for p in polls)


def test_it_stores_one_item_when_two_deliveries_race(
    client: TestClient, alice: Account, engine: Engine, clock: MockClock
) -> None:
    team = api_team(client, alice)
    set_up(client, alice, team, slug="backend")
    handler = mail.InboxHandler(make_session_factory(engine, writer=True), clock, "")
    assert len(handler.deliver(a_mail(), ["backend@anything.example"])) == 1
    assert handler.deliver(a_mail(), ["backend@anything.example"]) == []
    with transaction(make_session_factory(engine)) as session:
        assert len(session.scalars(select(InboxItem)).all()) == 1
