"""devday plan, duty and busy, in-process, the clock at Mon 30 Nov 2026 10:00 in Berlin."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.conftest import Clock, Run, create_user, ok, rows
from tests.conftest import START

DASH = "\u2013"


def add_tasks(run: Run, *tasks: tuple[str, ...]) -> None:
    for args in tasks:
        ok(run("task", "add", *args))


def lines(text: str) -> list[str]:
    """The lines of ``text`` with each run of spaces made one; the en dash made a hyphen."""
    return [" ".join(line.replace(DASH, "-").split()) for line in text.splitlines()]


def error_of(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return str(result.stderr)


def test_it_builds_the_day_and_shows_it_as_a_timeline_with_its_risks(
    run: Run, monkeypatch: pytest.MonkeyPatch, sent: list[tuple[str, str]]
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # each reason on one line
    create_user(run, "alex@example.com")
    add_tasks(
        run,
        ("Fix login rate limit", "-d", "today 17:00", "-i", "P1", "-e", "2h", "--kind", "coding"),
        ("Migrate billing", "-d", "today 18:00", "-i", "P2", "-e", "6h"),
        ("Load test", "-e", "7h", "--unsplittable", "--kind", "testing"),
    )
    busy = run("busy", "add", "Dentist", "today 13:30", "today 14:30")
    assert ok(busy) == f"added busy #1: Mon 30 Nov 13:30{DASH}14:30 Dentist\n"

    sent.clear()
    shown = ok(run("plan"))
    # The plan names each task's priority: showing it asks for the plan, never for the tasks.
    assert ("POST", "/api/v1/plans/2026-11-30") in sent
    assert not [path for _method, path in sent if path.startswith("/api/v1/tasks")], sent
    assert f"  10:30{DASH}12:30  #1 P1 Fix login rate limit  " in shown
    assert lines(shown) == [
        "Mon 30 Nov 2026 (Europe/Berlin), plan version 2, built at 10:00",
        "09:00-10:00 Morning routine: exercise, breakfast (personal)",
        "10:00-10:30 Planning",
        "10:30-12:30 #1 P1 Fix login rate limit [coding] (block 1)",
        "12:30-13:30 Lunch",
        "13:30-14:30 Dentist (busy)",
        "14:30-15:00 #2 P2 Migrate billing [other] (block 2)",
        "15:00-16:00 Team meeting",
        "16:00-17:00 #2 P2 Migrate billing [other] (block 3)",
        "17:00-17:30 Wrap-up",
        "17:30-18:00 #2 P2 Migrate billing [other] (block 4)",
        "18:00-19:00 Personal development: news, courses (personal)",
        "and 3 more blocks on the next days of the plan",
        "late:",
        "#2 P2 Migrate billing: due Mon 30 Nov 18:00, finishes Tue 01 Dec 16:30",
        "'Migrate billing' and 'Fix login rate limit' need 8 h between Mon 10:00 and Mon 18:00; "
        "only 4 h are free. To save it: add 4 h of working time before Mon 18:00; or cut the "
        "estimate of 'Migrate billing' by 4 h",
        "unscheduled:",
        "#3 P3 Load test",
        "needs 7 h in one block; no free block that long before the horizon ends",
        "missed-deadline weight: 4 (weighted tardiness 5400 min)",
    ]

    kept = ok(run("plan", "--keep"))
    assert lines(kept)[0] == "Mon 30 Nov 2026 (Europe/Berlin), plan version 2, built at 10:00"
    assert lines(kept)[1:] == lines(shown)[1:]
    # Showing again reads the same plan; building is what makes a new one.
    assert lines(ok(run("plan"))) == lines(shown)
    raw = json.loads(ok(run("plan", "build", "today", "--json", "--horizon", "3")))
    assert (raw["date"], raw["horizon_days"], raw["version"]) == ("2026-11-30", 3, 3)
    assert [u["title"] for u in raw["unscheduled"]] == ["Load test"]


def test_it_reads_the_day_as_a_word_a_weekday_or_a_date(run: Run) -> None:
    create_user(run, "alex@example.com")
    add_tasks(run, ("Write the [api] docs", "-d", "wed", "-e", "1h", "--kind", "docs"))
    tomorrow = lines(ok(run("plan", "tomorrow")))
    assert tomorrow[0] == "Tue 01 Dec 2026 (Europe/Berlin), plan version 2, built at 10:00"
    # Planning tomorrow starts tomorrow: the docs go in their window, 16:00 to 17:00.
    assert "16:00-17:00 #1 P3 Write the [api] docs [docs] (block 1)" in tomorrow
    assert lines(ok(run("plan", "2026-12-01", "--keep"))) == tomorrow
    assert lines(ok(run("plan", "show", "wed")))[0].startswith("Wed 02 Dec 2026 (Europe/Berlin)")
    saturday = lines(ok(run("plan", "sat")))
    assert saturday[:2] == [
        "Sat 05 Dec 2026 (Europe/Berlin), plan version 2, built at 10:00",
        "no work planned on this day",
    ]

    assert error_of(run("plan", "tomorrow 10:00")) == (
        "error: DAY: 'tomorrow 10:00' is a time; give a day: today (default), tomorrow, "
        "a weekday such as fri, or a date such as 2026-12-01.\n"
    )
    assert error_of(run("plan", "someday")).startswith("error: DAY: cannot read 'someday'")
    assert error_of(run("plan", "fri", "--keep")) == (
        "error: no plan for Fri 04 Dec 2026 yet; build it with 'devday plan fri'\n"
    )
    assert error_of(run("plan", "replan", "fri")) == (
        "error: no plan for Fri 04 Dec 2026 yet; build it with 'devday plan fri'\n"
    )
    assert error_of(run("plan", "2030-01-01")).startswith("error: date: ")


def test_it_pins_moves_finishes_and_replans_blocks(run_at: Run, cli_clock: Clock) -> None:
    run = run_at
    create_user(run, "alex@example.com")
    add_tasks(
        run,
        ("Morning", "-e", "1h", "-i", "P2"),
        ("Urgent later", "-e", "1h", "-i", "P1", "-d", "today 18:00"),
    )
    plan = json.loads(ok(run("plan", "--json")))
    first, second = plan["blocks"]
    assert (first["title"], second["title"]) == ("Urgent later", "Morning")
    one, two = first["id"], second["id"]
    assert f"10:30{DASH}11:30  #2 P1 Urgent later" in ok(run("plan", "--keep"))

    pinned = lines(ok(run("plan", "pin", str(one))))
    assert pinned[0] == f"pinned block {one}, 10:30-11:30 Urgent later"
    assert f"10:30-11:30 #2 P1 Urgent later [other] (block {one}, pinned)" in pinned

    moved = lines(ok(run("plan", "move", str(two), "16:00", "today")))
    assert moved[0] == f"moved block {two}, 16:00-17:00 Morning"
    assert f"16:00-17:00 #1 P2 Morning [other] (block {two}, pinned)" in moved

    unpinned = lines(ok(run("plan", "pin", str(two), "--unpin")))
    assert f"16:00-17:00 #1 P2 Morning [other] (block {two})" in unpinned

    finished = lines(ok(run("plan", "done", str(one))))
    # Done before it began: the task is finished early and the block's time is free again.
    assert (
        finished[0] == f"done: 'Urgent later' is finished; block {one} (10:30-11:30) is free again"
    )
    assert not [row for row in finished if "Urgent later [other]" in row]
    task = json.loads(ok(run("task", "show", "2", "--json")))
    assert task["status"] == "done"

    cli_clock.at = START + timedelta(hours=3)  # 13:00 in Berlin
    replanned = lines(ok(run("plan", "replan")))
    assert not [row for row in replanned if "Urgent later [other]" in row]
    # Nothing was logged on the morning's task: its block went by, and its hour is ahead again.
    morning = [row for row in replanned if "#1 P2 Morning" in row]
    assert len(morning) == 2 and morning[0].endswith(", passed)") and morning[1] >= "13:00"

    assert error_of(run("plan", "done", "999")) == "error: block not found\n"
    assert error_of(run("plan", "move", str(two), "25:00")) == (
        "error: TIME: cannot read '25:00'; write it as 14:00 or 2pm\n"
    )


PROBLEM = {
    "now": "2026-11-30T10:00:00+01:00",
    "timezone": "Europe/Berlin",
    "horizon_days": 2,
    "working_hours": {"mon": [["10:00", "18:00"]], "tue": [["10:00", "18:00"]]},
    "tasks": [
        {"id": "a", "title": "A", "estimate_minutes": 120, "deadline": "2026-11-30T12:00:00+01:00"}
    ],
}


def test_it_solves_a_problem_file_and_checks_the_plan(run: Run, tmp_path: Path) -> None:
    # No account and no server: the solver needs nothing but the files.
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(PROBLEM), encoding="utf-8")
    solved = ok(run("plan", "solve", str(problem)))
    plan = json.loads(solved)
    assert plan["blocks"] == [
        {"task_id": "a", "start": "2026-11-30T10:00:00+01:00", "end": "2026-11-30T12:00:00+01:00"}
    ]
    assert json.loads(ok(run("plan", "solve", "-", input=json.dumps(PROBLEM)))) == plan
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(solved, encoding="utf-8")
    checked = run("plan", "check", str(problem), str(plan_file))
    assert ok(checked) == "ok: the plan keeps every rule\n"

    early = {
        "task_id": "a",
        "start": "2026-11-30T08:00:00+01:00",
        "end": "2026-11-30T10:00:00+01:00",
    }
    plan_file.write_text(json.dumps({**plan, "blocks": [early]}), encoding="utf-8")
    broken = run("plan", "check", str(problem), str(plan_file))
    assert broken.exit_code == 1
    rules = [line.split(":")[0] for line in broken.stdout.splitlines()]
    assert "starts_after_now" in rules and "inside_working_hours" in rules
    assert all(": " in line for line in broken.stdout.splitlines())

    missing = tmp_path / "missing.json"
    assert error_of(run("plan", "solve", str(missing))) == (
        f"error: cannot read {missing}: No such file or directory\n"
    )
    plan_file.write_text("{not json", encoding="utf-8")
    assert error_of(run("plan", "check", str(problem), str(plan_file))) == (
        f"error: {plan_file} is not valid JSON: Expecting property name enclosed in double "
        "quotes at line 1 column 2\n"
    )
    plan_file.write_text(json.dumps({**plan, "blocks": [{"task_id": "a"}]}), encoding="utf-8")
    assert error_of(run("plan", "check", str(problem), str(plan_file))).startswith(
        "error: plan.blocks[0]."
    )
    plan_file.write_text("[]", encoding="utf-8")
    assert error_of(run("plan", "solve", str(plan_file))) == (
        f"error: {plan_file} must hold a JSON object\n"
    )
    problem.write_text(json.dumps({**PROBLEM, "timezone": "Mars/Base"}), encoding="utf-8")
    assert error_of(run("plan", "solve", str(problem))).startswith("error: timezone: ")


def test_it_adds_lists_and_removes_busy_times(run: Run) -> None:
    create_user(run, "alex@example.com")
    added = run("busy", "add", "Interview", "tomorrow 14:00", "tomorrow 15:30")
    assert ok(added) == f"added busy #1: Tue 01 Dec 14:00{DASH}15:30 Interview\n"
    ok(run("busy", "add", "Old call", "2026-11-27 10:00", "2026-11-27 11:00"))
    assert rows(ok(run("busy", "list"))) == ["1 Tue 01 Dec 14:00 Tue 01 Dec 15:30 Interview"]
    everything = json.loads(ok(run("busy", "list", "--all", "--json")))
    assert [e["title"] for e in everything] == ["Old call", "Interview"]
    assert ok(run("busy", "rm", "1")) == "removed busy #1\n"
    assert ok(run("busy", "list")) == "no busy times\n"
    assert error_of(run("busy", "rm", "1")) == "error: busy event not found\n"
    assert error_of(run("busy", "add", "x", "tomorrow", "tomorrow 15:00")) == (
        "error: START: give a time of day too, such as 'tomorrow 14:00'\n"
    )
    assert error_of(run("busy", "add", "x", "tomorrow 15:00", "tomorrow 14:00")) == (
        "error: END: must be after START\n"
    )


def test_it_ranks_the_duty_list_with_each_reason_under_its_task(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(run, "alex@example.com")
    add_tasks(
        run,
        ("Migrate billing", "-d", "today 18:00", "-i", "P2", "-e", "6h"),
        ("Fix login rate limit", "-d", "today 17:00", "-i", "P1", "-e", "2h"),
        ("Someday " * 12, "-i", "P4", "-e", "30m"),
    )
    duty = lines(ok(run("duty")))
    assert duty[:4] == [
        "# id P title deadline score",
        "1 1 P2 Migrate billing Mon 30 Nov 18:00 16.0",
        "P2 (high): +4.0",
        "deadline Mon 18:00, 6 h of work and 5 h free before it: +12.0",
    ]
    assert "2 2 P1 Fix login rate limit Mon 30 Nov 17:00 12.4" in duty
    assert "P1 (critical): +8.0" in duty

    monkeypatch.setenv("COLUMNS", "80")
    narrow = ok(run("duty", "--limit", "3")).splitlines()
    assert all(len(line.rstrip()) <= 80 for line in narrow)
    assert narrow[1].startswith("1   1  P2  Migrate billing")
    assert narrow[2].startswith(" " * 11 + "P2 (high): +4.0")
    someday = next(line for line in narrow if "Someday Someday" in line)
    assert someday.startswith("3   3  P4  Someday Someday")
    assert someday.split()[-3:] == ["Som…", "-", "1.0"]

    limited = json.loads(ok(run("duty", "--json", "-n", "1")))
    assert [item["title"] for item in limited["items"]] == ["Migrate billing"]
    assert limited["items"][0]["terms"][0]["name"] == "importance"


def test_it_puts_the_plans_first_block_first_and_gives_each_deadline_its_chance(
    run: Run,
) -> None:
    create_user(run, "alex@example.com")
    add_tasks(
        run,
        ("Read the RFC", "-i", "P1", "-e", "1h"),
        ("Ship the export", "-d", "today 17:00", "-i", "P2", "-e", "4h30"),
    )
    before = lines(ok(run("duty")))
    assert (
        before[-1] == "No plan for today yet: once it is built, its first block comes first here."
    )
    ok(run("plan"))

    duty = lines(ok(run("duty")))
    assert duty[1].startswith("1 2 P2 Ship the export Mon 30 Nov 17:00")
    assert any(
        line.startswith("next in today's plan at Mon 30 Nov 10:30;")
        and "chance of being on time" in line
        for line in duty
    )
    shown = lines(ok(run("plan", "--keep")))
    slipping = shown.index("likely to slip (below 80% on time):")
    assert shown[slipping + 1].startswith("#2 P2 Ship the export: due Mon 30 Nov 17:00, ")
    assert shown[slipping + 1].endswith("% on time")
    assert shown[slipping + 2].startswith("needs ")

    forecast = lines(ok(run("forecast")))
    assert forecast[0] == "Today's plan:"
    assert forecast[1].startswith("#2 Ship the export: due Mon 30 Nov 17:00, ")
    assert forecast[-2:] == [
        "no finished tasks with logged time yet",
        "chances are read from a stated prior of typical developer estimates (you have 0 "
        "finished tasks with logged time; 10 are needed)",
    ]
