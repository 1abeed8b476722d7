"""devday app, check, checks and incidents, in-process over the test database."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from typer.testing import Result

from devday.clock import MockClock
from tests.checks.servers import TestServer
from tests.checks.support import make_runner, run_next
from tests.cli.conftest import Run, create_user, ok, rows
from tests.conftest import START


def error_of(result: Result) -> str:
    assert result.exit_code == 1, result.output
    return str(result.stderr)


def test_it_adds_an_app_and_a_check_and_shows_their_status_and_incidents(
    run: Run, engine: Engine, target: TestServer
) -> None:
    create_user(run, "alex@example.com")
    ok(run("team", "create", "Backend"))
    ok(
        run(
            "channel",
            "add",
            "webhook",
            "https://chat.example.com/qa",
            "--name",
            "qa",
            "--team",
            "Backend",
        )
    )
    added = run(
        "app", "add", "orders-api", target.url, "--team", "Backend", "--stakeholder", "QA=1",
        "--response-target", "2h",
    )  # fmt: skip
    assert ok(added) == f"added app #1 orders-api ({target.url})\n"
    check = run(
        "check", "add", "orders-api", "health", "--path", "/health", "--assert", '$.status == "ok"',
        "--budget", "500", "--interval", "30", "--timeout", "5",
    )  # fmt: skip
    assert ok(check) == f"added check #1 health: GET {target.url}/health every 30 s\n"
    assert rows(ok(run("checks")))[0].startswith("1 orders-api health pending never")

    clock = MockClock(START)
    runner = make_runner(engine, clock)
    for _ in range(3):
        run_next(engine, clock, runner, 1)
    table = rows(ok(run("checks")))
    assert len(table) == 1
    # The status, when it last ran, p50 and p95 over the last hour; no grade was asked for.
    assert re.fullmatch(r"1 orders-api health up 0 s ago \d+ ms \d+ ms", table[0]), table[0]
    assert rows(ok(run("app", "list"))) == [f"1 orders-api {target.url} up 1 0"]
    assert ok(run("incidents")) == "no open incidents\n"

    target.routes["/health"] = (500, [], b"boom")
    for _ in range(3):
        run_next(engine, clock, runner, 1)
    assert rows(ok(run("checks")))[0].split(" ")[3] == "DOWN"
    [incident] = rows(ok(run("incidents")))
    assert incident.startswith("1 open P1 down")
    assert "#1" in incident and "HTTP 500 is not one of 2xx, 3xx" in incident
    assert ok(run("check", "run", "1")) == "check #1 health is due now\n"


def test_it_explains_bad_input_in_one_line(run: Run, target: TestServer) -> None:
    create_user(run, "alex@example.com")
    ok(run("team", "create", "Backend"))
    assert "base_url" in error_of(run("app", "add", "x", "ftp://example.com", "--team", "Backend"))
    assert "no team 'Nope'" in error_of(run("app", "add", "x", target.url, "--team", "Nope"))
    ok(run("app", "add", "orders-api", target.url, "--team", "Backend"))
    assert "interval_seconds" in error_of(run("check", "add", "orders-api", "h", "--interval", "5"))
    bad = error_of(run("check", "add", "orders-api", "h", "--assert", "$.status =="))
    assert "assertions" in bad and "assertion 1" in bad
    assert "no app 'shop'" in error_of(run("check", "add", "shop", "h"))
    assert "--stakeholder" in error_of(
        run("app", "add", "y", target.url, "--team", "Backend", "--stakeholder", "QA")
    )
