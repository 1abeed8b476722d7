from __future__ import annotations

import json

from tests.cli.conftest import Run, create_user, rows


def test_it_manages_a_team_its_members_and_projects(run: Run) -> None:
    create_user(run, "sam@example.com")
    create_user(run, "alex@example.com")  # the CLI now acts as alex
    created = run("team", "create", "Backend")
    assert created.output == "created team #1 Backend (Europe/Berlin)\n"
    assert run("team", "create", "Ops", "--timezone", "Asia/Tokyo").exit_code == 0
    teams = json.loads(run("team", "list", "--json").output)
    assert [(t["name"], t["my_role"]) for t in teams] == [("Backend", "owner"), ("Ops", "owner")]
    assert rows(run("team", "list").output) == [
        "1 Backend Europe/Berlin owner",
        "2 Ops Asia/Tokyo owner",
    ]

    added = run("team", "add", "backend", "sam@example.com", "--role", "manager")
    assert added.output == "added sam@example.com to Backend as manager\n"
    members = run("team", "members", "1")
    assert "sam@example.com" in members.output
    assert "manager" in members.output

    assert run("project", "add", "api", "--team", "Backend").output == (
        "added project #1 api (team Backend)\n"
    )
    assert run("project", "add", "notes").exit_code == 0
    listed = run("project", "list")
    assert rows(listed.output) == ["1 api Backend", "2 notes personal"]

    # Sam is a teammate now, so a task can be assigned to them by email.
    assigned = run("task", "add", "Review", "-p", "api", "--assignee", "sam@example.com")
    assert assigned.exit_code == 0, assigned.output
    assert "Sam <sam@example.com>" in run("task", "show", "1").output

    removed = run("team", "remove", "Backend", "sam@example.com")
    assert removed.output == "removed sam@example.com from Backend\n"
    assert "sam@example.com" not in run("team", "members", "Backend").output
    again = run("team", "remove", "Backend", "sam@example.com")
    assert again.stderr == "error: 'sam@example.com' is not a member of Backend\n"
    stranger = run("task", "add", "x", "--assignee", "sam@example.com")
    assert stranger.exit_code == 1
    assert "no one with the email 'sam@example.com' in your teams" in stranger.stderr


def test_it_creates_lists_and_revokes_tokens(run: Run) -> None:
    create_user(run, "alex@example.com")
    created = run("token", "create", "laptop")
    assert created.exit_code == 0, created.output
    assert created.stdout.startswith("dd_")
    assert "store this secret now; it is never shown again" in created.stderr
    listed = run("token", "list")
    assert "laptop" in listed.output
    assert "active" in listed.output
    assert run("token", "revoke", "1").output == "revoked token #1 laptop\n"
    tokens = json.loads(run("token", "list", "--json").output)
    assert tokens[0]["revoked_at"] is not None
    assert run("token", "revoke", "9").stderr == "error: token not found\n"


def test_it_shows_who_i_am(run: Run) -> None:
    create_user(run, "alex@example.com", "Asia/Tokyo")
    shown = run("me")
    assert "timezone:  Asia/Tokyo" in shown.output
    assert "via:       the local database" in shown.output
    assert json.loads(run("me", "--json").output)["email"] == "alex@example.com"
