"""The Tasks pages beyond the list and the edit form: New task, quick add's kind, the task's
timer, done, drop and delete buttons and its time entries, the list's assignee and "mine",
bulk changes only where allowed, one task per form however often it is posted, and no-store."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devday.clock import MockClock
from devday.task import service as task_service
from devday.task.models import Task
from tests.factories import Account, api_task, api_team, csrf_from, sign_up, web_log_in


def read_task(account: Account, client: TestClient, task_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/tasks/{task_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()
    return task


def my_tasks(account: Account, client: TestClient) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/tasks?status=todo,doing,done,dropped&limit=200", headers=account.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def signed_in(client: TestClient, account: Account, path: str = "/tasks") -> str:
    assert web_log_in(client, account.email).status_code == 303
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the form carries a one-time token"
    return match.group(1)


def new_form(page: str, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf_from(page),
        "form_token": form_token(page),
        "title": "Write the guide",
        "notes": "",
        "importance": "2",
        "kind": "other",
        "estimate_minutes": "",
        "deadline": "",
        "planned_date": "",
        "earliest_start": "",
        "splittable": "on",
        "min_chunk_minutes": "30m",
        "project_id": "",
        "tags": "",
    }
    return {**form, **changes}


# --- New task ------------------------------------------------------------------------------------


def test_it_creates_a_task_with_every_field_on_the_new_task_page(
    client: TestClient, alice: Account
) -> None:
    project = client.post("/api/v1/projects", json={"name": "docs"}, headers=alice.headers)
    first = api_task(client, alice, title="Collect the screenshots")
    signed_in(client, alice)
    page = client.get("/tasks/new")
    assert page.status_code == 200
    # Dependencies are picked by title; the form never asks for an id.
    assert re.search(rf'<option value="{first["id"]}">Collect the screenshots</option>', page.text)
    assert 'type="datetime-local"' in page.text
    response = client.post(
        "/tasks/new",
        data=new_form(
            page.text,
            notes="For **new** users",
            importance="4",
            kind="docs",
            estimate_minutes="1h30",
            deadline="2026-12-04T17:00",  # Berlin wall time: 16:00 UTC
            planned_date="2026-12-02",
            earliest_start="2026-12-01T08:30",
            splittable="",
            min_chunk_minutes="45m",
            project_id=str(project.json()["id"]),
            tags="docs, onboarding",
            depends_on=[str(first["id"])],
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    task_id = int(re.fullmatch(r"/tasks/(\d+)\?created=1", response.headers["location"])[1])  # type: ignore[index]
    assert "Task added." in client.get(response.headers["location"]).text
    task = read_task(alice, client, task_id)
    assert task["title"] == "Write the guide"
    assert task["notes"] == "For **new** users"
    assert task["priority"] == "P1"
    assert task["kind"] == "docs"
    assert task["estimate_minutes"] == 90
    assert task["deadline"] == "2026-12-04T16:00:00Z"
    assert task["planned_date"] == "2026-12-02"
    assert task["earliest_start"] == "2026-12-01T07:30:00Z"
    assert task["splittable"] is False
    assert task["min_chunk_minutes"] == 45
    assert task["project_id"] == project.json()["id"]
    assert task["tags"] == ["docs", "onboarding"]
    assert task["depends_on"] == [first["id"]]


def test_it_offers_only_the_users_open_tasks_as_dependencies(
    client: TestClient, alice: Account, bob: Account
) -> None:
    api_task(client, alice, title="Still open")
    api_task(client, alice, title="Long finished", status="done")
    api_task(client, bob, title="Bob's secret")
    signed_in(client, alice)
    page = client.get("/tasks/new").text
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", page)
    assert "Still open" in options
    assert "Long finished" not in options
    assert "Bob&#39;s secret" not in page and "Bob's secret" not in page


def test_it_offers_dependencies_by_title_on_the_edit_form(
    client: TestClient, alice: Account
) -> None:
    finished = api_task(client, alice, title="Finished first", status="done")
    other = api_task(client, alice, title="Another open one")
    task = api_task(client, alice, title="The task", depends_on=[finished["id"]])
    signed_in(client, alice)
    page = client.get(f"/tasks/{task['id']}").text
    select = page.split('<select id="depends_on"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', select)
    # Its own dependency stays offered (and picked) though done; it never depends on itself.
    assert options == [
        (str(other["id"]), "", "Another open one"),
        (str(finished["id"]), " selected", "Finished first (done)"),
    ]
    assert 'inputmode="numeric"' not in page


def test_it_shows_new_task_errors_next_to_their_fields(
    client: TestClient, alice: Account, bob: Account
) -> None:
    theirs = api_task(client, bob, title="Not yours")
    signed_in(client, alice)
    page = client.get("/tasks/new").text
    response = client.post(
        "/tasks/new",
        data=new_form(page, title="", estimate_minutes="soon", deadline="someday", tags="a b"),
    )
    assert response.status_code == 422
    assert re.search(r'id="title"[^>]*aria-invalid="true"', response.text)
    for field in ("title", "estimate_minutes", "deadline", "tags"):
        assert re.search(rf'<p class="field-error" id="{field}-error">[^<]+</p>', response.text)
    assert 'value="soon"' in response.text  # what was typed is kept
    # A dependency the user cannot see (a forged form) is named by its field, too.
    forged = client.post(
        "/tasks/new", data=new_form(page, title="Sneaky", depends_on=[str(theirs["id"])])
    )
    assert forged.status_code == 422
    assert re.search(r'<p class="field-error" id="depends_on-error">[^<]+</p>', forged.text)
    assert my_tasks(alice, client) == []


def test_it_refuses_a_new_task_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    signed_in(client, alice)
    page = client.get("/tasks/new").text
    response = client.post("/tasks/new", data={**new_form(page), "csrf_token": "x"})
    assert response.status_code == 403
    assert my_tasks(alice, client) == []


# --- one task per form ---------------------------------------------------------------------------


def test_it_makes_one_task_when_the_new_task_form_is_posted_twice(
    client: TestClient, alice: Account
) -> None:
    signed_in(client, alice)
    form = new_form(client.get("/tasks/new").text)
    first = client.post("/tasks/new", data=form, follow_redirects=False)
    second = client.post("/tasks/new", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].split("?")[0] == second.headers["location"].split("?")[0]
    assert [t["title"] for t in my_tasks(alice, client)] == ["Write the guide"]
    # A new visit of the form is a new form: it makes a second task.
    again = client.post("/tasks/new", data=new_form(client.get("/tasks/new").text))
    assert again.status_code == 200
    assert len(my_tasks(alice, client)) == 2


def test_it_makes_one_task_when_quick_add_is_posted_twice(
    client: TestClient, alice: Account
) -> None:
    signed_in(client, alice)
    html = client.get("/tasks").text
    form = {
        "text": "Fix login bug 1h",
        "csrf_token": csrf_from(html),
        "form_token": form_token(html),
    }
    first = client.post("/tasks/quick", data=form, follow_redirects=False)
    second = client.post("/tasks/quick", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert [t["title"] for t in my_tasks(alice, client)] == ["Fix login bug"]


def test_it_finds_the_first_task_when_two_posts_race_past_the_look_up(
    client: TestClient, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client, alice)
    form = new_form(client.get("/tasks/new").text)
    assert client.post("/tasks/new", data=form, follow_redirects=False).status_code == 303
    # The second post does not see the first one's token before it inserts its own: the
    # token's key refuses the insert, and the page still answers with the first task.
    found = task_service.task_made_by_form
    calls: list[str] = []

    def late(**kwargs: Any) -> Task | None:
        calls.append(kwargs["token"])
        return None if len(calls) == 1 else found(**kwargs)

    monkeypatch.setattr(task_service, "task_made_by_form", late)
    second = client.post("/tasks/new", data=form, follow_redirects=False)
    assert second.status_code == 303, second.text
    assert len(calls) == 2
    assert len(my_tasks(alice, client)) == 1


# --- quick add's kind ----------------------------------------------------------------------------


def test_it_reads_a_kind_in_quick_add(client: TestClient, alice: Account) -> None:
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/quick",
        data={"text": "Write the changelog kind:docs 1h", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [task] = my_tasks(alice, client)
    assert (task["title"], task["kind"], task["estimate_minutes"]) == (
        "Write the changelog",
        "docs",
        60,
    )


def test_it_names_the_kinds_when_quick_add_has_an_unknown_one(
    client: TestClient, alice: Account
) -> None:
    token = signed_in(client, alice)
    response = client.post("/tasks/quick", data={"text": "Paint kind:art", "csrf_token": token})
    assert response.status_code == 422
    assert "no kind &#39;art&#39;; use one of coding, testing, docs" in response.text
    assert my_tasks(alice, client) == []


# --- the task page's buttons and time entries ----------------------------------------------------


def test_it_starts_and_stops_the_timer_and_lists_the_time_entries(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = api_task(client, alice, title="Review the PR")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    page = client.get(f"/tasks/{task['id']}").text
    assert "No time logged yet." in page and 'id="start-timer"' in page
    started = client.post(
        f"/tasks/{task['id']}/start", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303
    clock.advance(timedelta(minutes=25))
    page = client.get(started.headers["location"]).text
    assert "Timer started." in page and 'id="stop-timer"' in page
    row = re.search(r'<table id="time-entries">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert row
    cells = re.findall(r"<td>([^<]*)</td>", row[1])
    assert cells == ["Mon 30 Nov 10:00", "running", "25m", "Alice"]
    assert read_task(alice, client, task["id"])["status"] == "doing"

    stopped = client.post(f"/tasks/{task['id']}/stop", data={"csrf_token": token})
    assert stopped.status_code == 200
    assert "Timer stopped." in stopped.text
    cells = re.findall(r"<td>([^<]*)</td>", stopped.text.split('id="time-entries"')[1])[:4]
    assert cells == ["Mon 30 Nov 10:00", "Mon 30 Nov 10:25", "25m", "Alice"]
    again = client.post(f"/tasks/{task['id']}/stop", data={"csrf_token": token})
    assert again.status_code == 422
    assert "the timer is not running on this task" in again.text


def test_it_lists_a_team_mates_time_on_a_shared_task(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[bob])
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team_id}, headers=alice.headers
    ).json()
    task = api_task(client, alice, title="Shared", project_id=project["id"])
    client.post(
        "/api/v1/time-entries",
        json={
            "task_id": task["id"],
            "start": "2026-11-30T07:00:00Z",
            "end": "2026-11-30T08:00:00Z",
        },
        headers=bob.headers,
    ).raise_for_status()
    signed_in(client, alice)
    page = client.get(f"/tasks/{task['id']}").text
    cells = re.findall(r"<td>([^<]*)</td>", page.split('id="time-entries"')[1])[:4]
    assert cells == ["Mon 30 Nov 08:00", "Mon 30 Nov 09:00", "1h", "Bob"]


@pytest.mark.parametrize(("action", "status"), [("done", "done"), ("drop", "dropped")])
def test_it_marks_a_task_done_or_dropped_from_its_page(
    client: TestClient, alice: Account, action: str, status: str
) -> None:
    task = api_task(client, alice, title="Ship it")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    response = client.post(
        f"/tasks/{task['id']}/{action}",
        data={"csrf_token": token, "version": str(task["version"])},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert read_task(alice, client, task["id"])["status"] == status
    stale = client.post(
        f"/tasks/{task['id']}/{action}", data={"csrf_token": token, "version": str(task["version"])}
    )
    assert stale.status_code == 409


def test_it_deletes_a_task_only_once_confirmed(client: TestClient, alice: Account) -> None:
    task = api_task(client, alice, title="Obsolete")
    token = signed_in(client, alice, f"/tasks/{task['id']}")
    unconfirmed = client.post(f"/tasks/{task['id']}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 422
    assert "Yes, delete it" in unconfirmed.text
    assert read_task(alice, client, task["id"])["title"] == "Obsolete"
    forged = client.post(f"/tasks/{task['id']}/delete", data={"confirm": "yes"})
    assert forged.status_code == 403
    deleted = client.post(
        f"/tasks/{task['id']}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert deleted.status_code == 200
    assert "Task deleted." in deleted.text and "Obsolete" not in deleted.text
    assert client.get(f"/tasks/{task['id']}").status_code == 404


def test_it_does_not_let_a_stranger_act_on_a_task(
    client: TestClient, alice: Account, bob: Account
) -> None:
    theirs = api_task(client, bob, title="Bob's")
    token = signed_in(client, alice)
    for action in ("start", "stop", "done", "drop", "delete"):
        response = client.post(
            f"/tasks/{theirs['id']}/{action}",
            data={"csrf_token": token, "confirm": "yes", "version": "1"},
        )
        assert response.status_code == 404, action
    task = read_task(bob, client, theirs["id"])
    assert (task["status"], task["actual_minutes"]) == ("todo", 0)


# --- the list: assignee, mine, bulk only where allowed -------------------------------------------


def test_it_shows_the_assignee_and_filters_to_mine(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team_id = api_team(client, alice, members=[bob])
    project = client.post(
        "/api/v1/projects", json={"name": "api", "team_id": team_id}, headers=alice.headers
    ).json()
    mine = api_task(client, alice, title="On my plate", project_id=project["id"])
    theirs = api_task(
        client, alice, title="On Bob's plate", project_id=project["id"], assignee_id=bob.id
    )
    signed_in(client, alice)
    page = client.get("/tasks").text
    assignee = dict(
        re.findall(
            r'<tr data-task-id="(\d+)">.*?<td class="opt c-assignee">([^<]*)</td>', page, re.S
        )
    )
    assert assignee == {str(mine["id"]): "Alice", str(theirs["id"]): "Bob"}
    only_mine = client.get("/tasks?mine=1").text
    assert re.findall(r'<tr data-task-id="(\d+)"', only_mine) == [str(mine["id"])]
    assert 'id="f-mine" name="mine" type="checkbox" value="1" checked' in only_mine


def test_it_skips_tasks_in_a_bulk_change_that_the_user_may_not_change(
    client: TestClient, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = api_task(client, alice, title="Mine")
    read_only = api_task(client, alice, title="Only seen")
    # The role model lets everyone who sees a task change it; a narrower rule in the service
    # must narrow the bulk form too, never be skipped by it.
    allowed = task_service.can_change
    monkeypatch.setattr(
        task_service,
        "can_change",
        lambda *, session, user, task: (
            task.id != read_only["id"] and allowed(session=session, user=user, task=task)
        ),
    )
    token = signed_in(client, alice)
    response = client.post(
        "/tasks/bulk",
        data={"ids": [mine["id"], read_only["id"]], "action": "done", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert (
        "Marked 1 task done. Left 1 task unchanged: you may see them but not change them." in page
    )
    assert read_task(alice, client, mine["id"])["status"] == "done"
    assert read_task(alice, client, read_only["id"])["status"] == "todo"
    # The task's own page and the API refuse it as well.
    assert (
        client.post(
            f"/tasks/{read_only['id']}/done", data={"csrf_token": token, "version": "1"}
        ).status_code
        == 403
    )


# --- no-store ------------------------------------------------------------------------------------


def test_it_sends_signed_in_pages_with_no_store(client: TestClient) -> None:
    account = sign_up(client, "Carol")
    signed_in(client, account)
    for path in ("/today", "/tasks", "/tasks/new", "/tasks/999999"):
        response = client.get(path)
        assert response.headers["cache-control"] == "no-store", path
