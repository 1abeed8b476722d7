"""devday import todoist: a Todoist CSV export into one project."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run, create_user, ok

HEADER = (
    "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,"
    "DURATION,DURATION_UNIT"
)
POST = (
    "task,Write the launch post,Keep it short,1,1,Alex (123),Sam (456),2026-12-04 15:00,en,"
    "Europe/Berlin,90,minute"
)
CSV = f"""\ufeff{HEADER}
section,Writing,,,,,,,,,,
{POST}
note,Sam sent the numbers,,,,,,,,,,
task,Collect screenshots,,3,2,Alex (123),,,en,,,
task,Proofread,,4,2,Alex (123),,tomorrow,en,,1,day
,,,,,,,,,,,
section,Chores & Admin,,,,,,,,,,
task,Water the plants,,2,1,Alex (123),,every mon,en,,,
task,Howl,,4,1,Alex (123),,every blue moon,en,,,
task,Renew passport,,4,1,Alex (123),,irgendwann,de,,,
meta,view_style=list,,,,,,,,,,
"""


def test_it_imports_a_todoist_project(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com")
    source = tmp_path / "Launch.csv"
    source.write_text(CSV, encoding="utf-8")
    result = ok(run("import", "todoist", str(source)))
    assert result.splitlines() == [
        "imported 6 tasks: 6 new, 0 updated, 0 unchanged",
        "new projects: Launch",
    ]
    tasks = {t["title"]: t for t in json.loads(ok(run("task", "list", "--json")))}
    post = tasks["Write the launch post"]
    assert post["importance"] == 4  # PRIORITY 1 is P1
    assert post["tags"] == ["writing"]
    assert post["deadline"] == "2026-12-04T14:00:00Z"
    assert post["estimate_minutes"] == 90
    assert "Keep it short" in post["notes"]
    assert "Sam sent the numbers" in post["notes"]
    assert "Responsible: Sam (456)" in post["notes"]
    screenshots, proofread = tasks["Collect screenshots"], tasks["Proofread"]
    assert sorted(post["depends_on"]) == sorted([screenshots["id"], proofread["id"]])
    assert "Sub-task of: Write the launch post" in screenshots["notes"]
    assert proofread["estimate_minutes"] == 480
    assert proofread["deadline"] is not None  # "tomorrow" read in the user's timezone
    plants = tasks["Water the plants"]
    assert plants["tags"] == ["chores-admin"]
    # A recurring date becomes a devday series; one devday cannot read stays in the notes.
    assert plants["repeat"]["description"] == "every Mon"
    assert plants["repeat"]["rule"] == "FREQ=WEEKLY;BYDAY=MO"
    assert "Repeats:" not in plants["notes"] and plants["deadline"] is None
    assert "Repeats: every blue moon" in tasks["Howl"]["notes"]
    assert tasks["Howl"]["repeat"] is None
    assert "Due: irgendwann" in tasks["Renew passport"]["notes"]
    assert {t["project_id"] for t in tasks.values()} == {post["project_id"]}

    into = ok(run("import", "todoist", "-", "--project", "Launch", input=CSV))
    assert "new projects" not in into  # the project is found by name


def test_it_refuses_a_file_that_is_not_todoists(run: Run, tmp_path: Path) -> None:
    create_user(run, "alex@example.com")
    refused = run("import", "todoist", "-", input="a,b\n1,2\n")
    assert refused.exit_code == 1
    assert "not a Todoist CSV: it needs the columns TYPE and CONTENT" in refused.stderr
    bad = run("import", "todoist", "-", input="TYPE,CONTENT,PRIORITY\ntask,x,9\n")
    assert bad.exit_code == 1
    assert "line 2: PRIORITY is 1 (highest) to 4, not 9" in bad.stderr
