"""The task page of a repeating task: "Edit the series" and the Edit form's Repeat field."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, csrf_from, sign_up, web_log_in
from tests.recurrence.support import all_tasks, open_tasks


def _page(client: TestClient, task_id: int) -> str:
    page = client.get(f"/tasks/{task_id}")
    assert page.status_code == 200, page.text
    return page.text


def _post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data=data, follow_redirects=False)


def _value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def _edit_form(html: str, **changes: str) -> dict[str, Any]:
    """The task page's Edit form as it came, with ``changes``."""
    edit = html[html.index('<h2 id="edit">') :]
    form = {
        "csrf_token": csrf_from(html),
        "title": re.search(r'id="title" name="title"[^>]*value="([^"]*)"', edit)[1],  # type: ignore[index]
        "notes": "",
        "importance": "2",
        "kind": "other",
        "estimate_minutes": "",
        "deadline": "",
        "earliest_start": "",
        "planned_date": "",
        "splittable": "on",
        "min_chunk_minutes": "30m",
        "project_id": "",
        "tags": "",
        "repeat_was": _value(edit, "repeat_was"),
        "repeat": re.search(r'id="repeat" name="repeat"[^>]*value="([^"]*)"', edit)[1],  # type: ignore[index]
        "version": _value(edit, "version"),
    }
    return {**form, **changes}


def test_it_edits_the_whole_series_from_an_instance_s_page(
    client: TestClient, alice: Account
) -> None:
    task = client.post(
        "/api/v1/tasks",
        json={"title": "Weekly report", "repeat": "every fri", "estimate_minutes": 30},
        headers=alice.headers,
    ).json()
    assert web_log_in(client, alice.email).status_code == 303
    html = _page(client, task["id"])
    assert "Edit the series" in html
    series_form = html[html.index('id="edit-series"') :]
    assert 'value="every fri"' in series_form and 'value="30m"' in series_form
    form = {
        "csrf_token": csrf_from(html),
        "task_id": str(task["id"]),
        "version": _value(series_form, "version"),
        "repeat": "every 2 weeks on mon",
        "title": "Fortnightly report",
        "estimate_minutes": "1h",
        "importance": "3",
    }
    # Without the page's CSRF token nothing changes.
    forged = client.post(
        f"/series/{task['repeat']['series_id']}/edit", data={**form, "csrf_token": "x"}
    )
    assert forged.status_code == 403
    saved = _post(client, f"/series/{task['repeat']['series_id']}/edit", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/tasks/{task['id']}?saved=1"
    series = client.get(
        f"/api/v1/series/{task['repeat']['series_id']}", headers=alice.headers
    ).json()
    assert (series["rule"], series["title"], series["estimate_minutes"], series["importance"]) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        "Fortnightly report",
        60,
        3,
    )
    # The open instance follows the series where it had the series' values.
    (current,) = open_tasks(client, alice, "Fortnightly report")
    assert (current["estimate_minutes"], current["importance"]) == (60, 3)
    html = _page(client, task["id"])
    assert "every 2 weeks on Mon" in html
    # A second save with the old version is refused and says why.
    stale = client.post(f"/series/{task['repeat']['series_id']}/edit", data=form)
    assert stale.status_code == 409
    assert "changed" in stale.text.lower()
    bad = client.post(
        f"/series/{task['repeat']['series_id']}/edit",
        data={**form, "version": str(series["version"]), "repeat": "every blue moon"},
    )
    assert bad.status_code == 422
    assert "every weekday" in bad.text
    # Someone else cannot, and learns nothing of it.
    bob = sign_up(client, "Bob")
    assert web_log_in(client, bob.email).status_code == 303
    theirs = _post(
        client,
        f"/series/{task['repeat']['series_id']}/edit",
        {**form, "csrf_token": csrf_from(client.get("/tasks").text), "title": "Mine now"},
    )
    assert theirs.status_code == 404
    assert "Mine now" not in theirs.text
    after = client.get(f"/api/v1/series/{series['id']}", headers=alice.headers).json()
    assert after["title"] == "Fortnightly report"


def test_the_edit_form_sets_changes_and_clears_a_task_s_repeat(
    client: TestClient, alice: Account
) -> None:
    task = client.post(
        "/api/v1/tasks", json={"title": "Water plants"}, headers=alice.headers
    ).json()
    assert web_log_in(client, alice.email).status_code == 303
    html = _page(client, task["id"])
    assert "Edit the series" not in html
    saved = _post(client, f"/tasks/{task['id']}", data=_edit_form(html, repeat="every! 3 days"))
    assert saved.status_code == 303, saved.text
    html = _page(client, task["id"])
    assert 'id="repeats">3 days after the last one is done' in html
    # Saved again as shown, the rule is no change.
    saved = _post(client, f"/tasks/{task['id']}", data=_edit_form(html, title="Water the plants"))
    assert saved.status_code == 303, saved.text
    series_id = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()["repeat"][
        "series_id"
    ]
    before = client.get(f"/api/v1/series/{series_id}", headers=alice.headers).json()
    assert before["repeat"] == "every! 3 days"
    html = _page(client, task["id"])
    changed = _post(client, f"/tasks/{task['id']}", _edit_form(html, repeat="every mon"))
    assert changed.status_code == 303, changed.text
    assert 'id="repeats">every Mon; the next for Mon 07 Dec' in _page(client, task["id"])
    refused = _post(
        client, f"/tasks/{task['id']}", _edit_form(_page(client, task["id"]), repeat="every moon")
    )
    assert refused.status_code == 422
    assert "every weekday" in refused.text
    html = _page(client, task["id"])
    cleared = _post(client, f"/tasks/{task['id']}", _edit_form(html, repeat=""))
    assert cleared.status_code == 303, cleared.text
    html = _page(client, task["id"])
    assert "every Mon (ended)" in html
    assert len(all_tasks(client, alice, "Water the plants")) == 1
