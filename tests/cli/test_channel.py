"""devday channel and devday outbox, in-process."""

from __future__ import annotations

from sqlalchemy import Engine, update
from typer.testing import Result

from devday.notify.models import OutboxMessage, OutboxStatus
from tests.cli.conftest import Run, create_user, ok, rows

HOOK = "https://hooks.slack.com/services/T000/B000/SECRET"


def error_of(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return str(result.stderr)


def test_it_adds_lists_and_removes_channels(run: Run) -> None:
    create_user(run, "alex@example.com")
    ok(run("team", "create", "Backend"))

    webhook = run("channel", "add", "webhook", "https://ops.example.com/hook", "--name", "ops")
    out = ok(webhook).splitlines()
    assert out[0] == "added channel #1: webhook 'ops' to https://ops.example.com/\u2026"
    assert out[1].startswith("secret: ") and len(out[1].removeprefix("secret: ")) == 64
    assert webhook.stderr.startswith("warning: store the secret now; it is not shown again.")

    slack = run("channel", "add", "slack", HOOK, "-n", "#backend", "--team", "backend")
    assert ok(slack) == "added channel #2: slack '#backend' to https://hooks.slack.com/\u2026\n"
    assert slack.stderr == ""  # only a generic webhook has a secret to keep
    ok(run("channel", "add", "email", " Alex@Example.com ", "--name", "inbox"))

    assert rows(ok(run("channel", "list"))) == [
        "1 webhook ops https://ops.example.com/… yours",
        "2 slack #backend https://hooks.slack.com/… team Backend",
        "3 email inbox Alex@example.com yours",
    ]
    assert HOOK not in ok(run("channel", "list", "--json"))  # a chat webhook URL is a secret

    assert ok(run("channel", "rm", "1")) == "removed channel #1\n"
    assert error_of(run("channel", "rm", "1")) == "error: channel not found\n"
    assert error_of(run("channel", "add", "email", "not an address", "--name", "x")).startswith(
        "error: target: not an email address: "
    )
    assert error_of(run("channel", "add", "webhook", "ftp://x.example", "--name", "x")) == (
        "error: target: a webhook channel needs an http:// or https:// URL\n"
    )
    assert error_of(run("channel", "add", "slack", HOOK, "--name", "x", "--team", "Ops")) == (
        "error: no team 'Ops' among yours; see 'devday team list'\n"
    )
    assert run("channel", "add", "pigeon", "x", "--name", "x").exit_code == 2


def test_it_sends_test_messages_and_shows_the_outbox(run: Run, engine: Engine) -> None:
    create_user(run, "alex@example.com")
    assert ok(run("outbox")) == "no messages\n"
    ok(run("channel", "add", "mattermost", "https://mm.example.com/h", "--name", "town square"))
    ok(run("channel", "add", "email", "alex@example.com", "--name", "inbox"))
    assert ok(run("channel", "test", "1")) == (
        "queued message #1 to channel #1: devday test: town square; see 'devday outbox'\n"
    )
    ok(run("channel", "test", "2", "--text", "Hello"))
    with engine.begin() as connection:  # as the worker leaves a message it gave up on
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == 1)
            .values(status=OutboxStatus.failed, attempts=5, last_error="HTTP 503\nfrom mm")
        )

    assert rows(ok(run("outbox"))) == [
        "2 #2 inbox devday test: inbox pending 0",
        "1 #1 town square devday test: town square failed 5 HTTP 503 from mm",
    ]
    assert rows(ok(run("outbox", "--status", "failed"))) == [
        "1 #1 town square devday test: town square failed 5 HTTP 503 from mm"
    ]
    assert ok(run("outbox", "--status", "delivered")) == "no delivered messages\n"
    ok(run("channel", "rm", "1"))
    assert rows(ok(run("outbox", "-n", "1", "--status", "failed"))) == [
        "1 mattermost (removed) devday test: town square failed 5 HTTP 503 from mm"
    ]
    assert error_of(run("channel", "test", "1")) == "error: channel not found\n"
    assert run("outbox", "--status", "lost").exit_code == 2
