"""devday export and devday import FILE: a whole account out, and into an empty one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run, create_user, ok


def test_it_exports_an_account_and_imports_it_into_another(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com")
    ok(run("project", "add", "Docs"))
    ok(run("task", "add", "Write the guide", "-p", "Docs", "--tag", "docs"))
    ok(run("task", "add", "Old chore"))
    target = tmp_path / "alex.json"
    assert ok(run("export", "-o", str(target))) == ""
    document = json.loads(target.read_text())
    assert document["format"] == "devday-export"
    assert [t["title"] for t in document["tasks"]] == ["Write the guide", "Old chore"]

    create_user(run, "robin@example.com", "UTC")  # the CLI acts as Robin now
    imported = ok(run("import", str(target)))
    assert "2 tasks" in imported
    assert "1 projects" in imported
    again = json.loads(ok(run("export")))
    assert again["tasks"] == document["tasks"]
    assert again["task_tags"] == document["task_tags"]
    refused = run("import", "-", input=target.read_text())
    assert refused.exit_code == 1
    assert "import into a new, empty account" in refused.stderr


def test_it_needs_a_file_to_import(run: Run) -> None:
    create_user(run, "alex@example.com")
    bare = run("import")
    assert bare.exit_code == 2
    assert "taskwarrior" in bare.output
    missing = run("import", "nowhere.json")
    assert missing.exit_code == 1
    assert "cannot read nowhere.json" in missing.stderr
    wrong = run("export", "bogus")
    assert wrong.exit_code == 2
    assert "no such export 'bogus'" in wrong.stderr
