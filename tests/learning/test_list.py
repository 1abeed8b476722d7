"""The learning list through the API: items, marking them done (the time is recorded and
shows in the week's figures), and the planner filling the personal-development block from the
list without moving any work."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_task, web_log_in

BERLIN = ZoneInfo("Europe/Berlin")
DAY = "2026-11-30"  # Monday; the clock starts at 10:00 Berlin time


def add(client: TestClient, who: Account, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/learning/items", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def agenda(client: TestClient, who: Account, day: str = DAY) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/learning/agenda?day={day}", headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["slots"])


def local(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(BERLIN).strftime("%H:%M")


def course(
    client: TestClient, who: Account, title: str, goal: str | None, n: int = 3
) -> dict[str, Any]:
    return add(
        client,
        who,
        kind="course",
        title=title,
        minutes=20,
        goal_date=goal,
        parts=[{"title": f"Lesson {i + 1}"} for i in range(n)],
    )


def test_it_keeps_courses_books_articles_and_talks_in_the_planners_order(
    client: TestClient, alice: Account
) -> None:
    add(client, alice, kind="article", title="Old article", url="https://a.example.com/x")
    starred = add(client, alice, kind="talk", title="Starred talk", minutes=45, starred=True)
    far = course(client, alice, "Rust", "2027-03-01")
    near = course(client, alice, "Kubernetes", "2026-12-20")
    book = add(
        client,
        alice,
        kind="book",
        title="DDIA",
        parts=[{"title": "Reliable", "minutes": 40}, {"title": "Scalable"}],
    )
    listed = client.get("/api/v1/learning/items", headers=alice.headers).json()
    assert [i["title"] for i in listed] == [
        "Kubernetes",
        "Rust",
        "Starred talk",
        "Old article",
        "DDIA",
    ]
    assert near["parts"][0]["title"] == "Lesson 1" and len(far["parts"]) == 3
    assert book["parts"][0]["minutes"] == 40 and book["parts"][1]["minutes"] is None
    star = client.patch(
        f"/api/v1/learning/items/{starred['id']}",
        json={"starred": False, "goal_date": "2026-12-01"},
        headers=alice.headers,
    )
    assert star.status_code == 200 and star.json()["goal_date"] == "2026-12-01"
    bad = client.post(
        "/api/v1/learning/items",
        json={"kind": "article", "title": "x", "parts": [{"title": "no"}]},
        headers=alice.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "parts"
    for body, field in (
        ({"kind": "podcast", "title": "x"}, "kind"),
        ({"kind": "article", "title": "x", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "article", "title": "x", "minutes": 0}, "minutes"),
        ({"kind": "article", "title": "   "}, "title"),
    ):
        refused = client.post("/api/v1/learning/items", json=body, headers=alice.headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field


def test_marking_lessons_done_records_the_time_and_finishes_the_course(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    item = course(client, alice, "Kubernetes", "2026-12-20", n=2)
    url = f"/api/v1/learning/items/{item['id']}/done"
    clock.advance(timedelta(hours=9))  # 19:00 in Berlin
    first = client.post(url, json={}, headers=alice.headers).json()
    assert first["parts_done"] == 1 and first["minutes_spent"] == 20 and first["done_at"] is None
    second = client.post(url, json={"minutes": 35}, headers=alice.headers).json()
    assert second["parts_done"] == 2 and second["minutes_spent"] == 55
    assert second["done_at"] is not None
    again = client.post(url, json={}, headers=alice.headers)
    assert again.status_code == 422 and "done already" in again.json()["detail"]
    article = add(client, alice, kind="article", title="Read me", minutes=10)
    done = client.post(
        f"/api/v1/learning/items/{article['id']}/done", json={}, headers=alice.headers
    )
    assert done.json()["done_at"] is not None and done.json()["minutes_spent"] == 10

    week = client.get("/api/v1/learning/week", headers=alice.headers).json()
    assert week["total_minutes"] == 65
    assert {k["kind"]: k["minutes"] for k in week["by_kind"]} == {"course": 55, "article": 10}
    assert week["courses"][0]["parts_done"] == 2 and week["courses"][0]["parts"] == 2
    # The Week page counts the time beside work.
    web_log_in(client, alice.email)
    page = client.get("/week")
    assert page.status_code == 200
    row = page.text[page.text.index('<th scope="row">learning') :][:400]
    assert "<td>1h05</td></tr>" in row, row


def test_the_planner_fills_the_personal_development_block_nearest_goal_first_then_starred(
    client: TestClient, alice: Account
) -> None:
    add(client, alice, kind="article", title="Plain article", minutes=10)
    add(client, alice, kind="talk", title="Starred talk", minutes=15, starred=True)
    course(client, alice, "Rust", "2027-03-01")
    course(client, alice, "Kubernetes", "2026-12-20")
    slots = agenda(client, alice)
    assert [(local(s["start"]), local(s["end"]), s["title"]) for s in slots] == [
        ("18:00", "18:20", "Kubernetes: Lesson 1"),
        ("18:20", "18:40", "Rust: Lesson 1"),
        ("18:40", "18:55", "Starred talk"),
    ]
    assert agenda(client, alice, "2026-12-05") == []  # Saturday: no such block in the routine


def test_filling_the_block_never_moves_work_and_stays_out_of_working_hours(
    client: TestClient, alice: Account
) -> None:
    api_task(
        client,
        alice,
        "Ship the release",
        estimate_minutes=240,
        deadline="2026-11-30T17:00:00+01:00",
        importance=4,
    )
    before = client.post(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    for n in range(6):
        add(client, alice, kind="talk", title=f"Talk {n}", minutes=30, starred=True)
    after = client.post(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    work = [(b["start"], b["end"], b["task_id"]) for b in before["blocks"]]
    assert [(b["start"], b["end"], b["task_id"]) for b in after["blocks"]] == work
    assert after["late"] == before["late"] == []
    slots = agenda(client, alice)
    assert [(local(s["start"]), local(s["end"])) for s in slots] == [
        ("18:00", "18:30"),
        ("18:30", "19:00"),
    ]
    # Allowed into working hours, learning takes only time the plan leaves free.
    allowed = client.put(
        "/api/v1/learning/settings", json={"in_working_hours": True}, headers=alice.headers
    )
    assert allowed.status_code == 200 and allowed.json()["in_working_hours"] is True
    slots = agenda(client, alice)
    assert len(slots) > 2  # some in the time the plan leaves free
    taken = [
        (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
        for b in after["blocks"]
    ]
    for slot in slots:
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert all(end <= lo or start >= hi for lo, hi in taken), slot
        assert local(slot["start"]) >= "10:00"


def test_a_day_that_misses_a_deadline_keeps_its_working_time_for_work(
    client: TestClient, alice: Account
) -> None:
    api_task(
        client,
        alice,
        "Impossible",
        estimate_minutes=600,
        deadline="2026-11-30T16:00:00+01:00",
        importance=4,
    )
    plan = client.post(f"/api/v1/plans/{DAY}", headers=alice.headers).json()
    assert plan["late"]
    client.put("/api/v1/learning/settings", json={"in_working_hours": True}, headers=alice.headers)
    add(client, alice, kind="talk", title="Talk", minutes=30)
    add(client, alice, kind="talk", title="Talk 2", minutes=30)
    add(client, alice, kind="talk", title="Talk 3", minutes=30)
    slots = agenda(client, alice)
    assert [local(s["start"]) for s in slots] == ["18:00", "18:30"]
