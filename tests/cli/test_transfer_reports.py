"""Every import says what it did (created, updated, skipped and why), refuses bad input naming
the line or field and leaving the database as it was, and shows progress for a big file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devday.cli import transfer
from tests.cli.conftest import Run, create_user, ok

UUIDS = [f"2ed9c9bb-456a-4bc3-a3f9-4d42cc7ebd{n:02x}" for n in range(10)]


def _tasks(run: Run) -> list[str]:
    return [task["title"] for task in json.loads(ok(run("task", "list", "--json")))]


def test_a_taskwarrior_import_reports_created_updated_unchanged_and_skipped(run: Run) -> None:
    create_user(run, "alex@example.com", "UTC")
    records = [
        {"uuid": UUIDS[0], "description": "Write the post", "status": "pending"},
        {"uuid": UUIDS[1], "description": "Review", "status": "pending"},
        {"uuid": UUIDS[2], "description": "Standup", "status": "recurring"},
    ]
    first = ok(run("import", "taskwarrior", "-", input=json.dumps(records)))
    assert first.splitlines() == [
        "imported 2 tasks: 2 new, 0 updated, 0 unchanged",
        "skipped 1:",
        "  tasks[2]: 'Standup' is a recurring template (its instances are imported)",
    ]
    records[1]["description"] = "Review the post"
    second = ok(run("import", "taskwarrior", "-", input=json.dumps(records[:2])))
    assert second.splitlines() == ["imported 2 tasks: 0 new, 1 updated, 1 unchanged"]


def test_a_bad_taskwarrior_record_names_its_field_and_imports_nothing(run: Run) -> None:
    create_user(run, "alex@example.com", "UTC")
    records = [
        {"uuid": UUIDS[0], "description": "Good one"},
        {"uuid": UUIDS[1], "description": "Good two"},
        {"uuid": UUIDS[2], "description": "Bad", "priority": "urgent"},
    ]
    refused = run("import", "taskwarrior", "-", input=json.dumps(records))
    assert refused.exit_code == 1
    assert "tasks[2].priority" in refused.stderr
    assert "unknown priority 'urgent'" in refused.stderr
    assert _tasks(run) == []
    broken = run("import", "taskwarrior", "-", input='[\n{"uuid": "x",\n"description" "y"}]')
    assert broken.exit_code == 1
    assert "standard input is not JSON" in broken.stderr
    assert "line 3" in broken.stderr


def test_a_todoist_import_counts_what_it_skipped_and_why(run: Run) -> None:
    create_user(run, "alex@example.com", "UTC")
    csv = "TYPE,CONTENT,PRIORITY\ntask,Write the post,1\ntask,,2\nevent,Party,1\nmeta,x,\n"
    result = ok(run("import", "todoist", "-", "--project", "Blog", input=csv))
    assert result.splitlines() == [
        "imported 1 tasks: 1 new, 0 updated, 0 unchanged",
        "skipped 2:",
        "  line 3: a task with no CONTENT",
        "  line 4: a row of type 'event', which devday does not import",
        "new projects: Blog",
    ]


def test_a_bad_todoist_line_is_named_and_nothing_is_imported(run: Run) -> None:
    create_user(run, "alex@example.com", "UTC")
    csv = "TYPE,CONTENT,PRIORITY,INDENT\ntask,One,1,1\ntask,Two,2,1\ntask,Three,3,deep\n"
    refused = run("import", "todoist", "-", "--project", "Blog", input=csv)
    assert refused.exit_code == 1
    assert "line 4: INDENT is a whole number, not 'deep'" in refused.stderr
    assert _tasks(run) == []
    assert "Blog" not in ok(run("project", "list"))


def test_a_bad_account_row_is_named_and_the_account_stays_empty(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com")
    ok(run("task", "add", "Write the guide", "--tag", "docs"))
    document = json.loads(ok(run("export")))
    document["tasks"].append({"ref": 999, "title": "Broken", "status": "someday"})
    target = tmp_path / "alex.json"
    target.write_text(json.dumps(document))
    create_user(run, "robin@example.com", "UTC")
    refused = run("import", str(target))
    assert refused.exit_code == 1
    assert f"tasks[{len(document['tasks']) - 1}].status" in refused.stderr
    assert _tasks(run) == []
    del document["tasks"][-1]
    target.write_text(json.dumps(document))
    imported = ok(run("import", str(target)))
    assert imported.startswith("imported ")
    assert "1 tasks" in imported
    assert _tasks(run) == ["Write the guide"]


def test_a_big_file_shows_progress_on_a_terminal(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(run, "alex@example.com", "UTC")
    records = [
        {"uuid": f"00000000-0000-4000-8000-{n:012x}", "description": f"task {n}"}
        for n in range(300)
    ]
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(records))
    quiet = run("import", "taskwarrior", str(source))
    assert quiet.exit_code == 0
    assert quiet.stderr == ""  # not a terminal: no bar
    monkeypatch.setattr(transfer, "_progress_wanted", lambda size: size > 0)
    shown = run("import", "taskwarrior", str(source))
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[0] == "imported 300 tasks: 0 new, 0 updated, 300 unchanged"
    assert "reading tasks.json" in shown.stderr
    assert "importing 300 tasks" in shown.stderr
    assert "━" in shown.stderr  # the bar itself
