from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.conftest import START
from tests.factories import Account, api_task, api_time_entry, web_log_in
from tests.planning.test_forecast_api import finish_with_time


def section(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</(?:figure|ul|ol|table)>', html, re.S)
    assert match, f"the page has #{element_id}"
    return match.group(0)


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    response = client.get("/week", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/week"


def build_today(client: TestClient, account: Account) -> dict[str, Any]:
    response = client.post("/api/v1/plans/2026-11-30", headers=account.headers)
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    return plan


def test_it_charts_the_planned_blocks_and_the_deadlines(client: TestClient, alice: Account) -> None:
    api_task(
        client,
        alice,
        title="Write <b>docs</b>",
        kind="docs",
        estimate_minutes=90,
        deadline="2026-12-02",
    )
    api_task(client, alice, title="Fix login", kind="coding", estimate_minutes=60)
    build_today(client, alice)
    web_log_in(client, alice.email)

    page = client.get("/week")

    assert page.status_code == 200
    chart = section(page.text, "week-chart")
    assert chart.count('class="block k-docs"') >= 1
    assert chart.count('class="block k-coding"') >= 1
    assert (
        '<g class="deadline"><title>Deadline: Write &lt;b&gt;docs&lt;/b&gt; · Wed 02 Dec 18:00'
        in chart
    )
    assert "<b>docs</b>" not in page.text
    # Seven day columns from today, with Saturday and Sunday shaded as days off.
    assert chart.count('class="day-head') == 7
    assert 'class="day-head today"' in chart and ">Mon 30<" in chart and ">Sun 06<" in chart
    assert chart.count('class="off"') == 2
    assert "Write &lt;b&gt;docs&lt;/b&gt;" in section(page.text, "week-deadlines")


def test_it_reads_the_stored_plan_and_never_builds_one(client: TestClient, alice: Account) -> None:
    api_task(client, alice, title="Fix login", kind="coding", estimate_minutes=60)
    web_log_in(client, alice.email)
    empty = client.get("/week")
    assert "No plan for today yet" in empty.text and 'action="/today/plan"' in empty.text
    assert client.get("/api/v1/plans/2026-11-30", headers=alice.headers).status_code == 404

    built = build_today(client, alice)
    api_task(client, alice, title="Added later", kind="docs", estimate_minutes=60)
    page = client.get("/week")
    again = client.get("/api/v1/plans/2026-11-30", headers=alice.headers).json()
    assert again["built_at"] == built["built_at"]
    # The plan is live: a task added after it was built is in it, and the page says why.
    assert "Added later" in section(page.text, "week-chart")
    assert "re-planned at 10:00: &#39;Added later&#39; added" in page.text
    assert client.get("/api/v1/plans/2026-11-30", headers=alice.headers).json() == again


def test_it_lists_tomorrows_blocks(client: TestClient, alice: Account) -> None:
    api_task(
        client,
        alice,
        title="Big refactor",
        kind="coding",
        estimate_minutes=600,
        min_chunk_minutes=30,
    )
    build_today(client, alice)
    web_log_in(client, alice.email)

    page = client.get("/week")

    assert "Tomorrow, Tue 01 Dec" in page.text
    assert "Big refactor" in section(page.text, "tomorrow-blocks")


def test_it_charts_the_time_by_kind_from_the_work_log(client: TestClient, alice: Account) -> None:
    coding = api_task(client, alice, title="Fix login", kind="coding")
    docs = api_task(client, alice, title="Write docs", kind="docs")
    api_time_entry(
        client, alice, coding["id"], "2026-11-30T08:00:00+01:00", "2026-11-30T09:30:00+01:00"
    )
    api_time_entry(
        client, alice, docs["id"], "2026-11-27T14:00:00+01:00", "2026-11-27T14:45:00+01:00"
    )
    api_time_entry(
        client, alice, coding["id"], "2026-11-27T15:00:00+01:00", "2026-11-27T16:00:00+01:00"
    )
    web_log_in(client, alice.email)

    page = client.get("/week")

    chart = section(page.text, "time-chart")
    assert chart.count('class="k-coding"') == 2
    assert chart.count('class="k-docs"') == 1
    assert "<title>Mon 30: coding 1h30</title>" in chart
    assert "<title>Fri 27: docs 45m</title>" in chart
    table = section(page.text, "time-table")
    assert re.search(r"<th scope=\"row\">coding</th>(<td>[^<]*</td>){3}<td>1h</td>", table)
    assert "3h15 in all" in page.text


def test_it_shows_an_empty_week_plainly(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)

    page = client.get("/week")

    assert page.status_code == 200
    assert "Nothing planned in these days." in page.text
    assert "No time logged in these days." in page.text
    assert "Every open task fits before its deadline." in page.text
    assert 'id="time-chart"' not in page.text


def test_it_lists_the_tasks_the_planner_could_not_fit(client: TestClient, alice: Account) -> None:
    api_task(
        client,
        alice,
        title="Rewrite <the> billing",
        kind="coding",
        estimate_minutes=900,
        deadline="2026-11-30",
    )
    build_today(client, alice)
    web_log_in(client, alice.email)

    page = client.get("/week")

    risks = section(page.text, "week-risks")
    assert "Rewrite &lt;the&gt; billing" in risks
    assert "late" in risks or "not planned" in risks


def test_it_moves_to_another_week(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)

    page = client.get("/week?start=2026-12-07")

    assert page.status_code == 200
    assert "Plan, Mon 07 Dec to Sun 13 Dec" in page.text
    assert 'href="/week?start=2026-11-30"' in page.text
    assert 'href="/week?start=2026-12-14"' in page.text


def test_it_explains_a_bad_start_date_in_the_page(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)

    page = client.get("/week?start=next-friday")

    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "YYYY-MM-DD" in page.text


def test_it_shows_how_the_estimates_run_per_kind(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    web_log_in(client, alice.email)
    assert "No finished tasks with logged time yet" in client.get("/week").text
    for _ in range(10):
        clock.set(clock.now() - timedelta(hours=3))  # each entry ends before the last began
        finish_with_time(client, alice, clock, "docs", 60, 120)
    clock.set(START)
    card = section(client.get("/week").text, "calibration")
    assert "Your docs estimates run 2.0x short" in card and "(10 finished tasks" in card
