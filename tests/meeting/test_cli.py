"""devday meeting: the agenda, notes, decisions, action items, reassignment and close, from the
terminal over the in-process API."""

from __future__ import annotations

import json

from tests.cli.conftest import Run, create_user, ok

SAM = ("--user", "sam@example.com")


def test_it_runs_the_meeting_from_the_terminal(run: Run) -> None:
    create_user(run, "sam@example.com")
    create_user(run, "alex@example.com")  # the CLI acts as alex, the owner
    ok(run("team", "create", "Backend"))
    ok(run("team", "add", "Backend", "sam@example.com"))
    ok(run("project", "add", "api", "--team", "Backend"))
    # Two 4 h tasks due tonight: one is late in Alex's plan, and Sam is free.
    for title in ("Export to CSV", "Import from CSV"):
        ok(run("task", "add", title, "-p", "api", "--deadline", "today 18:00", "-e", "4h"))

    shown = ok(run("meeting"))
    assert "Backend meeting, Mon 30 Nov at 15:00 (open)" in shown
    assert "Deadlines at risk" in shown and "need" in shown
    assert "Alex -> Sam" in shown and "devday meeting reassign" in shown
    assert ok(run("meeting", "Backend")) == shown  # the team named, same agenda

    assert ok(run("meeting", "note", "Release moves to *Thursday*")).startswith("noted (")
    assert "decided" in ok(run("meeting", "decide", "Freeze the API", "--team", "Backend"))
    made = ok(run("meeting", "action", "Rotate keys", "--to", "sam@example.com", "--due", "tue"))
    assert made == "action item #3 Rotate keys for Sam, due Tue 01 Dec 18:00\n"
    bad = run("meeting", "action", "x", "--to", "sam@example.com", "--due", "someday")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: --due: cannot read")

    data = json.loads(ok(run("meeting", "--json")))
    [suggestion] = data["agenda"]["suggestions"]
    moved = ok(run("meeting", "reassign", str(suggestion["task_id"]), "--to", "sam@example.com"))
    assert moved.startswith(f"reassigned #{suggestion['task_id']}; plans re-made")
    assert "0 late" in moved and "1 late" not in moved

    refused = run(*SAM, "meeting", "close")
    assert refused.exit_code == 1
    assert "only the team's owners and managers close the meeting" in refused.stderr
    closed = ok(run("meeting", "close"))
    assert closed.startswith("closed; the summary went to 0 channels")
    assert "Decisions (2):" in closed and "Rotate keys: Sam, due Tue 01 Dec 18:00" in closed
    assert "(closed)" in ok(run("meeting"))
    again = run("meeting", "close")
    assert again.exit_code == 1 and again.stderr == "error: meeting: the meeting is closed\n"


def test_it_asks_which_team_when_there_are_several(run: Run) -> None:
    create_user(run, "alex@example.com")
    none = run("meeting")
    assert none.exit_code == 1 and "you are in no team" in none.stderr
    ok(run("team", "create", "Backend"))
    ok(run("team", "create", "Ops"))
    several = run("meeting", "note", "hi")
    assert several.exit_code == 1
    assert "several teams (Backend, Ops); name one with --team" in several.stderr
    assert ok(run("meeting", "note", "hi", "--team", "Ops")).startswith("noted")
