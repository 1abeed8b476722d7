"""devday ask and devday inbox, in-process over the test database."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
import uvicorn
from typer.testing import Result

from tests.cli.conftest import Run, create_user, ok, rows
from tests.notify.support import free_port


def error_of(result: Result) -> str:
    assert result.exit_code == 1, result.output
    return str(result.stderr)


def team(run: Run) -> None:
    create_user(run, "alex@example.com")
    create_user(run, "alice@example.com")
    create_user(run, "priya@example.com")
    ok(run("--user", "alex@example.com", "team", "create", "Backend"))
    for email in ("alice@example.com", "priya@example.com"):
        ok(run("--user", "alex@example.com", "team", "add", "Backend", email))


def test_it_asks_a_teammate_and_triages_from_the_terminal(run: Run) -> None:
    team(run)
    alex = ("--user", "alex@example.com")
    alice = ("--user", "alice@example.com")
    assert ok(run(*alex, "ask", "alice", "Can you review the auth PR by Thu?")) == (
        "asked Alice: request #1 Can you review the auth PR by Thu?\n"
    )
    assert ok(run(*alex, "ask", "backend", "Staging is slow\nSince 9:00.")) == (
        "asked team Backend: request #2 Staging is slow\n"
    )
    listed = rows(ok(run(*alice, "inbox")))
    assert listed == [
        "2 Mon 30 Nov 10:00 Alex Staging is slow open",
        "1 Mon 30 Nov 10:00 Alex Can you review the auth PR by Thu? open Thu 03 Dec 18:00",
    ]
    shown = ok(run(*alice, "inbox", "show", "2"))
    assert "Since 9:00." in shown and "the team (unassigned)" in shown

    accepted = ok(run(*alice, "inbox", "accept", "1", "-i", "P2", "--estimate", "45m"))
    assert accepted == (
        "accepted #1 as task #1 P2 Can you review the auth PR by Thu?, due Thu 03 Dec 18:00\n"
    )
    assert "Requested by Alex <alex@example.com>" in ok(run(*alice, "task", "show", "1"))
    assert ok(run(*alice, "inbox", "snooze", "2", "tomorrow")) == (
        "snoozed #2 until Tue 01 Dec 09:00\n"
    )
    assert rows(ok(run(*alice, "inbox", "--snoozed")))[0].startswith("2 ")
    assert ok(run(*alice, "inbox")) == "inbox zero: nothing waits for you\n"
    assert ok(run(*alice, "inbox", "forward", "2", "priya", "--note", "yours?")) == (
        "forwarded #2 to Priya\n"
    )
    priya = ("--user", "priya@example.com")
    assert ok(run(*priya, "inbox", "decline", "2", "It was the CDN; fixed.")).startswith(
        "declined #2 Staging is slow"
    )
    found = rows(ok(run(*alice, "inbox", "search", "staging")))
    assert found == ["2 Mon 30 Nov 10:00 Alex Staging is slow declined"]
    history = ok(run(*alice, "inbox", "show", "2"))
    assert "forwarded to Priya by Alice: yours?" in history
    assert "declined by Priya: It was the CDN; fixed." in history
    assert rows(ok(run(*alex, "inbox", "--sent"))) != []


def test_it_says_what_is_wrong(run: Run) -> None:
    team(run)
    alex = ("--user", "alex@example.com")
    assert error_of(run(*alex, "ask", "zed", "hello")) == (
        "error: no teammate or team 'zed'; see 'devday team members TEAM'\n"
    )
    ok(run(*alex, "ask", "alice@example.com", "Hello"))
    assert error_of(run(*alex, "inbox", "decline", "1", "no")) == (
        "error: only its recipient can decline this request\n"
    )
    assert error_of(run(*alex, "inbox", "show", "9")) == "error: inbox item 9 not found\n"


def test_it_sets_up_a_teams_inbox(run: Run) -> None:
    team(run)
    alex = ("--user", "alex@example.com")
    out = ok(
        run(
            *alex,
            "inbox",
            "setup",
            "Backend",
            "--slug",
            "backend",
            "--help-form",
            "--imap-host",
            "imap.example.com",
            "--imap-user",
            "req",
            "--imap-password-stdin",
            input="s3cret\n",
        )
    )
    assert "help form: /help/backend" in out and "password:  set" in out
    assert "s3cret" not in ok(run(*alex, "inbox", "setup", "Backend", "--json"))
    assert error_of(
        run("--user", "alice@example.com", "inbox", "setup", "Backend", "--slug", "x")
    ) == ("error: only the team's owners and managers set up its inbox\n")


def test_it_receives_mail_while_devday_serve_runs(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    team(run)
    alex = ("--user", "alex@example.com")
    ok(run(*alex, "inbox", "setup", "Backend", "--slug", "backend"))
    port = free_port()
    monkeypatch.setenv("DEVDAY_SMTP_LISTEN", f"127.0.0.1:{port}")
    monkeypatch.setenv("DEVDAY_INBOX_DOMAIN", "devday.test")
    answers: list[dict[str, tuple[int, bytes]]] = []

    def fake_run(app: Any, **options: Any) -> None:
        message = EmailMessage()
        message["From"] = "Dana <dana@customer.example>"
        message["To"] = "backend@devday.test"
        message["Subject"] = "Invoices are blank"
        message.set_content("Since this morning.")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            answers.append(smtp.send_message(message))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    served = run("serve", "--no-demo", "--no-worker")
    assert served.exit_code == 0, served.output
    assert f"receiving mail for team inboxes on 127.0.0.1:{port}" in served.output
    assert answers == [{}]  # accepted for its one recipient
    [listed] = rows(ok(run(*alex, "inbox")))  # received now, by the server's own clock
    assert listed.startswith("1 ") and listed.endswith(" Dana (email) Invoices are blank open")
    with pytest.raises(ConnectionRefusedError):  # stopped with the server
        smtplib.SMTP("127.0.0.1", port, timeout=2)
