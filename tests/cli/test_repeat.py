"""``devday task add --repeat``: the phrase goes to the API, which answers with its rule."""

from __future__ import annotations

import json

from tests.cli.conftest import Run, create_user


def test_it_adds_a_repeating_task_from_the_command_line(run: Run) -> None:
    create_user(run, "alex@example.com")
    added = run("task", "add", "On-call handover", "--repeat", "every weekday")
    assert added.exit_code == 0, added.output
    assert added.output.splitlines()[-1] == "repeats every weekday"
    listed = json.loads(run("task", "list", "--json").output)
    assert listed[0]["repeat"]["rule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    refused = run("task", "add", "Water plants", "--repeat", "every blue moon")
    assert refused.exit_code != 0
    assert "every weekday" in refused.output


def test_it_sets_changes_and_ends_a_task_s_repeat_and_lists_skips_and_ends_series(
    run: Run,
) -> None:
    create_user(run, "alex@example.com")
    added = run("task", "add", "Weekly report")
    assert added.exit_code == 0, added.output
    task_id = json.loads(run("task", "list", "--json").output)[0]["id"]

    made = run("task", "edit", str(task_id), "--repeat", "every fri")
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[-1] == "repeats every Fri"
    (series,) = json.loads(run("series", "list", "--json").output)
    assert series["rule"] == "FREQ=WEEKLY;BYDAY=FR"
    assert series["open_task_id"] == task_id

    changed = run("task", "edit", str(task_id), "--repeat", "every 2 weeks on mon")
    assert changed.exit_code == 0, changed.output
    assert changed.output.splitlines()[-1] == "repeats every 2 weeks on Mon"
    listed = run("series", "list")
    assert listed.output.strip() == (
        f"#{series['id']} Weekly report: every 2 weeks on Mon; next for 2026-12-14, open #{task_id}"
    )

    refused = run("task", "edit", str(task_id), "--repeat", "every blue moon")
    assert refused.exit_code != 0
    assert "every weekday" in refused.output

    skipped = run("series", "skip", str(series["id"]))
    assert skipped.exit_code == 0, skipped.output
    tasks = json.loads(run("task", "list", "--json").output)
    assert [t["planned_date"] for t in tasks] == ["2026-12-14"]  # the next, made at once
    assert tasks[0]["id"] != task_id

    ended = run("task", "edit", str(tasks[0]["id"]), "--no-repeat")
    assert ended.exit_code == 0, ended.output
    assert ended.output.splitlines()[-1] == f"series #{series['id']} ended"
    assert run("series", "list").output.strip() == "no repeating tasks"
    assert "ended" in run("series", "list", "--ended").output
    again = run("series", "end", str(series["id"]))
    assert again.exit_code == 0, again.output
    missing = run("series", "skip", "999")
    assert missing.exit_code == 1
    assert "series 999 not found" in missing.output
