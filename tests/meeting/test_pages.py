"""The meeting page through TestClient: the agenda, its forms (with CSRF and errors next to
their field), reassignment, closing; signed-out visitors and strangers."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from tests.conftest import START
from tests.factories import Account, api_project, api_task, api_team, csrf_from, web_log_in
from tests.meeting.support import berliner, blocker, standup

MONDAY = date(2026, 11, 30)


def browser(app: FastAPI, who: Account) -> TestClient:
    client = TestClient(app)
    assert web_log_in(client, who.email).status_code == 303
    return client


def section(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</(section|article|form)>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(0)


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    for path in ("/meeting", "/team/1/meeting", "/team/1/meeting/2026-11-30"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == (
            f"/login?next={path}"
        )


def test_it_shows_the_agenda_with_empty_states(
    app: FastAPI, client: TestClient, engine: Engine, alice: Account
) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    project_id = api_project(client, alice, team_id)
    standup(engine, team_id, bob.id, day=MONDAY, today="Ship <the> export", submitted_at=START)
    blocker(engine, team_id, bob.id, "Waiting for keys", MONDAY - timedelta(days=1))
    for title in ("Export to CSV", "Import from CSV"):
        api_task(
            client,
            alice,
            title=title,
            project_id=project_id,
            deadline="2026-11-30T17:00:00Z",
            estimate_minutes=240,
        )
    web = browser(app, alice)

    page = web.get("/meeting", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/team/{team_id}/meeting"
    page = web.get(f"/team/{team_id}/meeting")

    assert page.status_code == 200
    html = page.text
    assert "Backend meeting, Monday 30 November" in html
    assert "Ship &lt;the&gt; export" in section(html, "standups")
    assert "Waiting for keys" in section(html, "blockers")
    risk = section(html, "at-risk")
    assert "CSV" in risk and "free" in risk  # the planner's reason
    assert "Reassign to Bobby" in section(html, "suggestions")
    assert "No open incidents." in html and "No action items from the last meeting." in html
    assert "Nothing noted yet." in html
    assert 'style="' not in html and "<script" not in html  # the CSP allows neither
    for field in (
        "note-text",
        "decision-text",
        "action-text",
        "action-assignee",
        "action-deadline",
        "action-estimate",
    ):
        assert f'<label for="{field}"' in html and f'id="{field}"' in html


def test_it_adds_notes_decisions_and_action_items(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    web = browser(app, bob)
    url = f"/team/{team_id}/meeting"
    token = csrf_from(web.get(url).text)

    for data in (
        {"kind": "note", "text": "Release moves to **Thursday** <script>x</script>"},
        {"kind": "decision", "text": "Freeze the API"},
        {
            "kind": "action",
            "text": "Rotate keys",
            "assignee_id": str(alice.id),
            "deadline": "tomorrow",
            "estimate": "1h30",
        },
    ):
        response = web.post(
            f"{url}/items", data={**data, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
    html = web.get(url).text

    items = section(html, "items")
    assert "<strong>Thursday</strong>" in items and "<script>" not in items
    assert "Freeze the API" in items and "Rotate keys" in items
    assert "Alice, due Tue 01 Dec 18:00" in items
    [made] = client.get("/api/v1/tasks", headers=alice.headers).json()["items"]
    assert (made["title"], made["assignee_id"], made["estimate_minutes"]) == (
        "Rotate keys",
        alice.id,
        90,
    )
    assert made["deadline"] == "2026-12-01T17:00:00Z"
    assert "Close and send the summary" not in html  # members do not close


def test_it_shows_errors_next_to_their_field_and_keeps_the_input(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice)
    web = browser(app, alice)
    url = f"/team/{team_id}/meeting"
    token = csrf_from(web.get(url).text)

    no_one = web.post(
        f"{url}/items",
        data={"csrf_token": token, "kind": "action", "text": "Rotate keys", "deadline": "fri"},
    )
    assert no_one.status_code == 422
    assert 'id="action-assignee_id-error"' in no_one.text
    assert 'aria-describedby="action-assignee_id-error"' in no_one.text
    assert 'value="Rotate keys"' in no_one.text and 'value="fri"' in no_one.text
    someday = web.post(
        f"{url}/items",
        data={
            "csrf_token": token,
            "kind": "action",
            "text": "x",
            "assignee_id": str(alice.id),
            "deadline": "someday",
        },
    )
    assert someday.status_code == 422
    assert re.search(r'id="action-deadline-error">cannot read', someday.text)
    blank = web.post(f"{url}/items", data={"csrf_token": token, "kind": "note", "text": "  "})
    assert blank.status_code == 422 and 'id="note-text-error"' in blank.text
    forged = web.post(f"{url}/items", data={"csrf_token": "forged", "kind": "note", "text": "x"})
    assert forged.status_code == 403 and "Your form expired" in forged.text
    assert "Nothing noted yet." in web.get(url).text
    assert client.get("/api/v1/tasks", headers=alice.headers).json()["items"] == []


def test_it_reassigns_and_closes_from_the_page(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    bob = berliner(client, "Bobby")
    team_id = api_team(client, alice, members=[(bob, "member")])
    project_id = api_project(client, alice, team_id)
    made = [
        api_task(
            client,
            alice,
            title=title,
            project_id=project_id,
            deadline="2026-11-30T17:00:00Z",
            estimate_minutes=240,
        )
        for title in ("Export to CSV", "Import from CSV")
    ]
    web = browser(app, alice)
    url = f"/team/{team_id}/meeting"
    page = web.get(url).text
    moved = int(re.findall(r'name="task_id" value="(\d+)"', section(page, "suggestions"))[0])
    assert moved in {t["id"] for t in made}

    response = web.post(
        f"{url}/reassign",
        follow_redirects=False,
        data={"csrf_token": csrf_from(page), "task_id": str(moved), "assignee_id": str(bob.id)},
    )

    assert response.status_code == 303
    assert client.get(f"/api/v1/tasks/{moved}", headers=bob.headers).json()["assignee_id"] == bob.id
    page = web.get(url).text
    assert "from Alice to Bobby" in section(page, "items")
    assert "Every team deadline is met" in page

    closed = web.post(
        f"{url}/close", follow_redirects=False, data={"csrf_token": csrf_from(page), "version": "1"}
    )
    assert closed.status_code == 303
    page = web.get(url).text
    summary = section(page, "meeting-summary")
    assert "Attended: Alice, Bobby" in summary and "from Alice to Bobby" in summary
    assert "went to 0 team channels" in page and "Add a note" not in page
    assert web.get(f"{url}/2026-11-30").status_code == 200
    assert web.get(f"{url}/2026-11-27").status_code == 404  # no meeting that day


def test_it_shows_a_past_meeting_that_was_never_closed(
    app: FastAPI, client: TestClient, clock: MockClock, alice: Account
) -> None:
    team_id = api_team(client, alice)
    clock.set(START - timedelta(days=3))
    web = browser(app, alice)
    url = f"/team/{team_id}/meeting"
    token = csrf_from(web.get(url).text)
    web.post(f"{url}/items", data={"csrf_token": token, "kind": "decision", "text": "Ship it"})
    clock.set(START)

    page = web.get(f"{url}/2026-11-27")

    assert page.status_code == 200
    assert "never closed" in page.text and "Ship it" in section(page.text, "items")
    assert "Add a note" not in page.text and "Today's meeting" in page.text


def test_it_hides_a_teams_meeting_from_strangers(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice)
    mallory = berliner(client, "Mallory")
    web = browser(app, mallory)
    for path in (
        f"/team/{team_id}/meeting",
        f"/team/{team_id}/meeting/2026-11-30",
        "/team/99999/meeting",
        "/team/x/meeting",
        "/team/1/meeting/not-a-day",
    ):
        response = web.get(path)
        assert response.status_code == 404, path
        assert "Meeting not found" in response.text
    token = csrf_from(web.get("/meeting").text)
    posted = web.post(
        f"/team/{team_id}/meeting/items",
        data={"csrf_token": token, "kind": "note", "text": "mine now"},
    )
    assert posted.status_code == 404
    assert "You are in no team yet" in web.get("/meeting").text
    assert client.get(f"/api/v1/teams/{team_id}/meetings", headers=alice.headers).json() == []
