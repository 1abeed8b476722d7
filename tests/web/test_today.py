from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from devday.clock import MockClock
from devday.db import transaction
from devday.demo import DEMO_PASSWORD, PEOPLE, seed_if_empty
from devday.web.charts.timeline import Span, timeline_svg
from tests.factories import Account, api_task, csrf_from, web_log_in

BERLIN = ZoneInfo("Europe/Berlin")
DAY = "2026-11-30"  # Monday; the clock starts at 10:00 Berlin time


def add(client: TestClient, who: Account, **fields: Any) -> dict[str, Any]:
    """A task due on Friday with an hour's estimate unless ``fields`` say otherwise."""
    return api_task(client, who, **{"deadline": "2026-12-04", "estimate_minutes": 60, **fields})


def sign_in(client: TestClient, who: Account) -> str:
    """Logs ``who`` in on the web; answers the CSRF token of their Today page."""
    assert web_log_in(client, who.email).status_code == 303
    return csrf_from(client.get("/today").text)


def post(client: TestClient, path: str, token: str, **fields: str) -> httpx2.Response:
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def plan_of(client: TestClient, who: Account, day: str = DAY) -> dict[str, Any]:
    response = client.get(f"/api/v1/plans/{day}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def planned(client: TestClient, who: Account, token: str) -> dict[str, Any]:
    response = post(client, "/today/plan", token)
    assert response.status_code == 303 and response.headers["location"] == "/today"
    return plan_of(client, who)


def timeline(html: str) -> ET.Element:
    match = re.search(r'<svg id="timeline".*?</svg>', html, re.S)
    assert match, "the page draws the timeline"
    return ET.fromstring(match.group(0))


def row(html: str, block_id: int) -> str:
    match = re.search(rf'<li data-block-id="{block_id}".*?</li>', html, re.S)
    assert match, f"block {block_id} is listed"
    return match.group(0)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(BERLIN)


# --- the page ----------------------------------------------------------------------------------


def test_it_sends_a_signed_out_visitor_to_log_in(client: TestClient) -> None:
    page = client.get("/today", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/today"
    action = client.post("/today/plan", data={"csrf_token": "x"}, follow_redirects=False)
    assert action.status_code == 303 and action.headers["location"].startswith("/login")


def test_it_shows_the_empty_state_and_plans_the_day(client: TestClient, alice: Account) -> None:
    add(client, alice, title="Fix login", kind="coding", importance=4)
    token = sign_in(client, alice)
    empty = client.get("/today")
    assert empty.status_code == 200
    assert "No plan yet" in empty.text and 'action="/today/plan"' in empty.text
    assert "Plan my day" in empty.text and 'id="replan"' not in empty.text
    assert "Monday 30 November 2026" in empty.text and "No timer running" in empty.text

    plan = planned(client, alice, token)
    page = client.get("/today")
    assert "No plan yet" not in page.text
    assert '<form id="replan"' in page.text and "Re-plan" in page.text
    assert "Nothing at risk" in page.text
    [block] = plan["blocks"]
    assert row(page.text, block["id"]).count("Fix login") == 1


def test_it_lists_late_tasks_with_the_planners_reason(client: TestClient, alice: Account) -> None:
    add(
        client, alice, title="Too big today", estimate_minutes=600, deadline=f"{DAY}T17:00:00+01:00"
    )
    plan = planned(client, alice, sign_in(client, alice))
    [late] = plan["late"]
    page = client.get("/today").text
    at_risk = page[page.index('id="at-risk"') :]
    assert "Too big today" in at_risk
    assert str(escape(late["reason"])) in at_risk


def test_it_draws_a_block_per_planned_task_and_the_now_line(
    client: TestClient, alice: Account
) -> None:
    first = add(client, alice, title="Fix <login>", kind="coding", importance=4)
    second = add(client, alice, title="Write docs", kind="docs")
    plan = planned(client, alice, sign_in(client, alice))
    svg = timeline(client.get("/today").text)

    blocks = svg.findall(".//g[@data-task-id]")
    today = [b for b in plan["blocks"] if local(b["start"]).date() == date(2026, 11, 30)]
    assert {g.get("data-block-id") for g in blocks} == {str(b["id"]) for b in today}
    assert {g.get("data-task-id") for g in blocks} == {str(first["id"]), str(second["id"])}
    assert all("block" in (g.get("class") or "").split() for g in blocks)
    coding = next(g for g in blocks if g.get("data-task-id") == str(first["id"]))
    assert "kind-coding" in (coding.get("class") or "")
    assert coding.findtext("title", "").startswith("Fix <login> · ")
    now_line = svg.find(".//line[@id='now-line']")
    assert now_line is not None
    ten = svg.findall(".//text[@class='hour-label']")[2]  # 08:00, 09:00, 10:00
    assert ten.text == "10:00"
    assert float(now_line.get("y1", "0")) == float(ten.get("y", "0")) - 4
    assert svg.get("role") == "img" and svg.get("aria-labelledby")


def test_it_starts_and_stops_the_timer(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = add(client, alice, title="Fix login", kind="coding")
    token = sign_in(client, alice)
    plan = planned(client, alice, token)
    started = post(client, "/today/timer/start", token, task_id=str(task["id"]))
    assert started.status_code == 303 and started.headers["location"] == "/today"

    clock.advance(timedelta(minutes=25))
    page = client.get("/today").text
    timer = re.search(r'<p id="timer".*?</p>', page, re.S)
    assert timer and "Fix login" in timer.group(0)
    assert "since 10:00" in timer.group(0) and "25m" in timer.group(0)
    listed = row(page, plan["blocks"][0]["id"])
    assert ">Stop</button>" in listed and ">Start</button>" not in listed
    status = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()["status"]
    assert status == "doing"

    stopped = post(client, "/today/timer/stop", token)
    assert stopped.status_code == 303
    page = client.get("/today").text
    assert "No timer running" in page
    assert ">Start</button>" in row(page, plan["blocks"][0]["id"])
    [entry] = client.get("/api/v1/time-entries", headers=alice.headers).json()
    assert entry["task_id"] == task["id"] and entry["minutes"] == 25 and entry["end"]


def test_it_says_when_there_is_no_timer_to_stop(client: TestClient, alice: Account) -> None:
    token = sign_in(client, alice)
    refused = post(client, "/today/timer/stop", token)
    assert refused.status_code == 422
    assert "no timer is running" in refused.text and 'role="alert"' in refused.text


def test_it_marks_a_block_done_finishes_the_task_and_replans(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    task = add(client, alice, title="Fix login", kind="coding", importance=4)
    add(client, alice, title="Write docs", kind="docs")
    token = sign_in(client, alice)
    plan = planned(client, alice, token)
    block = next(b for b in plan["blocks"] if b["task_id"] == task["id"])

    clock.set(local(block["start"]) + timedelta(minutes=15))
    done = post(client, f"/today/blocks/{block['id']}/done", token)
    assert done.status_code == 303 and done.headers["location"] == "/today"

    status = client.get(f"/api/v1/tasks/{task['id']}", headers=alice.headers).json()["status"]
    assert status == "done"
    after = plan_of(client, alice)
    assert after["changed_at"] != plan["changed_at"]  # re-planned at 10:45
    assert next(b for b in after["blocks"] if b["id"] == block["id"])["done"] is True
    page = client.get("/today").text
    listed = row(page, block["id"])
    assert "badge-done" in listed and ">Done</button>" not in listed
    assert "re-planned at 10:45: &#39;Fix login&#39; finished" in page
    drawn = timeline(page).find(f".//g[@data-block-id='{block['id']}']")
    assert drawn is not None and "done" in (drawn.get("class") or "").split()


def test_it_pins_and_unpins_a_block(client: TestClient, alice: Account) -> None:
    add(client, alice, title="Fix login", kind="coding")
    token = sign_in(client, alice)
    [block] = planned(client, alice, token)["blocks"]

    assert post(client, f"/today/blocks/{block['id']}/pin", token).status_code == 303
    assert plan_of(client, alice)["blocks"][0]["pinned"] is True
    page = client.get("/today").text
    assert ">Unpin</button>" in row(page, block["id"])
    drawn = timeline(page).find(f".//g[@data-block-id='{block['id']}']")
    assert drawn is not None and "pinned" in (drawn.get("class") or "").split()

    assert post(client, f"/today/blocks/{block['id']}/pin", token, pinned="0").status_code == 303
    assert plan_of(client, alice)["blocks"][0]["pinned"] is False
    assert ">Pin</button>" in row(client.get("/today").text, block["id"])


def test_it_moves_a_block_to_the_time_given_and_pins_it(client: TestClient, alice: Account) -> None:
    add(client, alice, title="Fix login", kind="coding", estimate_minutes=60)
    add(client, alice, title="Write docs", kind="docs", estimate_minutes=60)
    token = sign_in(client, alice)
    plan = planned(client, alice, token)
    first, second = plan["blocks"][:2]

    moved = post(client, f"/today/blocks/{first['id']}/move", token, time="14:00")
    assert moved.status_code == 303
    after = next(b for b in plan_of(client, alice)["blocks"] if b["id"] == first["id"])
    assert local(after["start"]).strftime("%H:%M") == "14:00"
    assert local(after["end"]).strftime("%H:%M") == "15:00"
    assert after["pinned"] is True
    assert "14:00\u201315:00" in row(client.get("/today").text, first["id"])

    clash = local(second["start"]).strftime("%H:%M")
    refused = post(client, f"/today/blocks/{first['id']}/move", token, time=clash)
    assert refused.status_code == 422
    assert "overlaps" in refused.text and 'role="alert"' in refused.text
    unchanged = next(b for b in plan_of(client, alice)["blocks"] if b["id"] == first["id"])
    assert unchanged["start"] == after["start"]

    nonsense = post(client, f"/today/blocks/{first['id']}/move", token, time="25:99")
    assert nonsense.status_code == 422 and "HH:MM" in nonsense.text


def test_it_replans_and_refuses_a_stale_plan(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    add(client, alice, title="Fix login", kind="coding")
    token = sign_in(client, alice)
    planned(client, alice, token)
    add(client, alice, title="Urgent hotfix", kind="coding", importance=4, deadline=DAY)
    clock.advance(timedelta(minutes=15))

    # The new task is in the plan already; Re-plan still works from the version shown.
    page = client.get("/today").text
    assert "Urgent hotfix" in page and "re-planned at 10:00: &#39;Urgent hotfix&#39; added" in page
    version = re.search(r'<form id="replan".*?name="version" value="(\d+)"', page, re.S)
    assert version and int(version.group(1)) == plan_of(client, alice)["version"]
    replanned = post(client, "/today/replan", token, version=version.group(1))
    assert replanned.status_code == 303
    after = plan_of(client, alice)
    assert "Urgent hotfix" in {b["title"] for b in after["blocks"]}
    assert after["change_reason"] == "re-planned on request"

    stale = post(client, "/today/replan", token, version=version.group(1))
    assert stale.status_code == 409 and 'role="alert"' in stale.text


def test_it_refuses_a_form_without_the_csrf_token(client: TestClient, alice: Account) -> None:
    add(client, alice, title="Fix login")
    sign_in(client, alice)
    for token in ("", "forged"):
        refused = post(client, "/today/plan", token)
        assert refused.status_code == 403
        assert "Your form expired" in refused.text and "No plan yet" in refused.text
    assert client.get(f"/api/v1/plans/{DAY}", headers=alice.headers).status_code == 404


def test_it_explains_each_term_of_the_duty_list(client: TestClient, alice: Account) -> None:
    add(client, alice, title="Fix login", importance=4, deadline="2026-12-01")
    sign_in(client, alice)
    page = client.get("/today").text
    duties = page[page.index('id="duty-list"') :]
    item = re.search(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>", duties, re.S)
    assert item, "each duty is a details element"
    summary, body = item.groups()
    assert "P1" in summary and "Fix login" in summary and "score" in summary
    assert "due Tue 01 Dec" in summary
    expected = client.get("/api/v1/duty-list", headers=alice.headers).json()["items"][0]
    for term in expected["terms"]:
        assert term["name"] in body and term["explanation"] in body


def test_it_keeps_a_stranger_off_another_users_block(
    client: TestClient, alice: Account, bob: Account
) -> None:
    bobs_task = add(client, bob, title="Bob's work", kind="coding")
    bob_plan = client.post(f"/api/v1/plans/{DAY}", headers=bob.headers).json()
    [bobs_block] = bob_plan["blocks"]
    add(client, alice, title="Alice's work")
    token = sign_in(client, alice)
    planned(client, alice, token)

    for action, fields in [("done", {}), ("pin", {}), ("move", {"time": "16:00"})]:
        refused = post(client, f"/today/blocks/{bobs_block['id']}/{action}", token, **fields)
        assert refused.status_code == 404, action
        assert "block not found" in refused.text and 'role="alert"' in refused.text
    timer = post(client, "/today/timer/start", token, task_id=str(bobs_task["id"]))
    assert timer.status_code == 422 and "not found" in timer.text
    junk = post(client, "/today/blocks/abc/done", token)
    assert junk.status_code == 404 and "block not found" in junk.text

    assert plan_of(client, bob) == bob_plan
    status = client.get(f"/api/v1/tasks/{bobs_task['id']}", headers=bob.headers).json()["status"]
    assert status == "todo"


def test_it_shows_every_block_of_the_demo_day(
    app: FastAPI, client: TestClient, clock: MockClock
) -> None:
    with transaction(app.state.devday.session_factory) as session:
        seed_if_empty(session=session, now=clock.now())
    email = PEOPLE[0][0]
    web_log_in(client, email, DEMO_PASSWORD)
    token = csrf_from(client.get("/today").text)
    assert post(client, "/today/plan", token).status_code == 303
    api_token = client.post(
        "/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}
    ).json()["token"]
    plan = client.get(
        f"/api/v1/plans/{DAY}", headers={"Authorization": f"Bearer {api_token}"}
    ).json()
    today = [b for b in plan["blocks"] if local(b["start"]).date() == date(2026, 11, 30)]
    assert today, "the demo day has work planned"
    page = client.get("/today")
    assert page.status_code == 200
    drawn = timeline(page.text).findall(".//g[@data-block-id]")
    assert len(drawn) == len(today)
    for block in today:
        assert str(escape(block["title"])) in row(page.text, block["id"])


# --- the timeline, drawn alone -----------------------------------------------------------------


def at(hour: int, minute: int = 0, day: int = 30) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def draw(spans: list[Span], now: datetime | None = None) -> ET.Element:
    svg = timeline_svg(day=date(2026, 11, 30), zone=BERLIN, spans=spans, now=now, label="Monday")
    return ET.fromstring(str(svg))


def hour_labels(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.findall(".//text[@class='hour-label']")]


def test_it_draws_eight_to_eight_by_default_without_a_now_line_on_another_day() -> None:
    svg = draw([], now=datetime(2026, 12, 1, 9, tzinfo=UTC))
    labels = hour_labels(svg)
    assert labels[0] == "08:00" and labels[-1] == "20:00" and len(labels) == 13
    assert svg.find(".//line[@id='now-line']") is None
    assert svg.findall(".//g") == []


def test_it_widens_the_day_to_hold_early_and_late_blocks() -> None:
    spans = [
        Span(start=at(6, 30), end=at(7, 15), title="Gym", category="personal"),
        Span(start=at(20, 30), end=at(21, 10), title="Call", category="busy"),
    ]
    labels = hour_labels(draw(spans))
    assert labels[0] == "06:00" and labels[-1] == "22:00"


def test_it_draws_task_blocks_with_their_marks_and_escapes_titles() -> None:
    spans = [
        Span(start=at(12, 30), end=at(13, 30), title="Lunch", category="slot"),
        Span(
            start=at(10, 30),
            end=at(12, 30),
            title='Fix <script>"x"</script>',
            category="task",
            kind="coding",
            task_id=7,
            block_id=11,
            pinned=True,
        ),
        Span(
            start=at(14),
            end=at(14, 10),
            title="Tiny",
            category="task",
            kind="docs",
            task_id=8,
            block_id=12,
            done=True,
        ),
    ]
    raw = str(timeline_svg(day=date(2026, 11, 30), zone=BERLIN, spans=spans, now=at(11), label="x"))
    assert "<script>" not in raw
    svg = ET.fromstring(raw)
    big = svg.find(".//g[@data-block-id='11']")
    assert big is not None and big.get("data-task-id") == "7"
    assert (big.get("class") or "").split() == ["block", "kind-coding", "pinned"]
    assert big.findtext("title") == 'Fix <script>"x"</script> · 10:30\u201312:30 · pinned'
    words = svg.find(".//g[@data-label-for='11']")
    assert words is not None and "words" in (words.get("class") or "").split()
    assert words.findtext("text[@class='label']") == 'Fix <script>"x"</script>'
    assert big.find("circle[@class='pin']") is not None
    tiny = svg.find(".//g[@data-block-id='12']")
    assert tiny is not None and "done" in (tiny.get("class") or "").split()
    assert svg.find(".//g[@data-label-for='12']") is None  # too short: the tooltip has it
    lunch = svg.find(".//g[@class='slot']")
    assert lunch is not None and lunch.findtext("title") == "Lunch · 12:30\u201313:30"
    # Tasks are drawn over the routine, the now line over every shape, and every title over
    # the now line; the time itself sits last, in the hour gutter.
    layers = list(svg)
    order = [g.get("class") for g in svg.findall("g")]
    assert order[0] == "slot"
    line = next(i for i, el in enumerate(layers) if el.get("id") == "now-line")
    assert all(el.find(".//text") is None for el in layers[:line] if el.tag == "g")
    assert layers[line + 1].get("class") == "labels"
    assert layers[line + 1].find("g[@data-label-for='11']") is not None
    tag = layers[-1]
    assert tag.get("id") == "now-tag" and tag.findtext("text") == "11:00"
    pill = tag.find("rect")
    assert pill is not None
    assert float(pill.get("x", "0")) + float(pill.get("width", "0")) <= 44  # in the gutter
