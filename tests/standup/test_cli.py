"""devday standup, devday leave and devday team figures, in-process over the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run, create_user, ok, rows


@pytest.fixture
def team(run: Run) -> None:
    create_user(run, "sam@example.com", "America/New_York")
    create_user(run, "alex@example.com")  # the CLI acts as Alex from here on
    ok(run("team", "create", "Backend"))
    ok(run("team", "add", "Backend", "sam@example.com"))
    ok(run("project", "add", "api", "--team", "Backend"))
    ok(run("task", "add", "Fix login", "-p", "api", "--estimate", "1h", "--deadline", "today"))


def test_it_shows_edits_and_submits_a_standup(
    run: Run, team: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = ok(run("standup"))
    assert "Standup for Backend, Mon 30 Nov (draft, not saved)" in shown
    assert "meeting at Mon 30 Nov 15:00 (Europe/Berlin)" in shown
    assert "#1 Fix login (1h, due Mon 30 Nov 18:00)" in shown

    saved = ok(run("standup", "--today", "Docs only", "--blockers", "Waiting on keys"))
    assert saved.startswith("saved your standup for Backend, Mon 30 Nov\n")
    assert "(saved, not submitted)" in saved

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/Docs only/Docs and review/' \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    submitted = ok(run("standup", "--edit", "--submit"))
    assert submitted.startswith("submitted your standup for Backend, Mon 30 Nov\n")
    mine = json.loads(ok(run("standup", "--json")))
    assert mine["status"] == "submitted" and mine["today"] == "Docs and review"
    assert mine["blockers"] == "Waiting on keys"
    assert "[#1, open since Mon 30 Nov]" in ok(run("standup"))

    day = ok(run("standup", "team"))
    assert "Alex: submitted" in day and "Sam: missing" in day and "Docs and review" in day
    assert rows(ok(run("standup", "blockers"))) == ["1 Alex Mon 30 Nov Waiting on keys"]
    assert ok(run("standup", "resolve", "1")) == "resolved blocker #1: Waiting on keys\n"
    assert ok(run("standup", "blockers")) == "no open blockers\n"


def test_it_refuses_a_failed_edit_and_names_the_team_to_pick(
    run: Run, team: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")
    failed = run("standup", "--edit")
    assert failed.exit_code == 1
    assert "the editor 'false' failed (exit 1); nothing changed" in failed.stderr
    ok(run("team", "create", "Ops"))
    ambiguous = run("standup")
    assert ambiguous.exit_code == 1
    assert "you are in several teams (Backend, Ops); pick one with --team" in ambiguous.stderr
    assert "Standup for Ops" in ok(run("standup", "--team", "ops"))


def test_it_adds_lists_and_removes_leave(run: Run) -> None:
    create_user(run, "alex@example.com")
    added = ok(run("leave", "add", "2026-12-21", "2026-12-31", "--note", "holidays"))
    assert added == "added leave #1: Mon 21 Dec to Thu 31 Dec\n"
    assert rows(ok(run("leave", "list"))) == ["1 2026-12-21 2026-12-31 holidays"]
    clash = run("leave", "add", "2026-12-30", "2027-01-02")
    assert clash.exit_code == 1
    assert "overlaps your leave #1 (2026-12-21 to 2026-12-31)" in clash.stderr
    backwards = run("leave", "add", "2027-01-05", "2027-01-02")
    assert backwards.exit_code == 1 and "end:" in backwards.stderr
    assert ok(run("leave", "rm", "1")) == "removed leave #1\n"
    assert ok(run("leave", "list")) == "no leave\n"


def test_it_prints_the_teams_figures(run: Run, team: None) -> None:
    ok(run("task", "done", "1"))
    printed = ok(run("team", "figures", "Backend", "--weeks", "2"))
    assert "Backend: the last 2 weeks (Europe/Berlin)" in printed
    lines = [" ".join(line.split()) for line in printed.splitlines()]
    assert "23 Nov 0 - - - - - - - 0 -" in lines
    assert "30 Nov 1 100% - - - - - - 0 -" in lines
    assert "Alex 1 100% - - - - - - 0 -" in lines and "Sam 0 - - - - - - - 0 -" in lines
    data = json.loads(ok(run("team", "figures", "Backend", "--json")))
    assert len(data["weeks"]) == 8
