from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from devday.cli.local import BackendPool
from devday.cli.main import app
from devday.cli.state import CliState
from devday.clock import MockClock
from tests.cli.conftest import Run, create_user, rows


@pytest.fixture
def run(cli_env: Path, clock: MockClock, cli_pool: BackendPool) -> Run:
    """The CLI on the test clock (Mon 30 Nov, 10:00 in Berlin), which the test may move."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        state = CliState(now=clock.now, pool=cli_pool)
        return runner.invoke(app, list(args), input=input, obj=state)

    return invoke


@pytest.fixture
def two_tasks(run: Run) -> None:
    create_user(run, "alex@example.com")
    assert run("project", "add", "api").exit_code == 0
    assert run("task", "add", "Fix login", "-p", "api", "--kind", "coding").exit_code == 0
    assert run("task", "add", "Write docs", "--kind", "docs").exit_code == 0


def test_it_starts_switches_and_stops_the_timer(
    run: Run, two_tasks: None, clock: MockClock
) -> None:
    assert run("status").output == "no timer running; start one with 'devday start TASK_ID'\n"
    assert run("start", "1", "--note", "rate limit").output == "started #1 Fix login at 10:00\n"
    clock.advance(timedelta(minutes=30))
    status = run("status")
    assert status.output == ("#1 Fix login: since Mon 30 Nov 10:00 (Europe/Berlin), 30m so far\n")
    assert run("start", "1").output == "already running: #1 Fix login since 10:00\n"
    switched = run("start", "2")
    assert switched.exit_code == 0, switched.output
    assert switched.output == "stopped #1 Fix login after 30m\nstarted #2 Write docs at 10:30\n"
    task = json.loads(run("task", "show", "2", "--json").output)
    assert task["status"] == "doing"
    clock.advance(timedelta(hours=1, minutes=15))
    assert run("stop").output == "stopped #2 Write docs after 1h15\n"
    again = run("stop")
    assert again.exit_code == 1 and "error: no timer is running" in again.output
    refused = run("start", "99")
    assert refused.exit_code == 1 and "task_id: task 99 not found" in refused.output


def test_it_logs_lists_edits_and_removes_entries(run: Run, two_tasks: None) -> None:
    added = run("log", "add", "1", "--from", "today 08:00", "--to", "today 09:30", "--note", "x")
    assert added.exit_code == 0, added.output
    assert added.output == "logged #1: #1 Fix login, 08:00-09:30 (1h30)\n"
    clash = run("log", "add", "2", "--from", "today 09:00", "--to", "today 9:45")
    assert clash.exit_code == 1
    clashing = "overlaps your time on 'Fix login' (Mon 30 Nov 08:00-09:30 Europe/Berlin)"
    assert clashing in clash.output
    no_time = run("log", "add", "2", "--from", "today", "--to", "today 09:45")
    assert no_time.exit_code == 1 and "--from: give a time of day" in no_time.output
    yesterday = run("log", "add", "2", "--from", "2026-11-29 17:00", "--to", "2026-11-29 17:20")
    assert yesterday.output == "logged #2: #2 Write docs, Sun 29 Nov 17:00-17:20 (20m)\n"

    assert rows(run("log", "list").output) == ["1 08:00 09:30 1h30 #1 Fix login x", "total 1h30"]
    assert rows(run("log", "list", "--day", "2026-11-29").output) == [
        "2 Sun 29 Nov 17:00 Sun 29 Nov 17:20 20m #2 Write docs",
        "total 20m",
    ]
    edited = run("log", "edit", "1", "--to", "today 09:00", "--task", "2", "--note", "docs")
    assert edited.exit_code == 0, edited.output
    assert edited.output == "changed #1: #2 Write docs, 08:00-09:00 (1h)\n"
    assert run("log", "edit", "1").exit_code == 1
    assert run("log", "rm", "1").output == "deleted entry #1\n"
    assert run("log", "list").output == "no time logged on 2026-11-30\n"
    missing = run("log", "rm", "1")
    assert missing.exit_code == 1 and "time entry 1 not found" in missing.output


def test_it_shows_time_per_task_kind_and_day(run: Run, two_tasks: None, clock: MockClock) -> None:
    run("log", "add", "1", "--from", "today 08:00", "--to", "today 09:30")
    run("log", "add", "2", "--from", "2026-11-29 23:00", "--to", "today 00:30")
    run("start", "2")
    clock.advance(timedelta(minutes=15))
    today = run("time")
    assert today.exit_code == 0, today.output
    assert rows(today.output) == [
        "task time hours",
        "Fix login 1h30 1.50",
        "Write docs 45m 0.75",
        "total 2h15 2.25",
    ]
    assert today.output.splitlines()[0].strip() == "Mon 30 Nov 2026"
    week = run("time", "--week", "--by", "day")
    assert rows(week.output) == ["day time hours", "Mon 30 Nov 2h15 2.25", "total 2h15 2.25"]
    assert week.output.splitlines()[0].strip() == "week of Mon 30 Nov"
    last_week = run("time", "--week", "--day", "2026-11-29", "--by", "day")
    assert rows(last_week.output) == ["day time hours", "Sun 29 Nov 1h 1.00", "total 1h 1.00"]
    assert last_week.output.splitlines()[0].strip() == "week of Mon 23 Nov"
    by_kind = run("time", "--by", "kind")
    assert rows(by_kind.output)[1:3] == ["coding 1h30 1.50", "docs 45m 0.75"]
    by_project = run("time", "--day", "today", "--by", "project")
    assert rows(by_project.output)[1:3] == ["api 1h30 1.50", "(no project) 45m 0.75"]
    assert run("time", "--day", "2026-11-01").output == "no time logged on Sun 01 Nov 2026\n"
    assert run("time", "--by", "mood").exit_code == 2
