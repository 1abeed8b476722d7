"""The plan feed: what a calendar app that subscribes to it gets, through a day of changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from fastapi.testclient import TestClient
from icalendar import Calendar, Event

from devday.clock import MockClock
from tests.calendars.conftest import CalDav
from tests.factories import Account, api_task, api_team, csrf_from, web_log_in

BERLIN = ZoneInfo("Europe/Berlin")
DAY = "2026-11-30"  # Monday; the clock starts at 10:00 Berlin time


def turn_on(client: TestClient, who: Account) -> str:
    made = client.post("/api/v1/calendar-feed", headers=who.headers)
    assert made.status_code == 201, made.text
    assert made.json()["enabled"] is True
    url = str(made.json()["url"])
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    return urlsplit(url).path


def fetch(client: TestClient, path: str) -> Calendar:
    """The feed as a calendar app fetches it: no token, no cookie."""
    answer = TestClient(client.app).get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


def events(calendar: Calendar) -> list[Any]:
    """The events, typed loosely: a property's value type depends on its name."""
    return [c for c in calendar.walk("VEVENT") if isinstance(c, Event)]


def by_summary(calendar: Calendar) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for event in events(calendar):
        found.setdefault(str(event["SUMMARY"]), []).append(event)
    return found


def build(client: TestClient, who: Account, day: str = DAY) -> dict[str, Any]:
    response = client.post(f"/api/v1/plans/{day}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def instant(value: Any) -> datetime:
    moment = value.dt
    assert isinstance(moment, datetime) and moment.tzinfo is not None
    return moment.astimezone(UTC)


def test_the_feed_holds_the_plans_blocks_deadlines_and_the_team_meeting(
    client: TestClient, alice: Account
) -> None:
    api_team(client, alice, "Backend", timezone="Europe/Berlin")
    fix = api_task(
        client,
        alice,
        title="Fix login",
        estimate_minutes=120,
        deadline="2026-11-30T17:00:00+01:00",
        kind="coding",
    )
    api_task(client, alice, title="Docs", estimate_minutes=60, kind="docs")
    plan = build(client, alice)
    path = turn_on(client, alice)

    calendar = fetch(client, path)
    assert str(calendar["X-WR-CALNAME"]) == "devday: Alice"
    found = by_summary(calendar)
    # Every block of the plan is an event at the same instants, with a link to its task.
    for title in ("Fix login", "Docs"):
        planned = sorted(
            (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
            for b in plan["blocks"]
            if b["title"] == title
        )
        fed = sorted((instant(e["DTSTART"]), instant(e["DTEND"])) for e in found[title])
        assert fed == planned and planned
    assert str(found["Fix login"][0]["URL"]).endswith(f"/tasks/{fix['id']}")
    # The deadline is a moment shown as free time.
    (due,) = found["Due: Fix login"]
    assert instant(due["DTSTART"]) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert str(due["TRANSP"]) == "TRANSPARENT"
    assert "Due: Docs" not in found  # no deadline, no event
    # The team meeting: one event repeating on weekdays at 15:00 in the team's time zone.
    (meeting,) = found["Backend: team meeting"]
    start = meeting["DTSTART"].dt
    assert (start.hour, start.minute) == (15, 0) and str(start.tzinfo) == "Europe/Berlin"
    assert meeting["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert meeting["RRULE"]["FREQ"] == ["WEEKLY"]
    assert meeting["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"]
    assert (meeting["DTEND"].dt - start) == timedelta(hours=1)  # the routine's meeting block
    zones = [str(z.get("TZID")) for z in calendar.walk("VTIMEZONE")]
    assert "Europe/Berlin" in zones


def test_the_feed_follows_the_day_as_it_changes(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    path = turn_on(client, alice)
    first = api_task(client, alice, title="Review PR", estimate_minutes=30, deadline="2026-12-01")
    build(client, alice)
    before = client.get(path)
    tag = before.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304

    # A new urgent task arrives: the live plan takes it, and so does the feed.
    api_task(
        client,
        alice,
        title="Hotfix",
        estimate_minutes=45,
        importance=4,
        deadline="2026-11-30T16:00:00+01:00",
    )
    clock.advance(timedelta(minutes=5))
    after = client.get(path, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    found = by_summary(Calendar.from_ical(after.content))
    assert "Hotfix" in found and "Due: Hotfix" in found

    # Finishing a task takes its deadline out of the feed.
    done = client.patch(
        f"/api/v1/tasks/{first['id']}",
        json={"status": "done", "version": first["version"]},
        headers=alice.headers,
    )
    assert done.status_code == 200, done.text
    assert "Due: Review PR" not in by_summary(fetch(client, path))


def test_rotating_or_turning_off_ends_the_old_address(client: TestClient, alice: Account) -> None:
    assert client.get("/api/v1/calendar-feed", headers=alice.headers).json()["enabled"] is False
    old = turn_on(client, alice)
    new = turn_on(client, alice)
    assert old != new
    gone = client.get(old)
    assert gone.status_code == 404 and "turned off or rotated" in gone.text
    fetch(client, new)
    off = client.delete("/api/v1/calendar-feed", headers=alice.headers)
    assert off.status_code == 204
    assert client.get(new).status_code == 404
    assert client.get("/api/v1/calendar-feed", headers=alice.headers).json()["enabled"] is False


def test_a_feed_shows_only_its_owners_plan(
    client: TestClient, alice: Account, bob: Account
) -> None:
    api_task(client, alice, title="Alice's secret", estimate_minutes=30, deadline="2026-12-01")
    api_task(client, bob, title="Bob's work", estimate_minutes=30, deadline="2026-12-01")
    build(client, alice)
    build(client, bob)
    bobs = by_summary(fetch(client, turn_on(client, bob)))
    assert "Bob's work" in bobs
    assert not [s for s in bobs if "Alice" in s]


def test_a_wrong_secret_finds_nothing(client: TestClient, alice: Account) -> None:
    turn_on(client, alice)
    for secret in ("x", "a" * 43, "a" * 100, "%00" * 10):
        assert client.get(f"/calendar/{secret}.ics").status_code == 404
    assert client.get(f"/calendar/{'a' * 101}.ics").status_code in (404, 422)
    assert client.post("/api/v1/calendar-feed").status_code == 401


def test_the_settings_page_shows_the_address_once(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    page = client.get("/settings/calendar")
    assert page.status_code == 200 and "The feed is off." in page.text
    made = client.post("/settings/calendar/rotate", data={"csrf_token": csrf_from(page.text)})
    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    address = made.text.split('id="feed-url">', 1)[1].split("<", 1)[0]
    assert "Your plan&#39;s address" in made.text or "Your plan's address" in made.text
    fetch(client, urlsplit(address).path)
    again = client.get("/settings/calendar")
    assert address not in again.text and "The feed is on since" in again.text
    # Without the form's token nothing changes.
    refused = client.post("/settings/calendar/off", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    fetch(client, urlsplit(address).path)
    off = client.post(
        "/settings/calendar/off",
        data={"csrf_token": csrf_from(again.text)},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert "The plan feed is off" in client.get(off.headers["location"]).text
    assert client.get(urlsplit(address).path).status_code == 404


def test_the_team_meeting_repeats_only_on_the_meeting_days(
    client: TestClient, alice: Account
) -> None:
    team = api_team(client, alice, "Platform", timezone="America/New_York")
    read = client.get(f"/api/v1/teams/{team}", headers=alice.headers).json()
    changed = client.patch(
        f"/api/v1/teams/{team}",
        json={"meeting_days": ["mon", "tue", "wed", "thu"], "meeting_time": "10:30"},
        headers=alice.headers,
    )
    assert changed.status_code == 200, (changed.text, read)
    (meeting,) = by_summary(fetch(client, turn_on(client, alice)))["Platform: team meeting"]
    assert meeting["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH"]
    start = meeting["DTSTART"].dt
    assert (start.hour, start.minute) == (10, 30) and str(start.tzinfo) == "America/New_York"


def test_the_feed_round_trips_through_a_caldav_server(
    client: TestClient, alice: Account, bob: Account, caldav_server: CalDav
) -> None:
    """The feed's events, stored in Radicale one object per UID and read back by devday's own
    CalDAV reading, are the same events at the same instants."""
    api_team(client, alice, "Backend", timezone="Europe/Berlin")
    api_task(
        client,
        alice,
        title="Fix login",
        estimate_minutes=90,
        deadline="2026-11-30T17:00:00+01:00",
        kind="coding",
    )
    build(client, alice)
    feed = fetch(client, turn_on(client, alice))
    zones = list(feed.walk("VTIMEZONE"))
    url = caldav_server.url("plan")
    auth = (caldav_server.user, caldav_server.password)
    with httpx.Client(auth=auth) as dav:
        assert dav.request("MKCALENDAR", url).status_code == 201
        for number, event in enumerate(events(feed)):
            one = Calendar()
            one.add("prodid", "-//test//EN")
            one.add("version", "2.0")
            for zone in zones:
                one.add_component(zone)
            one.add_component(event)
            put = dav.put(
                f"{url}{number}.ics",
                content=one.to_ical(),
                headers={"Content-Type": "text/calendar"},
            )
            assert put.status_code == 201, put.text

    calendar = client.post(
        "/api/v1/calendars",
        json={
            "name": "Round trip",
            "kind": "caldav",
            "url": url,
            "username": auth[0],
            "password": auth[1],
            "all_day_busy": False,
        },
        headers=bob.headers,
    )
    assert calendar.status_code == 201, calendar.text
    read = client.post(f"/api/v1/calendars/{calendar.json()['id']}/refresh", headers=bob.headers)
    assert read.status_code == 200 and read.json()["last_error"] == "", read.text
    back = client.get("/api/v1/busy-events", headers=bob.headers).json()
    busy_back = {(e["title"], e["start"], e["end"]) for e in back}
    # Bob subscribed to it: every work block came back as busy time at its instants; a deadline
    # is marked free and stays out; the team meeting repeats (its occurrences in the window).
    for event in events(feed):
        title = str(event["SUMMARY"])
        if title.startswith("Due: "):
            assert not [b for b in busy_back if b[0] == title]
        elif "RRULE" in event:
            assert len([b for b in busy_back if b[0] == title]) >= 20
        else:
            start = instant(event["DTSTART"]).isoformat().replace("+00:00", "Z")
            end = instant(event["DTEND"]).isoformat().replace("+00:00", "Z")
            assert (title, start, end) in busy_back
