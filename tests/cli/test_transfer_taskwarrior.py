"""devday import/export taskwarrior against the real Taskwarrior (/usr/bin/task)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Run, create_user, ok
from tests.cli.test_remote import server as server  # the fixture: a devday server over HTTP
from tests.factories import PASSWORD

pytestmark = pytest.mark.skipif(shutil.which("task") is None, reason="needs Taskwarrior")

Task = Callable[..., str]

COMPARED = (
    "uuid description project tags priority due scheduled wait depends status entry end "
    "annotations estimate"
).split()


def taskwarrior(home: Path) -> Task:
    """``task`` with its own data folder, no confirmations, no hooks, and an estimate UDA."""
    home.mkdir()
    rc = home / "taskrc"
    rc.write_text(
        f"data.location={home / 'data'}\n"
        "confirmation=off\nhooks=off\nverbose=nothing\nnews.version=99\n"
        "uda.estimate.type=duration\nuda.estimate.label=Estimate\n"
    )
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(home / "data"), "TZ": "UTC"}

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            ["task", "rc.confirmation=off", "rc.hooks=off", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def exported(task: Task) -> dict[str, dict[str, Any]]:
    return {
        record["uuid"]: {name: record.get(name) for name in COMPARED}
        for record in json.loads(task("export"))
    }


def test_it_takes_tasks_from_taskwarrior_and_gives_them_back(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com", "UTC")
    first = taskwarrior(tmp_path / "first")
    first(
        "add", "Write the migration guide", "project:Home.Garden", "+docs", "+writing",
        "priority:H", "due:2026-12-20T15:30:00", "scheduled:2026-12-10", "wait:2026-12-08",
        "estimate:PT1H30M",
    )  # fmt: skip
    first("add", "Review the guide", "priority:L", "project:Home.Garden")
    first("2", "modify", "depends:1")
    first("1", "annotate", "asked Sam for the outline")
    first("1", "annotate", "outline arrived")
    first("add", "Medium one", "priority:M", "estimate:PT45M")
    first("add", "Ship it", "+release")
    first("+LATEST", "done")
    first("add", "Not needed")
    first("+LATEST", "delete")
    first("add", "Later", "wait:2027-01-04")
    original = exported(first)
    assert len(original) == 6
    source = tmp_path / "from-taskwarrior.json"
    source.write_text(first("export"))

    imported = ok(run("import", "taskwarrior", str(source)))
    assert imported.splitlines() == [
        "imported 6 tasks: 6 new, 0 updated, 0 unchanged",
        "new projects: Home.Garden",
    ]
    shown = json.loads(ok(run("task", "list", "--all", "--json")))
    by_title = {task["title"]: task for task in shown}
    guide = by_title["Write the migration guide"]
    assert guide["importance"] == 4
    assert guide["tags"] == ["docs", "writing"]
    assert guide["estimate_minutes"] == 90
    assert guide["planned_date"] == "2026-12-10"
    assert "outline arrived" in guide["notes"]
    assert by_title["Review the guide"]["depends_on"] == [guide["id"]]
    assert by_title["Ship it"]["status"] == "done"
    assert by_title["Not needed"]["status"] == "dropped"

    # Back out, into a Taskwarrior that has never seen these tasks.
    out = tmp_path / "from-devday.json"
    ok(run("export", "taskwarrior", "-o", str(out)))
    second = taskwarrior(tmp_path / "second")
    second("import", str(out))
    assert exported(second) == original

    # Importing the same tasks again changes nothing; a change in Taskwarrior comes through.
    again = ok(run("import", "taskwarrior", "-", input=source.read_text()))
    assert again.splitlines()[0] == "imported 6 tasks: 0 new, 0 updated, 6 unchanged"
    second("1", "modify", "priority:M")
    changed = ok(run("import", "taskwarrior", "-", input=second("export")))
    assert changed.splitlines()[0] == "imported 6 tasks: 0 new, 1 updated, 5 unchanged"
    listed = json.loads(ok(run("task", "list", "--all", "--json")))
    assert len(listed) == 6
    guide = next(t for t in listed if t["title"] == "Write the migration guide")
    assert guide["importance"] == 3


def test_it_keeps_the_uuid_of_a_task_made_in_devday(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com", "UTC")
    ok(run("task", "add", "Made here", "--notes", "some context"))
    out = tmp_path / "out.json"
    ok(run("export", "taskwarrior", "-o", str(out)))
    tw = taskwarrior(tmp_path / "tw")
    tw("import", str(out))
    [record] = json.loads(tw("export"))
    assert record["annotations"][0]["description"] == "some context"
    assert record["uuid"] == json.loads(out.read_text())[0]["uuid"]
    back = ok(run("import", "taskwarrior", "-", input=tw("export")))
    assert back.splitlines()[0] == "imported 1 tasks: 0 new, 1 updated, 0 unchanged"
    assert len(json.loads(ok(run("task", "list", "--json")))) == 1


def test_it_skips_recurring_templates_and_names_a_bad_field(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com", "UTC")
    tw = taskwarrior(tmp_path / "tw")
    tw("add", "Standup notes", "due:2026-12-07", "recur:weekly")
    result = ok(run("import", "taskwarrior", "-", input=tw("export")))
    assert result.splitlines() == [
        "imported 1 tasks: 1 new, 0 updated, 0 unchanged",
        "skipped 1:",
        "  tasks[0]: 'Standup notes' is a recurring template (its instances are imported)",
    ]
    bad = [{"uuid": "2ed9c9bb-456a-4bc3-a3f9-4d42cc7ebded", "description": "x", "due": "soon"}]
    refused = run("import", "taskwarrior", "-", input=json.dumps(bad))
    assert refused.exit_code == 1
    assert "tasks[0].due" in refused.stderr
    assert "'soon' is not a date" in refused.stderr
    not_json = run("import", "taskwarrior", "-", input="nope")
    assert not_json.exit_code == 1
    assert "standard input is not JSON" in not_json.stderr


def test_it_imports_more_than_an_ordinary_body_over_http(
    run: Run, server: str, tmp_path: Path
) -> None:
    create_user(run, "alex@example.com", "UTC", "--server", server)
    login = run("--server", server, "login", "--email", "alex@example.com", "--password-stdin",
                input=PASSWORD + "\n")  # fmt: skip
    assert login.exit_code == 0, login.output
    note = {"entry": "20261130T090000Z", "description": "x" * 8000}
    records = [
        {"uuid": str(uuid.UUID(int=n + 1)), "description": f"task {n}", "annotations": [note]}
        for n in range(150)
    ]
    body = json.dumps(records)
    assert len(body) > 1024 * 1024  # over DEVDAY_MAX_BODY_BYTES: imports have their own limit
    result = ok(run("--server", server, "import", "taskwarrior", "-", input=body))
    assert result.splitlines()[0] == "imported 150 tasks: 150 new, 0 updated, 0 unchanged"
    exported = json.loads(ok(run("--server", server, "export", "taskwarrior")))
    assert len(exported) == 150
    assert exported[0]["annotations"] == [note]


def test_it_refuses_dependencies_that_make_a_cycle(run: Run) -> None:
    create_user(run, "alex@example.com", "UTC")
    a, b = "2ed9c9bb-456a-4bc3-a3f9-4d42cc7ebded", "1febed6d-793d-49d7-acd9-1f488109b3ca"
    records = [
        {"uuid": a, "description": "First", "depends": [b]},
        {"uuid": b, "description": "Second", "depends": [a]},
    ]
    refused = run("import", "taskwarrior", "-", input=json.dumps(records))
    assert refused.exit_code == 1
    assert "the dependencies make a cycle: 'First' → 'Second' → 'First'" in refused.stderr
    assert json.loads(ok(run("task", "list", "--json"))) == []  # nothing was imported


def test_it_leaves_a_team_task_in_its_team_project(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com", "UTC")
    ok(run("team", "create", "Backend"))
    ok(run("project", "add", "api", "--team", "Backend"))
    ok(run("task", "add", "Fix the login", "-p", "api"))
    exported = ok(run("export", "taskwarrior"))
    assert json.loads(exported)[0]["project"] == "api"
    again = ok(run("import", "taskwarrior", "-", input=exported))
    assert "new projects" not in again
    [task] = json.loads(ok(run("task", "list", "--json")))
    assert task["project_id"] == 1 and task["team_id"] is not None
