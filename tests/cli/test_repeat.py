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
