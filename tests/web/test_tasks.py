from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Account, api_task, csrf_from, web_log_in


def read_task(account: Account, client: TestClient, task_id: int) -> dict[str, Any]:
    task: dict[str, Any] = client.get(f"/api/v1/tasks/{task_id}", headers=account.headers).json()
    return task


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-task-id="(\d+)"', html)]


def signed_in(client: TestClient, account: Account, path: str = "/tasks") -> str:
    web_log_in(client, account.email)
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


@pytest.mark.parametrize("path", ["/tasks", "/tasks/1", "/settings"])
def test_it_sends_a_signed_out_visitor_to_the_login_page(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=" + path


def test_it_adds_a_task_from_one_line_and_confirms_it(client: TestClient, alice: Account) -> None:
    client.post("/api/v1/projects", json={"name": "billing"}, headers=alice.headers)
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/quick",
        data={"text": "Fix login bug fri 17:00 2h P2 #api +Billing", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/tasks?added=")
    page = client.get(response.headers["location"])
    assert "Added: Fix login bug, due Fri 04 Dec 17:00" in page.text
    [task_id] = row_ids(page.text)
    task = read_task(alice, client, task_id)
    assert task["title"] == "Fix login bug"
    assert task["deadline"] == "2026-12-04T16:00:00Z"
    assert task["estimate_minutes"] == 120
    assert task["priority"] == "P2"
    assert task["tags"] == ["api"]
    assert task["project_id"] is not None


def test_it_names_an_unknown_project_next_to_the_quick_add_field(
    client: TestClient, alice: Account
) -> None:
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/quick", data={"text": "Send invoice +nowhere", "csrf_token": token}
    )
    assert response.status_code == 422
    assert 'id="quick-error"' in response.text
    assert "no project named &#39;nowhere&#39;" in response.text
    assert 'value="Send invoice +nowhere"' in response.text  # kept for a retry
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []


def test_it_shows_a_skipped_dst_time_next_to_the_quick_add_field(
    client: TestClient, alice: Account
) -> None:
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/quick", data={"text": "Backup 2027-03-28 02:30", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "does not exist in Europe/Berlin" in response.text


def test_it_refuses_quick_add_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    signed_in(client, alice)
    response = client.post("/tasks/quick", data={"text": "Sneaky", "csrf_token": "forged"})
    assert response.status_code == 403
    assert "Your form expired" in response.text
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []


def test_it_filters_the_list(client: TestClient, alice: Account) -> None:
    project = client.post("/api/v1/projects", json={"name": "web"}, headers=alice.headers).json()
    api = api_task(client, alice, title="API docs", tags=["api"], deadline="2026-12-02")
    web = api_task(client, alice, title="Web form", project_id=project["id"], deadline="2026-12-09")
    done = api_task(client, alice, title="Old chore", status="done")
    planned = api_task(client, alice, title="Planned thing", planned_date="2026-12-01")
    signed_in(client, alice)

    def ids(query: str) -> list[int]:
        page = client.get("/tasks?" + query)
        assert page.status_code == 200
        return row_ids(page.text)

    assert ids("") == [api["id"], web["id"], planned["id"]]  # open, by deadline
    assert ids("tag=api") == [api["id"]]
    assert ids(f"project={project['id']}") == [web["id"]]
    assert ids("status=done") == [done["id"]]
    assert set(ids("status=any")) == {api["id"], web["id"], done["id"], planned["id"]}
    assert ids("before=2026-12-02") == [api["id"]]  # on or before, in the user's zone
    assert ids("after=2026-12-03") == [web["id"]]
    assert ids("planned=2026-12-01") == [planned["id"]]
    assert ids("q=form") == [web["id"]]
    empty = client.get("/tasks?q=nothing+like+this")
    assert "No tasks match these filters" in empty.text


def test_it_shows_an_unreadable_filter_next_to_its_field(
    client: TestClient, alice: Account
) -> None:
    signed_in(client, alice)
    page = client.get("/tasks?before=friday&status=bogus")
    assert page.status_code == 200
    assert 'id="f-before-error"' in page.text
    assert 'id="f-status-error"' in page.text


def test_it_pages_through_the_list(client: TestClient, alice: Account) -> None:
    for n in range(51):
        api_task(client, alice, title=f"Task {n:02d}", tags=["bulk"])
    signed_in(client, alice)
    first = client.get("/tasks?tag=bulk")
    assert len(row_ids(first.text)) == 50
    assert "Previous" not in first.text
    link = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert link
    second = client.get(link.group(1).replace("&amp;", "&"))
    assert len(row_ids(second.text)) == 1
    assert 'rel="prev"' in second.text


def test_it_marks_ticked_tasks_done_or_dropped(client: TestClient, alice: Account) -> None:
    one = api_task(client, alice, title="One")
    two = api_task(client, alice, title="Two")
    three = api_task(client, alice, title="Three")
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/bulk",
        data={"ids": [one["id"], two["id"]], "action": "done", "csrf_token": token, "back": "q=o"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/tasks?q=o&bulk=done&count=2"
    assert "Marked 2 tasks done." in client.get(response.headers["location"]).text
    dropped = client.post(
        "/tasks/bulk",
        data={"ids": [three["id"]], "action": "drop", "csrf_token": token},
        follow_redirects=False,
    )
    assert dropped.status_code == 303
    statuses = [read_task(alice, client, t["id"])["status"] for t in (one, two, three)]
    assert statuses == ["done", "done", "dropped"]


def test_it_refuses_bulk_changes_to_someone_elses_task(
    client: TestClient, alice: Account, bob: Account
) -> None:
    mine = api_task(client, alice, title="Mine")
    theirs = api_task(client, bob, title="Theirs")
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/bulk",
        data={"ids": [mine["id"], theirs["id"]], "action": "done", "csrf_token": token},
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert read_task(alice, client, mine["id"])["status"] == "todo"  # all or nothing
    assert read_task(bob, client, theirs["id"])["status"] == "todo"
    forged = client.post("/tasks/bulk", data={"ids": [mine["id"]], "action": "done"})
    assert forged.status_code == 403


def edit_form(task: dict[str, Any], **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": task["title"],
        "notes": task["notes"],
        "importance": str(task["importance"]),
        "deadline": "",
        "earliest_start": "",
        "planned_date": "",
        "estimate_minutes": "",
        "kind": task["kind"],
        "tags": ", ".join(task["tags"]),
        "project_id": "",
        "depends_on": [],
        "splittable": "on",
        "min_chunk_minutes": "30m",
        "version": str(task["version"]),
    }
    return {**form, **changes}


def test_it_shows_a_task_with_rendered_notes_and_dependencies(
    client: TestClient, alice: Account
) -> None:
    first = api_task(client, alice, title="Design schema")
    task = api_task(
        client,
        alice,
        title="Build API",
        notes="See **the spec**",
        depends_on=[first["id"]],
        estimate_minutes=90,
        deadline="2026-12-04T17:00:00+01:00",
    )
    signed_in(client, alice)
    page = client.get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    assert "<strong>the spec</strong>" in page.text
    assert f'<a href="/tasks/{first["id"]}">#{first["id"]} Design schema</a>' in page.text
    # The deadline in a date-time picker, in the user's time (Berlin), readable by dateparse.
    assert re.search(
        r'<input id="deadline" name="deadline" type="datetime-local" '
        r'value="2026-12-04T17:00"',
        page.text,
    )
    assert 'value="1h30"' in page.text


def test_it_saves_the_edit_form(client: TestClient, alice: Account) -> None:
    project = client.post("/api/v1/projects", json={"name": "web"}, headers=alice.headers).json()
    other = api_task(client, alice, title="Other")
    task = api_task(client, alice, title="Draft")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    form = edit_form(
        task,
        title="Final",
        notes="Now *with* notes",
        importance="4",
        deadline="fri 12:00",
        earliest_start="2026-12-01T08:30",
        planned_date="2026-12-02",
        estimate_minutes="1h30",
        kind="docs",
        tags="Docs, web",
        project_id=str(project["id"]),
        depends_on=[str(other["id"])],
        splittable="",
        min_chunk_minutes="45m",
        csrf_token=token,
    )
    response = client.post(f"/tasks/{task['id']}", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Saved." in client.get(response.headers["location"]).text
    saved = read_task(alice, client, task["id"])
    assert saved["title"] == "Final"
    assert saved["priority"] == "P1"
    assert saved["deadline"] == "2026-12-04T11:00:00Z"
    assert saved["earliest_start"] == "2026-12-01T07:30:00Z"
    assert saved["planned_date"] == "2026-12-02"
    assert saved["estimate_minutes"] == 90
    assert saved["kind"] == "docs"
    assert saved["tags"] == ["docs", "web"]
    assert saved["project_id"] == project["id"]
    assert saved["depends_on"] == [other["id"]]
    assert saved["splittable"] is False
    assert saved["min_chunk_minutes"] == 45


def test_it_shows_edit_errors_next_to_their_fields(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, title="Draft")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    form = edit_form(
        task, title="", deadline="someday", estimate_minutes="2d", tags="bad tag!", csrf_token=token
    )
    response = client.post(f"/tasks/{task['id']}", data=form)
    assert response.status_code == 422
    assert 'aria-describedby="estimate_minutes-error"' in response.text
    assert 'aria-describedby="deadline-hint deadline-error" aria-invalid="true"' in response.text
    for field in ("deadline", "estimate_minutes"):
        assert f'id="{field}-error"' in response.text
    assert read_task(alice, client, task["id"])["title"] == "Draft"


def test_it_saves_a_deadline_from_the_date_time_picker(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, title="Draft")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    form = edit_form(task, deadline="2026-12-03T09:30", csrf_token=token)
    response = client.post(f"/tasks/{task['id']}", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert read_task(alice, client, task["id"])["deadline"] == "2026-12-03T08:30:00Z"
    cleared = edit_form(read_task(alice, client, task["id"]), deadline="", csrf_token=token)
    response = client.post(f"/tasks/{task['id']}", data=cleared, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert read_task(alice, client, task["id"])["deadline"] is None


def test_it_shows_the_new_version_when_the_form_was_stale(
    client: TestClient, alice: Account
) -> None:
    task = api_task(client, alice, title="Draft")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"title": "Changed elsewhere", "version": task["version"]},
        headers=alice.headers,
    )
    form = edit_form(task, title="My edit", csrf_token=token)
    response = client.post(f"/tasks/{task['id']}", data=form)
    assert response.status_code == 409
    assert "Someone changed this task; here is the new version" in response.text
    assert 'value="Changed elsewhere"' in response.text
    assert 'name="version" value="2"' in response.text
    assert read_task(alice, client, task["id"])["title"] == "Changed elsewhere"


def test_it_shows_a_dependency_cycle_next_to_the_field(client: TestClient, alice: Account) -> None:
    first = api_task(client, alice, title="First")
    second = api_task(client, alice, title="Second", depends_on=[first["id"]])
    token = signed_in(client, alice, f"/tasks/{first['id']}")
    form = edit_form(first, depends_on=[str(second["id"])], csrf_token=token)
    response = client.post(f"/tasks/{first['id']}", data=form)
    assert response.status_code == 422
    assert 'id="depends_on-error"' in response.text
    assert "dependency cycle: &#39;First&#39; → &#39;Second&#39; → &#39;First&#39;" in response.text
    assert re.search(r'aria-describedby="[^"]*\bdepends_on-error"', response.text)


def test_it_refuses_an_edit_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, title="Draft")
    signed_in(client, alice)
    response = client.post(f"/tasks/{task['id']}", data=edit_form(task, title="Hacked"))
    assert response.status_code == 403
    assert read_task(alice, client, task["id"])["title"] == "Draft"


def test_it_escapes_a_title_with_a_script(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, title="<script>alert(1)</script>", notes="<script>x</script>")
    signed_in(client, alice)
    for path in ("/tasks", f"/tasks/{task['id']}"):
        page = client.get(path)
        assert "<script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@pytest.mark.parametrize("path", ["/tasks/{id}", "/tasks/999999", "/tasks/abc", "/tasks/0"])
def test_it_shows_a_404_page_to_a_stranger(
    client: TestClient, alice: Account, bob: Account, path: str
) -> None:
    task = api_task(client, alice, title="Private")
    token = signed_in(client, bob)
    page = client.get(path.format(id=task["id"]))
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Task not found" in page.text and "Private" not in page.text
    edit = client.post(
        path.format(id=task["id"]), data=edit_form(task, title="Mine now", csrf_token=token)
    )
    assert edit.status_code == 404
    assert read_task(alice, client, task["id"])["title"] == "Private"


def test_it_keeps_the_selectors_the_browser_tests_use(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="Something")
    signed_in(client, alice)
    page = client.get("/tasks").text
    quick = re.search(r'<form id="quick-add".*?</form>', page, re.S)
    assert quick
    assert 'name="text"' in quick.group(0)
    assert '<label for="quick-text">Quick add</label>' in quick.group(0)
    assert '<button type="submit">Add</button>' in quick.group(0)
    assert '<table id="task-list"' in page
    assert "<tr data-task-id=" in page
