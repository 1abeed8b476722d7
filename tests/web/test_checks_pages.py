"""The app-check pages over days of runs recorded by the real check runner: what each page
shows, the forms (errors next to the field, CSRF), and that another team's apps stay hidden."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from devday.web.charts.checks import (
    LatencyPoint,
    latency_chart,
    milliseconds,
    nice_ceiling,
    sparkline,
    time_ticks,
)
from tests.factories import Account, api_team, csrf_from, web_log_in
from tests.web.checks_seed import seed_checks

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(client: TestClient, alice: Account, engine: Engine, clock: MockClock) -> dict[str, Any]:
    """Alice's team with three apps and four days of their checks' runs; Alice signed in."""
    team_id = api_team(client, alice, timezone=None)
    apps = seed_checks(engine, owner_id=alice.id, team_id=team_id, now=clock.now(), days=4)
    assert web_log_in(client, alice.email).status_code == 303
    return {"team_id": team_id, "apps": apps}


def api(client: TestClient, account: Account, path: str) -> Any:
    response = client.get(path, headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def svg(html: str, selector: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(rf"<svg class=\"{selector}\".*?</svg>", html)]


# --- the pages -----------------------------------------------------------------------------------


def test_it_lists_apps_with_each_checks_status_latency_grade_and_sparkline(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    html = client.get("/apps").text
    listed = api(client, alice, "/api/v1/apps")
    assert re.findall(r'<h2 id="app-\d+-name"><a href="/apps/\d+">([^<]+)</a>', html) == [
        a["name"] for a in listed
    ]
    for app in listed:
        card = html[html.index(f'id="app-{app["id"]}"') :]
        card = card[: card.index("</section>")]
        assert f'<span class="state state-{app["state"]}">{app["state"]}</span>' in card
        for check in app["checks"]:
            row = card[card.index(f'data-check-id="{check["id"]}"') :]
            row = row[: row.index("</tr>")]
            assert f">{check['state']}</span>" in row
            assert f"p50 </span>{milliseconds(check['p50_ms'])}</td>" in row
            assert f"p95 </span>{milliseconds(check['p95_ms'])}</td>" in row
            if check["grade"]:
                assert f">{check['grade']}</span>" in row
    billing = next(a for a in listed if a["name"] == "billing-web")
    assert billing["state"] == "down" and billing["checks"][0]["grade"] == "A"
    sparks = svg(html, "spark")
    assert len(sparks) == 4
    for spark in sparks:
        path = spark.find("path")
        assert path is not None and path.get("d", "").startswith("M")
        assert (spark.findtext("title") or "").endswith(" ms")
    assert '<a href="/incidents?status=open">1 open incident</a>' in html


@pytest.mark.parametrize("range_key", ["1h", "24h", "7d", "30d"])
def test_it_charts_an_apps_latency_at_each_range(
    client: TestClient, world: dict[str, Any], range_key: str
) -> None:
    app_id = world["apps"]["orders-api"]
    html = client.get(f"/apps/{app_id}?range={range_key}").text
    assert f'href="/apps/{app_id}?range={range_key}" aria-current="page"' in html
    charts = svg(html, "chart latency")
    assert len(charts) == 2  # health and search
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.find("path[@class='p50']") is not None
        assert chart.find("path[@class='p95']") is not None
        ticks = [t.text for t in chart.findall("text[@class='axis']")]
        assert len(ticks) >= 5 + 3  # five ms gridlines and at least three times
    if range_key == "30d":
        # Four days of runs in a 30-day range: the line starts where the runs do.
        first = charts[0].find("path[@class='p50']")
        assert first is not None
        start_x = float(first.get("d", "M0").split()[0][1:])
        assert start_x > 500


def test_it_falls_back_to_24_hours_for_an_unknown_range(
    client: TestClient, world: dict[str, Any]
) -> None:
    app_id = world["apps"]["orders-api"]
    html = client.get(f"/apps/{app_id}?range=forever").text
    assert f'href="/apps/{app_id}?range=24h" aria-current="page"' in html


def test_it_shows_grade_history_and_open_and_past_incidents_with_evidence(
    client: TestClient, alice: Account, world: dict[str, Any]
) -> None:
    billing = world["apps"]["billing-web"]
    html = client.get(f"/apps/{billing}").text
    grades = re.findall(r'<li><span class="grade grade-\w">([A-F][+-]?)</span> ([^<]+)</li>', html)
    # A for the last three days; before, A- (a day with both counts as its worse grade).
    assert grades[0] == ("A", "since Sat 28 Nov")
    assert grades[1] == ("A-", "Thu 26 Nov to Fri 27 Nov")
    [incident] = api(client, alice, f"/api/v1/incidents?app_id={billing}")
    assert incident["status"] == "open" and incident["task_id"]
    listed = html[html.index('id="open-incidents"') :]
    assert f'<a href="/tasks/{incident["task_id"]}">Task #{incident["task_id"]}</a>' in listed
    assert "<dt>HTTP status</dt><dd>503</dd>" in listed
    assert "No past incidents." in html
    orders = client.get(f"/apps/{world['apps']['orders-api']}").text
    past = orders[orders.index('id="past-incidents"') :]
    assert "orders-api search is down" in past and "resolved" in past
    assert "None open" in orders


def test_it_lists_incidents_open_first_and_filters_them(
    client: TestClient, world: dict[str, Any]
) -> None:
    html = client.get("/incidents").text
    assert html.index('id="open-incidents"') < html.index('id="past-incidents"')
    assert "billing-web home is down" in html and "orders-api search is down" in html
    opened = client.get("/incidents?status=open").text
    assert "billing-web home is down" in opened and "orders-api search is down" not in opened
    resolved = client.get("/incidents?status=resolved").text
    assert "orders-api search is down" in resolved and "billing-web home" not in resolved
    assert 'href="/incidents?status=resolved" aria-current="page"' in resolved


def test_it_hides_another_teams_apps_and_incidents(
    client: TestClient, alice: Account, bob: Account, world: dict[str, Any]
) -> None:
    billing = world["apps"]["billing-web"]
    assert web_log_in(client, bob.email).status_code == 303
    apps = client.get("/apps").text
    assert "billing-web" not in apps and "Create a team first" in apps
    assert "billing-web" not in client.get("/incidents").text
    for path in (f"/apps/{billing}", "/apps/999999", "/apps/abc", "/apps/0"):
        missing = client.get(path)
        assert missing.status_code == 404 and "App not found" in missing.text
    token = csrf_from(apps)
    refused = client.post(f"/apps/{billing}/checks", data={"name": "x", "csrf_token": token})
    assert refused.status_code == 404
    checks = api(client, alice, "/api/v1/apps")
    assert sum(len(a["checks"]) for a in checks) == 4


def test_it_says_what_to_do_with_no_apps(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    assert "Create a team first" in client.get("/apps").text
    api_team(client, alice, timezone=None)
    html = client.get("/apps").text
    assert "No apps yet" in html and 'action="/apps"' in html
    assert "No open incidents" in client.get("/incidents").text


# --- the forms -----------------------------------------------------------------------------------


def test_it_adds_an_app_and_shows_errors_next_to_the_field(
    client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice, timezone=None)
    web_log_in(client, alice.email)
    token = csrf_from(client.get("/apps").text)
    bad = client.post(
        "/apps",
        data={"team_id": str(team_id), "name": "", "base_url": "ftp://x", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert 'id="app-name-error"' in bad.text and 'id="app-base_url-error"' in bad.text
    assert 'aria-describedby="app-base_url-error"' in bad.text
    assert 'value="ftp://x"' in bad.text
    good = client.post(
        "/apps",
        data={
            "team_id": str(team_id),
            "name": "docs",
            "base_url": "https://docs.example.com/",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    app_id = int(re.search(r"/apps/(\d+)\?added=app$", good.headers["location"]).group(1))  # type: ignore[union-attr]
    page = client.get(good.headers["location"]).text
    assert "App added." in page and "No checks yet" in page
    [app] = api(client, alice, "/api/v1/apps")
    assert (app["id"], app["name"], app["base_url"]) == (app_id, "docs", "https://docs.example.com")


def test_it_adds_a_check_and_shows_errors_next_to_the_field(
    client: TestClient, alice: Account
) -> None:
    team_id = api_team(client, alice, timezone=None)
    app = client.post(
        "/api/v1/apps",
        json={"team_id": team_id, "name": "docs", "base_url": "https://docs.example.com"},
        headers=alice.headers,
    ).json()
    web_log_in(client, alice.email)
    token = csrf_from(client.get(f"/apps/{app['id']}").text)
    form = {
        "name": "home",
        "method": "GET",
        "path": "/",
        "statuses": "2xx, 9xx",
        "must_contain": "",
        "latency_budget_ms": "fast",
        "interval_seconds": "300",
        "tls": "on",
        "csrf_token": token,
    }
    own_check = client.post(f"/apps/{app['id']}/checks", data=form)
    assert own_check.status_code == 422
    assert 'id="check-latency_budget_ms-error"' in own_check.text
    schema = client.post(f"/apps/{app['id']}/checks", data={**form, "latency_budget_ms": "400"})
    assert schema.status_code == 422
    assert 'id="check-statuses-error"' in schema.text and "9xx" in schema.text
    assert 'value="2xx, 9xx"' in schema.text
    path = client.post(
        f"/apps/{app['id']}/checks",
        data={**form, "latency_budget_ms": "400", "statuses": "200", "path": "health"},
    )
    assert path.status_code == 422 and 'id="check-path-error"' in path.text
    good = client.post(
        f"/apps/{app['id']}/checks",
        data={**form, "latency_budget_ms": "400", "statuses": "200", "security": "on"},
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    assert re.search(r"\?added=check#check-\d+$", good.headers["location"])
    [check] = api(client, alice, f"/api/v1/checks?app_id={app['id']}")
    assert check["accepted_statuses"] == ["200"]
    assert (check["latency_budget_ms"], check["interval_seconds"]) == (400, 300)
    assert check["security"] is True and check["tls"] is True
    page = client.get(good.headers["location"]).text
    assert "Check added" in page and "No runs in this range" in page


@pytest.mark.parametrize("path", ["/apps", "/apps/{id}/checks"])
def test_it_refuses_a_form_without_the_csrf_token(
    client: TestClient, alice: Account, path: str
) -> None:
    team_id = api_team(client, alice, timezone=None)
    app = client.post(
        "/api/v1/apps",
        json={"team_id": team_id, "name": "docs", "base_url": "https://docs.example.com"},
        headers=alice.headers,
    ).json()
    web_log_in(client, alice.email)
    data = {"team_id": str(team_id), "name": "x", "base_url": "https://x.example.com"}
    response = client.post(path.format(id=app["id"]), data={**data, "csrf_token": "forged"})
    assert response.status_code == 403 and "Your form expired" in response.text
    listed = api(client, alice, "/api/v1/apps")
    assert [a["name"] for a in listed] == ["docs"] and listed[0]["checks"] == []


@pytest.mark.parametrize("path", ["/apps", "/apps/1", "/incidents"])
def test_it_sends_a_signed_out_visitor_to_log_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


# --- the charts, drawn alone ---------------------------------------------------------------------


def test_it_breaks_the_sparkline_at_a_gap_and_escapes_its_label() -> None:
    spark = ET.fromstring(str(sparkline([10, 20, None, 40], label="<b>x</b>")))
    path = spark.find("path")
    assert path is not None
    assert [c[0] for c in path.get("d", "").split(" ") if c[0].isalpha()] == ["M", "L", "M"]
    assert spark.findtext("title") == "<b>x</b>"
    empty = ET.fromstring(str(sparkline([None, None], label="none")))
    assert empty.find("path") is None


def test_it_scales_the_latency_chart_to_a_round_ceiling_and_marks_failures() -> None:
    start = datetime(2026, 11, 30, 8, tzinfo=UTC)
    points = [
        LatencyPoint(
            at=start + timedelta(minutes=10 * i),
            p50_ms=100,
            p95_ms=180 + i,
            runs=2,
            failures=1 if i == 3 else 0,
        )
        for i in range(6)
    ]
    chart = ET.fromstring(
        str(
            latency_chart(
                points=points,
                start=start,
                end=start + timedelta(hours=1),
                ticks=time_ticks(start, start + timedelta(hours=1), BERLIN),
                label='a "check"',
                chart_id="c1",
            )
        )
    )
    labels = [t.text for t in chart.findall("text[@class='axis']")]
    assert labels[:5] == ["0 ms", "50 ms", "100 ms", "150 ms", "200 ms"]
    assert labels[5:] == ["09:00", "09:10", "09:20", "09:30", "09:40", "09:50", "10:00"]
    [fail] = chart.findall("rect[@class='fail']")
    assert fail.findtext("title") == "1 of 2 runs failed"
    assert chart.findtext("desc") == "12 runs, 1 failed; the slowest bucket's p95 was 185 ms."
    assert chart.get("aria-labelledby") == "c1-title c1-desc"


def test_it_picks_round_ceilings_and_ticks() -> None:
    assert [nice_ceiling(v) for v in (0, 12, 180, 260, 999, 1001)] == [10, 20, 200, 500, 1000, 2000]
    end = datetime(2026, 11, 30, 9, tzinfo=UTC)  # 10:00 in Berlin
    day = [text for _, text in time_ticks(end - timedelta(hours=24), end, BERLIN)]
    assert day == ["12:00", "15:00", "18:00", "21:00", "00:00", "03:00", "06:00", "09:00"]
    week = [text for _, text in time_ticks(end - timedelta(days=7), end, BERLIN)]
    assert week == ["Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28", "Sun 29", "Mon 30"]
    month = time_ticks(end - timedelta(days=30), end, BERLIN)
    assert [text for _, text in month] == [
        "01 Nov",
        "06 Nov",
        "11 Nov",
        "16 Nov",
        "21 Nov",
        "26 Nov",
    ]
    # Across the change from summer time, a tick still falls on the local midnight.
    autumn = datetime(2026, 10, 28, 12, tzinfo=UTC)
    for moment, _ in time_ticks(autumn - timedelta(days=7), autumn, BERLIN):
        assert moment.astimezone(BERLIN).hour == 0
