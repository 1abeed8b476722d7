from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, api_task, api_time_entry, csrf_from, web_log_in
from tests.web.test_week import section

DAY = "2026-11-30"


def wrapup_day(client: TestClient, alice: Account) -> dict[str, Any]:
    done = api_task(client, alice, title="Fix <login>", kind="coding", status="done")
    api_time_entry(
        client, alice, done["id"], "2026-11-30T08:00:00+01:00", "2026-11-30T09:30:00+01:00"
    )
    later = api_task(client, alice, title="Write docs", kind="docs", planned_date=DAY)
    dropped = api_task(client, alice, title="Old idea", planned_date=DAY)
    rolled = api_task(client, alice, title="Review PR", kind="review", planned_date=DAY)
    return {"done": done, "later": later, "dropped": dropped, "rolled": rolled}


def close_form(page: str, rows: list[tuple[int, str, str]], blockers: str = "") -> dict[str, Any]:
    return {
        "csrf_token": csrf_from(page),
        "blockers": blockers,
        "task_id": [str(task_id) for task_id, _, _ in rows],
        "decision": [decision for _, decision, _ in rows],
        "move_date": [when for _, _, when in rows],
    }


def task(client: TestClient, alice: Account, task_id: int) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/v1/tasks/{task_id}", headers=alice.headers).json()
    return found


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    for path in ("/wrapup", f"/wrapup/{DAY}", "/reflect", f"/reflect/{DAY}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_it_shows_what_was_done_with_its_time_and_what_is_pending(
    client: TestClient, alice: Account
) -> None:
    tasks = wrapup_day(client, alice)
    web_log_in(client, alice.email)

    page = client.get("/wrapup")

    assert page.status_code == 200
    done = section(page.text, "wrapup-done")
    assert re.search(r"<li[^>]*>.*Fix &lt;login&gt;.*1h30.*</li>", done, re.S)
    pending = section(page.text, "wrapup-pending")
    ids = re.findall(r'<li data-task-id="(\d+)"', pending)
    assert sorted(int(i) for i in ids) == sorted(
        tasks[k]["id"] for k in ("later", "dropped", "rolled")
    )
    assert '<option value="tomorrow" selected>Next working day (Tue 01 Dec)</option>' in pending
    assert re.search(r"<button[^>]*>Close the day and send the report</button>", page.text)
    assert f'<label for="decision-{tasks["later"]["id"]}">' in pending


