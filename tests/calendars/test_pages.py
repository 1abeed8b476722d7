"""Calendars and busy time in the browser's pages: subscribe in Settings, see the events on Today
and Week with their calendar's name, and add, edit and remove one-off busy time."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.calendars.conftest import IcsServer
from tests.calendars.test_subscriptions import WORK
from tests.factories import Account, csrf_from, web_log_in


def post(client: TestClient, path: str, page: str, **fields: str) -> tuple[int, str, str]:
    answer = client.post(
        path, data={"csrf_token": csrf_from(page), **fields}, follow_redirects=False
    )
    return answer.status_code, answer.headers.get("location", ""), answer.text


def busy_items(html: str) -> list[str]:
    """The Busy time card's lines, as text."""
    card = html.split('id="busy"', 1)[1].split("</ul>", 1)[0] if 'id="busy"' in html else ""
    lines = re.findall(r'<div class="busy-line">(.*?)</div>', card, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]


def test_a_subscribed_calendar_shows_on_today_and_its_events_are_read_only(
    client: TestClient, alice: Account, ics_server: IcsServer
) -> None:
    ics_server.serve(WORK, '"v1"')
    web_log_in(client, alice.email)
    settings = client.get("/settings/calendar").text
    assert "No calendars yet" in settings

    status, location, _ = post(
        client,
        "/settings/calendars",
        settings,
        name="Work",
        kind="ics",
        url=ics_server.url,
        all_day_busy="1",
    )
    assert (status, location) == (303, "/settings/calendar?saved=added")
    listed = client.get(location).text
    assert "Calendar added" in listed and f"http://127.0.0.1:{ics_server.port}/…" in listed
    assert "private-abc" not in listed  # the secret part of the address is never shown
    calendar_id = re.search(r'data-calendar-id="(\d+)"', listed)
    assert calendar_id

    status, _, body = post(client, f"/settings/calendars/{calendar_id[1]}/refresh", listed)
    assert status == 200 and "Calendar read now." in body

    today = client.get("/today").text
    assert "Sprint sync from Work" in " ".join(busy_items(today))
    assert "11:00\u201311:30 Sprint sync from Work" in busy_items(today)
    # The timeline names the calendar too, and an imported event has no edit form.
    assert "Sprint sync · Work" in today
    assert 'action="/busy/' not in today.split('id="busy"', 1)[1].split("</ul>", 1)[0]

    # A server that fails shows its error on the calendar's row; the events stay.
    ics_server.status = 503
    status, _, body = post(client, f"/settings/calendars/{calendar_id[1]}/refresh", listed)
    assert "The calendar could not be read: HTTP 503 from 127.0.0.1" in body
    assert "Last try failed" in client.get("/settings/calendar").text
    assert "11:00\u201311:30 Sprint sync from Work" in busy_items(client.get("/today").text)

    status, location, _ = post(
        client, f"/settings/calendars/{calendar_id[1]}/delete", client.get(location).text
    )
    assert status == 303
    assert busy_items(client.get("/today").text) == []


def test_busy_time_is_added_edited_and_removed_from_today_and_week(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    today = client.get("/today").text
    assert "Nothing busy today" in today
    status, location, _ = post(
        client,
        "/busy",
        today,
        title="Dentist",
        day="2026-11-30",
        start="14:00",
        end="15:30",
        back="/today",
    )
    assert (status, location) == (303, "/today")
    today = client.get("/today").text
    assert busy_items(today) == ["14:00\u201315:30 Dentist"]
    event_id = re.search(r'data-busy-id="(\d+)"', today)
    assert event_id

    # The planner keeps it free (the API says the same busy time).
    events = client.get("/api/v1/busy-events", headers=alice.headers).json()
    assert [(e["title"], e["start"]) for e in events] == [("Dentist", "2026-11-30T13:00:00Z")]

    # Edited from the Week page, it goes back to the Week page.
    week = client.get("/week?start=2026-11-30").text
    assert "Mon 30 14:00\u201315:30 Dentist" in busy_items(week)
    status, location, _ = post(
        client,
        f"/busy/{event_id[1]}/edit",
        week,
        title="Dentist (moved)",
        day="2026-12-01",
        start="09:00",
        end="10:00",
        back="/week?start=2026-11-30",
    )
    assert (status, location) == (303, "/week?start=2026-11-30")
    assert "Tue 01 09:00\u201310:00 Dentist (moved)" in busy_items(client.get(location).text)

    # A bad time is a message on the page, and nothing changes.
    status, _, body = post(
        client,
        "/busy",
        client.get("/today").text,
        title="Call",
        day="2026-11-30",
        start="16:00",
        end="15:00",
        back="/today",
    )
    assert status == 422 and "must end after it starts" in body
    status, _, body = post(
        client,
        "/busy",
        client.get("/today").text,
        title="Call",
        day="30/11",
        start="16:00",
        end="17:00",
        back="https://evil.example/",
    )
    assert status == 422 and "YYYY-MM-DD" in body

    status, location, _ = post(
        client, f"/busy/{event_id[1]}/delete", client.get("/today").text, back="/today"
    )
    assert (status, location) == (303, "/today")
    assert client.get("/api/v1/busy-events", headers=alice.headers).json() == []
