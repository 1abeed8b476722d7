"""A deadline already past, or on a day the user's routine does not work, is saved with a
warning that names the task by title and the time in the user's timezone: in the API's
``warnings``, on the pages after saving. The clock stands at Monday 30 Nov 2026, 10:00 in
Berlin (alice's zone); Saturdays and Sundays are off in the default routine."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_task, csrf_from
from tests.task.test_pages import form_token, new_form, signed_in
from tests.web.test_tasks import edit_form

TASKS = "/api/v1/tasks"
PAST = "the deadline of 'Send the invoice', Mon 30 Nov 07:00 (Europe/Berlin), has already passed"
SATURDAY = (
    "the deadline of 'Release', Sat 05 Dec 18:00 (Europe/Berlin), is on a Saturday, "
    "which is not a working day in your routine"
)


def create(client: TestClient, who: Account, title: str, **fields: Any) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": title, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def patch(client: TestClient, who: Account, task: dict[str, Any], **fields: Any) -> Any:
    response = client.patch(
        f"{TASKS}/{task['id']}", json={**fields, "version": task["version"]}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


# --- the API --------------------------------------------------------------------------------------


def test_it_saves_a_past_deadline_and_warns_in_the_users_timezone(
    client: TestClient, alice: Account
) -> None:
    task = create(client, alice, "Send the invoice", deadline="2026-11-30T06:00:00Z")
    assert task["warnings"] == [PAST]  # 06:00 UTC is 07:00 in Berlin, three hours ago
    stored = client.get(f"{TASKS}/{task['id']}", headers=alice.headers).json()
    assert stored["deadline"] == "2026-11-30T06:00:00Z"
    assert "warnings" not in stored  # a read says nothing: the warning is about the save


def test_it_warns_of_a_deadline_on_a_day_off(client: TestClient, alice: Account) -> None:
    # A date alone is the end of that working day: Saturday 18:00 in Berlin.
    assert create(client, alice, "Release", deadline="2026-12-05")["warnings"] == [SATURDAY]
    both = create(client, alice, "Weekend", deadline="2026-11-29T12:00:00+01:00")["warnings"]
    assert [w.split(", ", 2)[-1] for w in both] == [
        "has already passed",
        "is on a Sunday, which is not a working day in your routine",
    ]


def test_it_says_nothing_of_a_deadline_on_a_working_day_ahead(
    client: TestClient, alice: Account
) -> None:
    assert create(client, alice, "Fix", deadline="2026-12-04T17:00:00+01:00")["warnings"] == []
    assert create(client, alice, "Someday")["warnings"] == []
    # Finished work has no deadline to worry about.
    assert create(client, alice, "Old", deadline="2026-11-02", status="done")["warnings"] == []


def test_it_follows_the_users_own_working_days(client: TestClient, alice: Account) -> None:
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    routine["working_hours"]["sat"] = [["10:00", "14:00"]]
    put = client.put("/api/v1/routine", json=routine, headers=alice.headers)
    assert put.status_code == 200, put.text
    assert create(client, alice, "Release", deadline="2026-12-05")["warnings"] == []
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    routine["working_hours"]["fri"] = []
    assert client.put("/api/v1/routine", json=routine, headers=alice.headers).status_code == 200
    assert create(client, alice, "Demo", deadline="2026-12-04")["warnings"] == [
        "the deadline of 'Demo', Fri 04 Dec 18:00 (Europe/Berlin), is on a Friday, "
        "which is not a working day in your routine"
    ]


def test_it_warns_on_an_update_only_when_the_deadline_changes(
    client: TestClient, alice: Account
) -> None:
    task = create(client, alice, "Send the invoice", deadline="2026-12-02")
    assert task["warnings"] == []
    moved = patch(client, alice, task, deadline="2026-11-30T07:00:00+01:00")
    assert moved["warnings"] == [PAST]
    renamed = patch(client, alice, moved, title="Send the invoice")
    assert renamed["warnings"] == []  # the deadline stayed: said once is enough
    weekend = patch(client, alice, renamed, deadline="2026-12-05", title="Release")
    assert weekend["warnings"] == [SATURDAY]


def test_the_openapi_schema_documents_the_warnings(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    saved = spec["components"]["schemas"]["TaskSaved"]
    assert saved["properties"]["warnings"]["type"] == "array"
    assert saved["properties"]["warnings"]["items"] == {"type": "string"}
    assert "not a working day" in saved["properties"]["warnings"]["description"]
    for method, status in (("post", "201"), ("patch", "200")):
        path = TASKS if method == "post" else TASKS + "/{task_id}"
        content = spec["paths"][path][method]["responses"][status]["content"]
        assert content["application/json"]["schema"]["$ref"].endswith("/TaskSaved")


# --- the pages -----------------------------------------------------------------------------------

WARNING = '<p class="notice warning" role="status"><strong>Warning:</strong> '


def test_the_new_task_page_saves_a_past_deadline_and_shows_the_warning(
    client: TestClient, alice: Account
) -> None:
    signed_in(client, alice)
    page = client.get("/tasks/new").text
    response = client.post(
        "/tasks/new", data=new_form(page, title="Send the invoice", deadline="2026-11-30T07:00")
    )
    assert response.status_code == 200 and "Task added." in response.text
    assert WARNING + "The deadline of &#39;Send the invoice&#39;, Mon 30 Nov 07:00" in response.text
    assert "has already passed." in response.text
    fine = client.post("/tasks/new", data=new_form(client.get("/tasks/new").text, title="Fine"))
    assert "Task added." in fine.text and WARNING not in fine.text


def test_the_task_page_warns_after_an_edit_moves_the_deadline_to_a_day_off(
    client: TestClient, alice: Account
) -> None:
    task = api_task(client, alice, "Release", deadline="2026-12-02")
    signed_in(client, alice, f"/tasks/{task['id']}")
    form = edit(client, alice, task["id"], deadline="2026-12-05T18:00")
    saved = client.post(f"/tasks/{task['id']}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/tasks/{task['id']}?saved=1&check=deadline"
    shown = client.get(saved.headers["location"]).text
    assert WARNING + "The deadline of &#39;Release&#39;, Sat 05 Dec 18:00" in shown
    assert "is on a Saturday, which is not a working day in your routine." in shown
    # Saving again without moving the deadline says nothing more.
    again = client.post(f"/tasks/{task['id']}", data=edit(client, alice, task["id"], notes="go"))
    assert "Saved." in again.text and WARNING not in again.text


def test_quick_add_shows_the_warning_beside_the_added_line(
    client: TestClient, alice: Account
) -> None:
    signed_in(client, alice)
    page = client.get("/tasks").text
    response = client.post(
        "/tasks/quick",
        data={"text": "Release sat", "form_token": form_token(page), "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 200
    assert "Added: Release, due Sat 05 Dec 18:00" in response.text
    assert WARNING + "The deadline of &#39;Release&#39;, Sat 05 Dec 18:00" in response.text


def test_pages_show_the_year_of_a_date_outside_the_current_one(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = api_task(client, alice, "Plan the year", deadline="2027-01-04T17:00:00+01:00")
    soon = api_task(client, alice, "Ship", deadline="2026-12-04T17:00:00+01:00")
    signed_in(client, alice)
    listed = client.get("/tasks").text
    assert "Mon 04 Jan 2027 17:00" in listed and "Fri 04 Dec 17:00" in listed
    assert "Fri 04 Dec 2026" not in listed
    # The app's clock decides what "this year" is, in the user's zone: at 00:30 on New Year's
    # day in Berlin (still 31 Dec in UTC) January is this year and December last year's.
    clock.set(clock.now().replace(year=2026, month=12, day=31, hour=23, minute=30))
    signed_in(client, alice)  # a month on: the old session has lapsed
    detail = client.get(f"/tasks/{task['id']}").text
    assert "Mon 04 Jan 17:00" in detail and "Mon 04 Jan 2027" not in detail
    assert "Fri 04 Dec 2026 17:00" in client.get(f"/tasks/{soon['id']}").text


# --- helpers -------------------------------------------------------------------------------------


def edit(client: TestClient, who: Account, task_id: int, **changes: str) -> dict[str, Any]:
    """The task page's edit form as the page fills it (the deadline too), with ``changes``."""
    html = client.get(f"/tasks/{task_id}").text
    task = client.get(f"{TASKS}/{task_id}", headers=who.headers).json()
    found = re.search(r'name="deadline" value="([^"]*)"', html)
    kept = {"deadline": found.group(1) if found else ""}
    return edit_form(task, csrf_token=csrf_from(html), **{**kept, **changes})