def test_it_closes_the_day_with_the_decisions_and_shows_the_report(
    client: TestClient, alice: Account
) -> None:
    tasks = wrapup_day(client, alice)
    web_log_in(client, alice.email)
    page = client.get(f"/wrapup/{DAY}")
    form = close_form(
        page.text,
        [
            (tasks["later"]["id"], "tomorrow", "2026-12-04"),
            (tasks["dropped"]["id"], "drop", ""),
            (tasks["rolled"]["id"], "tomorrow", ""),
        ],
        blockers="Waiting on <the> sandbox key",
    )

    response = client.post(f"/wrapup/{DAY}", data=form, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/wrapup/{DAY}"
    assert task(client, alice, tasks["later"]["id"])["planned_date"] == "2026-12-04"
    assert task(client, alice, tasks["dropped"]["id"])["status"] == "dropped"
    assert task(client, alice, tasks["rolled"]["id"])["planned_date"] == "2026-12-01"
    closed = client.get(f"/wrapup/{DAY}")
    assert "the report was sent to 0 channels" in closed.text
    report = closed.text.split('id="wrapup-report"', 1)[1].split("</article>", 1)[0]
    assert "Fix &lt;login&gt; (1 h 30 min)" in report
    assert "Old idea: dropped" in report
    assert "Write docs: moved to 2026-12-04" in report
    assert "Waiting on &lt;the&gt; sandbox key" in report
    assert "<the>" not in closed.text
    assert "Close the day and send the report" not in closed.text


def test_it_shows_the_error_when_the_day_is_closed_twice(
    client: TestClient, alice: Account
) -> None:
    wrapup_day(client, alice)
    web_log_in(client, alice.email)
    page = client.get(f"/wrapup/{DAY}")
    first = client.post(f"/wrapup/{DAY}", data=close_form(page.text, []), follow_redirects=False)
    assert first.status_code == 303

    second = client.post(f"/wrapup/{DAY}", data=close_form(page.text, []))

    assert second.status_code == 409
    assert second.headers["content-type"].startswith("text/html")
    assert "2026-11-30 is already closed" in second.text
    assert 'id="wrapup-report"' in second.text


def test_it_keeps_the_form_when_a_decision_is_refused(client: TestClient, alice: Account) -> None:
    tasks = wrapup_day(client, alice)
    web_log_in(client, alice.email)
    page = client.get(f"/wrapup/{DAY}")
    form = close_form(page.text, [(tasks["later"]["id"], "date", "")], blockers="Keep me")

    response = client.post(f"/wrapup/{DAY}", data=form)

    assert response.status_code == 422
    assert "pick the date to move the task to" in response.text
    assert ">Keep me</textarea>" in response.text
    assert task(client, alice, tasks["later"]["id"])["planned_date"] == DAY
    assert "Close the day and send the report" in response.text


def test_it_refuses_a_close_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    tasks = wrapup_day(client, alice)
    web_log_in(client, alice.email)
    page = client.get(f"/wrapup/{DAY}")
    form = {**close_form(page.text, [(tasks["dropped"]["id"], "drop", "")]), "csrf_token": "x"}

    response = client.post(f"/wrapup/{DAY}", data=form)

    assert response.status_code == 403
    assert "Your form expired" in response.text
    assert task(client, alice, tasks["dropped"]["id"])["status"] == "todo"
    assert 'id="wrapup-report"' not in client.get(f"/wrapup/{DAY}").text


def test_it_answers_an_unknown_day_with_a_page(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)

    for path in ("/wrapup/yesterday", "/reflect/2026-13-01"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "use YYYY-MM-DD" in response.text


def reflect_form(page: str, **fields: Any) -> dict[str, Any]:
    version = re.search(r'name="version" value="([^"]*)"', page)
    assert version
    return {"csrf_token": csrf_from(page), "version": version.group(1), **fields}


def test_it_saves_the_reflection_and_plans_the_goals(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="Ship <rate> limit", status="done")
    web_log_in(client, alice.email)
    page = client.get("/reflect")
    assert "Ship &lt;rate&gt; limit" in section(page.text, "reflect-achievements")
    assert page.text.count('name="goal"') == 3
    assert re.findall(r'type="radio" id="energy-\d" name="energy" value="(\d)"', page.text) == [
        "1",
        "2",
        "3",
    ]

    response = client.post(
        f"/reflect/{DAY}",
        data=reflect_form(
            page.text,
            went_well="Shipped",
            improve="Fewer switches",
            energy="3",
            note="",
            goal=["Finish <docs>", "", "Review PR"],
        ),
        follow_redirects=False,
    )

    assert response.status_code == 303
    shown = client.get(f"/reflect/{DAY}")
    goals = section(shown.text, "reflect-goals")
    assert "Finish &lt;docs&gt;" in goals and "Review PR" in goals
    assert "Goals for Tuesday 01 December" in shown.text
    assert 'value="3" checked' in shown.text
    assert ">Shipped</textarea>" in shown.text
    planned = client.get(
        "/api/v1/tasks", params={"planned_date": "2026-12-01"}, headers=alice.headers
    ).json()
    assert sorted(t["title"] for t in planned["items"]) == ["Finish <docs>", "Review PR"]

    again = client.post(
        f"/reflect/{DAY}",
        data=reflect_form(shown.text, went_well="Shipped it", energy="2", goal=["Review PR"]),
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert 'value="2" checked' in client.get(f"/reflect/{DAY}").text


def test_it_refuses_a_stale_reflection_in_the_page(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    page = client.get(f"/reflect/{DAY}")
    first = client.post(
        f"/reflect/{DAY}", data=reflect_form(page.text, went_well="one"), follow_redirects=False
    )
    assert first.status_code == 303

    stale = client.post(f"/reflect/{DAY}", data=reflect_form(page.text, went_well="two"))

    assert stale.status_code == 409
    assert "changed by someone else" in stale.text
    assert ">two</textarea>" in stale.text
    assert 'name="version" value="1"' in stale.text


def test_it_explains_a_bad_energy_value(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    page = client.get(f"/reflect/{DAY}")

    response = client.post(f"/reflect/{DAY}", data=reflect_form(page.text, energy="9"))

    assert response.status_code == 422
    assert "energy is 1 (low), 2 (ok) or 3 (high)" in response.text


def test_it_refuses_a_reflection_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    client.get(f"/reflect/{DAY}")

    response = client.post(f"/reflect/{DAY}", data={"went_well": "x", "goal": ["Sneaky"]})

    assert response.status_code == 403
    assert "Your form expired" in response.text
    planned = client.get("/api/v1/tasks", params={"q": "Sneaky"}, headers=alice.headers).json()
    assert planned["items"] == []
