"""The CLI says what the API warns of when it saves a task, on stderr, and writes the year of a
date outside the current one (the clock is Monday 30 Nov 2026, 10:00 in Berlin)."""

from __future__ import annotations

from tests.cli.conftest import Run, create_user, rows


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
