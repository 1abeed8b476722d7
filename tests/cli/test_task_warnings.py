"""The CLI says what the API warns of when it saves a task, on stderr, and writes the year of a
date outside the current one (the clock is Monday 30 Nov 2026, 10:00 in Berlin)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.cli.conftest import Clock, Run, create_user, ok, rows


def test_it_prints_a_warning_line_for_a_past_deadline_or_a_day_off(run: Run) -> None:
    create_user(run, "alex@example.com")
    late = run("task", "add", "Send the invoice", "--deadline", "today 08:00")
    assert late.exit_code == 0, late.output
    assert late.stdout == "added #1 P3 Send the invoice, due Mon 30 Nov 08:00\n"
    assert late.stderr == (
        "warning: the deadline of 'Send the invoice', Mon 30 Nov 08:00 (Europe/Berlin), "
        "has already passed\n"
    )
    weekend = run("task", "edit", "1", "--deadline", "sat 12:00")
    assert weekend.exit_code == 0, weekend.output
    assert weekend.stderr == (
        "warning: the deadline of 'Send the invoice', Sat 05 Dec 12:00 (Europe/Berlin), "
        "is on a Saturday, which is not a working day in your routine\n"
    )
    fine = run("task", "add", "Fix login", "--deadline", "fri 17:00")
    assert fine.exit_code == 0 and fine.stderr == ""


def test_it_writes_the_year_of_a_deadline_in_another_year(run: Run) -> None:
    create_user(run, "alex@example.com")
    added = run("task", "add", "Plan the year", "--deadline", "2027-01-04 17:00")
    assert added.stdout == "added #1 P3 Plan the year, due Mon 04 Jan 2027 17:00\n"
    assert run("task", "add", "Ship", "--deadline", "fri 17:00").exit_code == 0
    assert rows(run("task", "list").output) == [
        "2 P3 Ship Fri 04 Dec 17:00 todo",
        "1 P3 Plan the year Mon 04 Jan 2027 17:00 todo",
    ]


def test_the_current_year_is_the_commands_clock_not_the_machines(
    run_at: Run, cli_clock: Clock
) -> None:
    # The command's clock says January 2027 whatever the machine's says: a deadline that month
    # is in the current year, and one in December 2026 is not.
    cli_clock.at = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    create_user(run_at, "alex@example.com")
    assert ok(run_at("task", "add", "Ship", "--deadline", "2027-01-08 17:00")) == (
        "added #1 P3 Ship, due Fri 08 Jan 17:00\n"
    )
    assert rows(ok(run_at("task", "list", "--all"))) == ["1 P3 Ship Fri 08 Jan 17:00 todo"]
    cli_clock.at = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    assert rows(ok(run_at("task", "list"))) == ["1 P3 Ship Fri 08 Jan 2027 17:00 todo"]
