from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Run, create_user, rows


def test_it_runs_a_task_from_add_to_drop_in_process(run: Run) -> None:
    created = create_user(run, "alex@example.com")
    assert "the CLI now acts as them" in created.output
    assert run("project", "add", "api").exit_code == 0

    added = run(
        "task", "add", "Fix login rate limit", "--deadline", "fri 17:00", "--importance", "3",
        "--estimate", "2h", "--project", "api", "--tag", "security", "--tag", "auth",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.output == "added #1 P2 Fix login rate limit, due Fri 04 Dec 17:00\n"
    urgent = run("task", "add", "Answer Sam", "-d", "tomorrow 10:00", "-i", "P1", "-e", "1h30")
    assert urgent.exit_code == 0, urgent.output
    later = run("task", "add", "Refactor", "-d", "next mon", "-e", "45")
    assert later.exit_code == 0, later.output

    listed = run("task", "list")
    assert listed.exit_code == 0, listed.output
    assert rows(listed.output) == [
        "2 P1 Answer Sam Tue 01 Dec 10:00 1h30 todo",
        "1 P2 Fix login rate limit Fri 04 Dec 17:00 2h api #auth #security todo",
        # A date alone is the end of that working day, 18:00 in Berlin.
        "3 P3 Refactor Mon 07 Dec 18:00 45m todo",
    ]

    edited = run("task", "edit", "1", "--title", "Fix login rate limiting", "-d", "thu", "-i", "4")
    assert edited.exit_code == 0, edited.output
    assert edited.output == "changed #1 P1 Fix login rate limiting, due Thu 03 Dec 18:00\n"
    shown = run("task", "show", "1")
    assert shown.exit_code == 0, shown.output
    assert "#1 Fix login rate limiting" in shown.output
    assert "version         2" in shown.output

    assert run("task", "done", "2").output == "done: #2 P1 Answer Sam, due Tue 01 Dec 10:00\n"
    assert run("task", "drop", "3").exit_code == 0
    assert [r.split()[0] for r in rows(run("task", "list").output)] == ["1"]
    everything = json.loads(run("task", "list", "--all", "--json").output)
    assert {t["id"]: t["status"] for t in everything} == {1: "todo", 2: "done", 3: "dropped"}


def test_it_shows_notes_dependencies_and_assignee(run: Run) -> None:
    create_user(run, "alex@example.com")
    assert run("task", "add", "Design the schema").exit_code == 0
    added = run(
        "task", "add", "Build the [api]", "--depends-on", "1", "--notes", "See *RFC* 42.",
        "--kind", "coding", "--planned", "tomorrow", "--assignee", "alex@example.com",
        "--unsplittable",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = run("task", "show", "2")
    assert shown.exit_code == 0, shown.output
    assert "#1 Design the schema [todo]" in shown.output
    assert "See *RFC* 42." in shown.output
    assert "Alex <alex@example.com> (you)" in shown.output
    assert "2026-12-01" in shown.output
    raw = json.loads(run("task", "show", "2", "--json").output)
    assert raw["title"] == "Build the [api]"
    assert (raw["kind"], raw["splittable"], raw["depends_on"]) == ("coding", False, [1])


def test_it_filters_the_list(run: Run) -> None:
    create_user(run, "alex@example.com")
    run("project", "add", "api")
    run("task", "add", "Soon", "-d", "tue", "-t", "ops", "-p", "api")
    run("task", "add", "Later", "-d", "in 2 weeks", "--planned", "wed")
    run("task", "add", "Whenever", "--notes", "needle in the notes")

    def ids(*args: str) -> list[str]:
        result = run("task", "list", "--json", *args)
        assert result.exit_code == 0, result.output
        return [t["title"] for t in json.loads(result.output)]

    assert ids() == ["Soon", "Later", "Whenever"]
    assert ids("--tag", "#ops") == ["Soon"]
    assert ids("--project", "API") == ["Soon"]
    assert ids("--before", "fri") == ["Soon"]
    assert ids("--after", "fri") == ["Later"]
    assert ids("--planned", "wed") == ["Later"]
    assert ids("--search", "needle") == ["Whenever"]
    assert ids("--status", "done") == []


def test_it_clears_fields_with_none_and_sets_splittable_back(run: Run) -> None:
    create_user(run, "alex@example.com")
    run("project", "add", "api")
    run("task", "add", "Tidy", "-d", "fri", "-e", "1h", "-p", "api", "--unsplittable")
    edited = run("task", "edit", "1", "-d", "none", "-e", "none", "-p", "none", "--splittable")
    assert edited.exit_code == 0, edited.output
    task = json.loads(run("task", "show", "1", "--json").output)
    assert (task["deadline"], task["estimate_minutes"], task["project_id"]) == (None, None, None)
    assert task["splittable"] is True


def test_it_keeps_each_task_on_one_line_in_a_narrow_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(run, "alex@example.com")
    run("task", "add", "A title far too long to fit " * 4, "-d", "fri 17:00", "-e", "2h")
    monkeypatch.setenv("COLUMNS", "80")
    listed = run("task", "list")
    lines = listed.output.splitlines()
    assert len(lines) == 2
    assert all(len(line.rstrip()) <= 80 for line in lines)
    assert "A title far too" in lines[1]
    assert "…" in lines[1]
    assert "Fri 04 Dec 17:00  2h" in lines[1]
