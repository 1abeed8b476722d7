"""devday today, habit, wrapup and reflect, in-process, the clock at Mon 30 Nov 2026 10:00 in
Berlin unless a test moves it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import Result

from tests.cli.conftest import Clock, Run, create_user, ok
from tests.conftest import START

FRIDAY = START - timedelta(days=3)  # Fri 27 Nov, 10:00 in Berlin
MORNING = "Morning routine: exercise, breakfast"
GROWTH = "Personal development: news, courses"


@pytest.fixture
def clock_(cli_clock: Clock) -> Clock:
    return cli_clock


@pytest.fixture
def run(run_at: Run) -> Run:
    return run_at


def lines(text: str) -> list[str]:
    """The lines of ``text`` with each run of spaces made one; the en dash made a hyphen."""
    return [" ".join(line.replace("\u2013", "-").split()) for line in text.splitlines()]


def error_of(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return str(result.stderr)


def test_it_reviews_the_morning_before_and_after_the_plan(
    run: Run, clock_: Clock, sent: list[tuple[str, str]]
) -> None:
    create_user(run, "alex@example.com")
    clock_.at = FRIDAY
    ok(run("task", "add", "Old chore", "-e", "30m"))
    ok(run("task", "done", "1"))
    ok(run("habit", "tick", "morning"))
    ok(run("reflect", "--goal", "Write the docs"))
    clock_.at = START
    ok(run("task", "add", "Fix login rate limit", "-d", "today 17:00", "-i", "P1", "-e", "2h"))
    ok(run("task", "add", "Overdue report", "-d", "2026-11-27 12:00", "-i", "P2", "-e", "1h"))
    ok(run("task", "add", "Migrate billing", "-d", "today 18:00", "-i", "P2", "-e", "6h"))

    before = lines(ok(run("today")))
    assert before == [
        "Mon 30 Nov 2026 (Europe/Berlin)",
        "Due or overdue:",
        "#4 P2 Overdue report due Fri 27 Nov 12:00 overdue",
        "#3 P1 Fix login rate limit due Mon 30 Nov 17:00",
        "#5 P2 Migrate billing due Mon 30 Nov 18:00",
        "Yesterday's goals (Fri 27 Nov):",
        "#2 P2 Write the docs todo",
        "Plan:",
        "no plan yet: run 'devday plan'",
        "Habits:",
        f"\u2717 {MORNING} 1 day",
        f"\u2717 {GROWTH} 0 days",
        "Fri 27 Nov was not wrapped up: run 'devday wrapup 2026-11-27'",
    ]

    ok(run("plan"))
    ok(run("habit", "tick", "MORN"))
    sent.clear()
    after = lines(ok(run("today")))
    # The review names each task's priority: one request, none for the tasks.
    assert ("GET", "/api/v1/today") in sent
    assert not [path for _method, path in sent if path.startswith("/api/v1/tasks")], sent
    risks = after.index("At risk in today's plan:")
    assert after[risks + 1] == (
        "#4 P2 Overdue report: due Fri 27 Nov 12:00, finishes Mon 30 Nov 11:30"
    )
    assert after[risks + 2] == "its deadline (Fri 27 Nov 12:00) had passed before the plan starts"
    assert after[risks + 3] == (
        "#5 P2 Migrate billing: due Mon 30 Nov 18:00, finishes Tue 01 Dec 16:30"
    )
    timeline = after[after.index("Plan (version 2, built at 10:00):") + 1 : after.index("Habits:")]
    assert timeline[:4] == [
        f"09:00-10:00 {MORNING} (personal)",
        "10:00-10:30 Planning",
        "10:30-11:30 #4 P2 Overdue report [other] (block 1)",
        "11:30-12:30 #3 P1 Fix login rate limit [other] (block 2)",
    ]
    assert after[-3:-1] == [f"\u2713 {MORNING} 2 days", f"\u2717 {GROWTH} 0 days"]

    raw = json.loads(ok(run("today", "--json")))
    assert (raw["date"], raw["unclosed_day"]) == ("2026-11-30", "2026-11-27")
    assert [t["title"] for t in raw["at_risk"]] == ["Overdue report", "Migrate billing"]


def test_it_ticks_and_unticks_habits_named_by_a_prefix(run: Run) -> None:
    create_user(run, "alex@example.com")
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):  # Wed, Thu, Fri
        ok(run("habit", "tick", "Morning", day))
    assert lines(ok(run("habit", "list"))) == [
        f"\u2717 {MORNING} 3 days",  # the weekend does not break it
        f"\u2717 {GROWTH} 0 days",
    ]
    assert lines(ok(run("habit", "tick", "personal development: NEWS, courses"))) == [
        f"ticked {GROWTH} on Mon 30 Nov",
        f"\u2717 {MORNING} 3 days",
        f"\u2713 {GROWTH} 1 day",
    ]
    assert lines(ok(run("habit", "untick", "pers"))) == [
        f"unticked {GROWTH} on Mon 30 Nov",
        f"\u2717 {MORNING} 3 days",
        f"\u2717 {GROWTH} 0 days",
    ]
    assert error_of(run("habit", "tick", "juggling")) == (
        f"error: no habit 'juggling' on Mon 30 Nov; yours: '{MORNING}' or '{GROWTH}'\n"
    )
    assert error_of(run("habit", "tick", "morning", "sat")) == (
        "error: you have no habits on Sat 05 Dec\n"
    )
    assert ok(run("habit", "list", "sat")) == "  no habits on Sat 05 Dec\n"


def test_it_wraps_up_the_day_then_closes_it_once(run: Run, clock_: Clock) -> None:
    create_user(run, "alex@example.com")
    ok(run("channel", "add", "email", "alex@example.com", "--name", "inbox"))
    ok(run("task", "add", "Ship [rate] limit", "--kind", "coding"))
    ok(run("task", "add", "Migrate billing", "-e", "6h"))
    ok(run("task", "add", "Write docs", "--planned", "today", "--kind", "docs"))
    ok(run("task", "add", "Load test", "--planned", "today"))
    ok(run("log", "add", "1", "--from", "today 08:00", "--to", "today 09:30"))
    ok(run("task", "done", "1"))
    ok(run("start", "2"))
    clock_.at = START + timedelta(minutes=45)

    shown = lines(ok(run("wrapup")))
    assert shown == [
        "Wrap-up of Mon 30 Nov 2026: open",
        "Done:",
        "#1 Ship [rate] limit 1 h 30 min",
        "In progress:",
        "#2 Migrate billing 45 min \u2192 tomorrow (Tue 01 Dec)",
        "Pending:",
        "#3 Write docs \u2192 tomorrow (Tue 01 Dec)",
        "#4 Load test \u2192 tomorrow (Tue 01 Dec)",
        "Time by kind:",
        "coding 1 h 30 min",
        "other 45 min",
        "total 2 h 15 min",
        "close it with 'devday wrapup 2026-11-30 --close' (--decide ID=tomorrow, ID=backlog, "
        "ID=drop or ID=YYYY-MM-DD, --blockers TEXT)",
    ]
    assert json.loads(ok(run("wrapup", "today", "--json")))["next_day"] == "2026-12-01"

    decide = "error: --decide: write ID=tomorrow, ID=backlog, ID=drop or ID=YYYY-MM-DD, not "
    assert error_of(run("wrapup", "--close", "--decide", "3=later")) == f"{decide}'3=later'\n"
    assert error_of(run("wrapup", "--close", "--decide", "drop")) == f"{decide}'drop'\n"
    assert error_of(run("wrapup", "--close", "--decide", "1=drop")) == (
        "error: decisions: task 1 is not pending on 2026-11-30\n"
    )
    assert error_of(run("wrapup", "--decide", "3=drop")) == (
        "error: --decide and --blockers go with --close\n"
    )

    closed = ok(
        run(
            "wrapup",
            "--close",
            "--decide",
            "3=2026-12-03",
            "--decide",
            "#4=drop",
            "--blockers",
            "Waiting on keys",
        )
    )
    report = closed.splitlines()
    assert report[0] == "**End of day: Alex, Mon 30 Nov 2026**"
    assert "- #1 Ship \\[rate\\] limit (1 h 30 min)" in report
    assert "- #3 Write docs: moved to 2026-12-03" in report
    assert "- #4 Load test: dropped" in report
    assert "Blockers: Waiting on keys" in report
    assert report[-1] == "report sent to 1 channel"
    assert json.loads(ok(run("task", "show", "4", "--json")))["status"] == "dropped"

    again = ok(run("wrapup"))
    assert again.splitlines()[0] == "Wrap-up of Mon 30 Nov 2026: closed"
    assert again.splitlines()[1:] == report[:-1]
    assert error_of(run("wrapup", "--close")) == "error: date: 2026-11-30 is already closed\n"


def test_it_shows_and_saves_the_reflection_with_goals_as_tasks(run: Run) -> None:
    create_user(run, "alex@example.com")
    ok(run("task", "add", "Ship the rate limit", "-i", "P1"))
    ok(run("task", "done", "1"))
    empty = lines(ok(run("reflect")))
    assert empty == [
        "Reflection on Mon 30 Nov 2026 (not written yet)",
        "Achievements:",
        "#1 P1 Ship the rate limit",
        "went well: -",
        "improve: -",
        "energy: -",
        "note: -",
        "Goals for Tue 01 Dec:",
        "none; add one with --goal TEXT",
    ]

    saved = lines(
        ok(
            run(
                "reflect",
                "--went-well",
                "Shipped it",
                "--energy",
                "2",
                "--goal",
                "Write the /v2/orders docs",
                "--goal",
                "Review Sam's PR",
            )
        )
    )
    assert saved[:3] == [
        "goal \u2192 task #2, planned Tue 01 Dec: Write the /v2/orders docs",
        "goal \u2192 task #3, planned Tue 01 Dec: Review Sam's PR",
        "Reflection on Mon 30 Nov 2026 (version 1)",
    ]
    assert saved[-3:] == [
        "Goals for Tue 01 Dec:",
        "#2 P2 Write the /v2/orders docs planned Tue 01 Dec todo",
        "#3 P2 Review Sam's PR planned Tue 01 Dec todo",
    ]

    # One answer changed: the others and the goals stay, and no goal task is made again.
    noted = lines(ok(run("reflect", "today", "--note", "Long day")))
    assert noted[0] == "Reflection on Mon 30 Nov 2026 (version 2)"
    assert noted[3:7] == ["went well: Shipped it", "improve: -", "energy: 2 (ok)", "note: Long day"]
    assert noted[-2:] == saved[-2:]
    assert lines(ok(run("reflect", "2026-11-30"))) == noted

    refused = run("reflect", "--energy", "5")
    assert refused.exit_code == 2
    assert "Invalid value for '--energy'" in refused.stderr
