"""devday meeting: the agenda from the terminal, and a note that opens today's meeting."""

from __future__ import annotations

from tests.cli.conftest import Run, create_user


def test_it_notes_in_todays_meeting(run: Run) -> None:
    create_user(run, "alex@example.com")
    assert run("team", "create", "Backend").exit_code == 0
    shown = run("meeting")
    assert shown.exit_code == 0, shown.output
    noted = run("meeting", "note", "hello there")
    assert noted.exit_code == 0, noted.output
    assert "hello there" in run("meeting").output
