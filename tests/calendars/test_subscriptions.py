"""Subscribed calendars: their events become busy time that the planner keeps free.

The calendars are served on loopback: an ICS address by the standard library's HTTP server
(with ETags, failures and redirects on demand), and a CalDAV calendar by Radicale. The clock
starts on Monday 30 November 2026 at 10:00 in Berlin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine

from devday.app import create_app
from devday.calendars import jobs
from devday.clock import MockClock
from devday.config import Settings
from devday.db import make_session_factory
from devday.netguard import ALLOW_ALL
from tests.calendars.conftest import CalDav, IcsServer
from tests.factories import Account, api_task, sign_up

BERLIN = ZoneInfo("Europe/Berlin")
ICS = {"Content-Type": "text/calendar"}

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

WORK = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Work//EN
{VTIMEZONE}
BEGIN:VEVENT
UID:sync@example.com
DTSTAMP:20261101T000000Z
SUMMARY:Sprint sync
DTSTART;TZID=Europe/Berlin:20261123T110000
DTEND;TZID=Europe/Berlin:20261123T113000
RRULE:FREQ=DAILY;COUNT=20
EXDATE;TZID=Europe/Berlin:20261201T110000
END:VEVENT
BEGIN:VEVENT
UID:sync@example.com
DTSTAMP:20261101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20261202T110000
SUMMARY:Sprint sync (moved)
DTSTART;TZID=Europe/Berlin:20261202T140000
DTEND;TZID=Europe/Berlin:20261202T143000
END:VEVENT
BEGIN:VEVENT
UID:focus@example.com
DTSTAMP:20261101T000000Z
SUMMARY:Focus time
TRANSP:TRANSPARENT
DTSTART;TZID=Europe/Berlin:20261130T133000
DTEND;TZID=Europe/Berlin:20261130T150000
END:VEVENT
BEGIN:VEVENT
UID:vendor@example.com
DTSTAMP:20261101T000000Z
SUMMARY:Vendor call
DTSTART;TZID=Europe/Berlin:20261130T160000
DTEND;TZID=Europe/Berlin:20261130T170000
ORGANIZER:mailto:sales@vendor.example
ATTENDEE;PARTSTAT=DECLINED:mailto:Alice@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:sales@vendor.example
END:VEVENT
BEGIN:VEVENT
UID:cancelled@example.com
DTSTAMP:20261101T000000Z
SUMMARY:Old review
STATUS:CANCELLED
DTSTART;TZID=Europe/Berlin:20261130T120000
DTEND;TZID=Europe/Berlin:20261130T123000
END:VEVENT
BEGIN:VEVENT
UID:conf@example.com
DTSTAMP:20261101T000000Z
SUMMARY:Conference
DTSTART;VALUE=DATE:20261203
DTEND;VALUE=DATE:20261205
END:VEVENT
END:VCALENDAR
"""

# Google's export: times in UTC, the zone only in X-WR-TIMEZONE. The series began in summer
# time (14:00 UTC = 16:00 in Berlin) and means 16:00 in Berlin, winter included.
GOOGLE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
X-WR-CALNAME:Alice
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VEVENT
UID:oncall@google.com
DTSTAMP:20261001T000000Z
SUMMARY:On-call handover
DTSTART:20261020T140000Z
DTEND:20261020T141500Z
RRULE:FREQ=WEEKLY;BYDAY=MO
END:VEVENT
END:VCALENDAR
"""


def one_per_uid(text: str) -> dict[str, bytes]:
    """A calendar split as CalDAV stores it: one object per UID (a series with its moved
    occurrences together), each with the time zones."""
    calendar = Calendar.from_ical(text)
    zones = list(calendar.walk("VTIMEZONE"))
    objects: dict[str, Calendar] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        if uid not in objects:
            objects[uid] = Calendar()
            objects[uid].add("prodid", "-//Example//Work//EN")
            objects[uid].add("version", "2.0")
            for zone in zones:
                objects[uid].add_component(zone)
        objects[uid].add_component(event)
    return {uid.split("@")[0]: c.to_ical() for uid, c in objects.items()}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def subscribe(client: TestClient, who: Account, **body: Any) -> dict[str, Any]:
    made = client.post("/api/v1/calendars", json={"name": "Work", **body}, headers=who.headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


def refresh(client: TestClient, who: Account, calendar_id: int) -> dict[str, Any]:
    done = client.post(f"/api/v1/calendars/{calendar_id}/refresh", headers=who.headers)
    assert done.status_code == 200, done.text
    return dict(done.json())


def busy(client: TestClient, who: Account) -> list[tuple[str, datetime, datetime]]:
    """The busy times of the week of 30 November, as (title, start, end) in UTC."""
    answer = client.get(
        "/api/v1/busy-events",
        params={"start": "2026-11-30T00:00:00+01:00", "end": "2026-12-07T00:00:00+01:00"},
        headers=who.headers,
    )
    assert answer.status_code == 200, answer.text
    return [
        (e["title"], datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"]))
        for e in answer.json()
    ]


def test_an_ics_calendar_becomes_busy_time_and_the_plan_keeps_it_free(
    client: TestClient, alice: Account, ics_server: IcsServer
) -> None:
    ics_server.serve(WORK, '"v1"')
    calendar = subscribe(client, alice, url=ics_server.url)
    assert calendar["url"] == f"http://127.0.0.1:{ics_server.port}/…"  # the secret path hidden
    read = refresh(client, alice, calendar["id"])
    assert read["last_error"] == "" and read["last_ok_at"] is not None

    found = busy(client, alice)
    syncs = sorted((s, e) for t, s, e in found if t == "Sprint sync")
    # Daily at 11:00 Berlin time, but not on Tuesday 1 December (EXDATE), and Wednesday's moved.
    assert (at(30, 11), at(30, 11, 30)) in syncs
    assert not [s for s, _ in syncs if s.astimezone(BERLIN).day == 1]
    assert ("Sprint sync (moved)", at(2, 14, month=12), at(2, 14, 30, month=12)) in found
    assert not [s for s, _ in syncs if s.astimezone(BERLIN).day == 2]
    titles = {t for t, _, _ in found}
    assert not titles & {"Focus time", "Vendor call", "Old review"}  # free, declined, cancelled
    # An all-day event is busy from midnight to midnight in the user's time zone.
    assert ("Conference", at(3, 0, month=12), at(5, 0, month=12)) in found
    everything = client.get("/api/v1/busy-events", headers=alice.headers).json()
    assert read["event_count"] == len(everything) and all(
        e["calendar"] == "Work" for e in everything
    )

    # The planner puts no work in them.
    api_task(client, alice, title="Write the migration", estimate_minutes=240, kind="coding")
    plan = client.post("/api/v1/plans/2026-11-30", headers=alice.headers)
    assert plan.status_code == 200, plan.text
    blocks = plan.json()["blocks"]
    assert blocks
    for block in blocks:
        start, end = (datetime.fromisoformat(block[k]) for k in ("start", "end"))
        assert not (start < at(30, 11, 30) and at(30, 11) < end), block

    # Imported busy time is the calendar's: it cannot be deleted here.
    event_id = client.get(
        "/api/v1/busy-events", params={"start": "2026-11-30T10:00:00+01:00"}, headers=alice.headers
    ).json()[0]["id"]
    refused = client.delete(f"/api/v1/busy-events/{event_id}", headers=alice.headers)
    assert refused.status_code == 409 and "Work" in refused.json()["detail"]


def test_google_calendars_keep_their_local_time_across_daylight_saving(
    client: TestClient, alice: Account, ics_server: IcsServer
) -> None:
    ics_server.serve(GOOGLE, '"g1"')
    refresh(client, alice, subscribe(client, alice, url=ics_server.url)["id"])
    (handover,) = [(s, e) for t, s, e in busy(client, alice) if t == "On-call handover"]
    assert handover == (at(30, 16), at(30, 16, 15))  # 16:00 in Berlin, 15:00 UTC in winter


def test_a_refresh_is_conditional_and_a_failure_keeps_the_last_good_events(
    client: TestClient, alice: Account, ics_server: IcsServer, clock: MockClock
) -> None:
    ics_server.serve(WORK, '"v1"')
    calendar = subscribe(client, alice, url=ics_server.url)
    first = refresh(client, alice, calendar["id"])
    before = busy(client, alice)

    second = refresh(client, alice, calendar["id"])
    assert ics_server.requests[-1]["if-none-match"] == '"v1"'
    assert second["event_count"] == first["event_count"] and busy(client, alice) == before

    ics_server.status = 500
    clock.advance(timedelta(minutes=20))
    failed = refresh(client, alice, calendar["id"])
    assert failed["last_error"] == "HTTP 500 from 127.0.0.1"
    assert failed["last_ok_at"] == first["last_ok_at"]
    assert busy(client, alice) == before  # the last good events stay

    ics_server.serve("<html>Sign in to continue</html>", '"html"')
    wrong = refresh(client, alice, calendar["id"])
    assert "not an iCalendar file" in wrong["last_error"] and busy(client, alice) == before

    # A changed calendar replaces its events.
    ics_server.serve(WORK.replace("Sprint sync", "Daily sync"), '"v2"')
    changed = refresh(client, alice, calendar["id"])
    assert changed["last_error"] == ""
    titles = {t for t, _, _ in busy(client, alice)}
    assert "Daily sync" in titles and "Sprint sync" not in titles


def test_the_worker_reads_each_calendar_when_due(
    client: TestClient, alice: Account, ics_server: IcsServer, clock: MockClock, engine: Engine
) -> None:
    ics_server.serve(WORK, '"v1"')
    calendar = subscribe(client, alice, url=ics_server.url)
    job = jobs.Refresh(ALLOW_ALL)
    sessions = make_session_factory(engine)

    def run() -> None:
        with sessions() as session:
            due = job.prepare(session, None, clock.now())  # type: ignore[arg-type]
            session.commit()
        outcome = job.exchange(due, sessions)
        with sessions() as session:
            job.record(session, None, due, outcome, clock.now())  # type: ignore[arg-type]
            session.commit()

    run()  # due at once after subscribing
    assert len(ics_server.requests) == 1 and busy(client, alice)
    run()
    assert len(ics_server.requests) == 1  # not due again before 15 minutes
    clock.advance(timedelta(minutes=15))
    run()
    assert len(ics_server.requests) == 2
    read = client.get(f"/api/v1/calendars/{calendar['id']}", headers=alice.headers).json()
    assert datetime.fromisoformat(read["next_at"]) == clock.now() + timedelta(minutes=15)


def test_an_internal_address_is_refused_unless_allowed(
    settings: Settings, engine: Engine, clock: MockClock, ics_server: IcsServer
) -> None:
    strict = settings.model_copy(
        update={"allow_private_urls": False, "outbound_allow": f"127.0.0.1:{ics_server.port}"}
    )
    with TestClient(create_app(strict, engine=engine, clock=clock)) as client:
        sam = sign_up(client, "Sam")
        refused = client.post(
            "/api/v1/calendars",
            json={"name": "Router", "url": "http://10.0.0.1/calendar.ics"},
            headers=sam.headers,
        )
        assert refused.status_code == 422, refused.text
        assert "DEVDAY_OUTBOUND_ALLOW" in refused.json()["detail"]
        # Allowed itself, the server redirects to an address that is not: refused on the way.
        ics_server.redirect = "http://127.0.0.2:9/internal.ics"
        calendar = subscribe(client, sam, url=ics_server.url)
        failed = refresh(client, sam, calendar["id"])
        assert failed["last_error"].startswith("refused: ")
        assert failed["event_count"] == 0


def test_bad_subscriptions_are_refused_with_the_field(client: TestClient, alice: Account) -> None:
    for body, field in (
        ({"name": "x", "url": "ftp://example.com/cal.ics"}, "url"),
        ({"name": "x", "url": "not a url"}, "url"),
        ({"name": "", "url": "https://example.com/cal.ics"}, "name"),
        ({"name": "x", "url": "https://example.com/cal/", "kind": "caldav"}, None),
        ({"name": "x", "url": "https://example.com/cal.ics", "kind": "exchange"}, "kind"),
    ):
        answer = client.post("/api/v1/calendars", json=body, headers=alice.headers)
        assert answer.status_code == 422, (body, answer.text)
        if field:
            assert answer.json()["errors"][0]["field"] == field, answer.json()


def test_a_caldav_calendar_is_read_and_followed(
    client: TestClient, alice: Account, caldav_server: CalDav
) -> None:
    auth = (caldav_server.user, caldav_server.password)
    url = caldav_server.url("work")
    with httpx.Client(auth=auth) as dav:
        assert dav.request("MKCALENDAR", url).status_code == 201
        for name, body in one_per_uid(WORK).items():
            put = dav.put(url + f"{name}.ics", content=body, headers=ICS)
            assert put.status_code == 201, put.text

    wrong = subscribe(
        client, alice, kind="caldav", url=url, username="sam", password="not-the-password"
    )
    failed = refresh(client, alice, wrong["id"])
    assert failed["last_error"].startswith("HTTP 401 from 127.0.0.1")

    calendar = subscribe(
        client, alice, name="Nextcloud", kind="caldav", url=url, username="sam", password=auth[1]
    )
    assert calendar["has_password"] is True and "password" not in calendar
    read = refresh(client, alice, calendar["id"])
    assert read["last_error"] == "", read
    titles = {t for t, _, _ in busy(client, alice)}
    assert {"Sprint sync", "Sprint sync (moved)", "Conference"} <= titles
    assert read["event_count"] > 0

    # Unchanged (same ctag): nothing is asked for again; a new event on the server comes in.
    again = refresh(client, alice, calendar["id"])
    assert again["event_count"] == read["event_count"]
    with httpx.Client(auth=auth) as dav:
        put = dav.put(url + "google.ics", content=GOOGLE, headers={"Content-Type": "text/calendar"})
        assert put.status_code == 201, put.text
    grown = refresh(client, alice, calendar["id"])
    assert grown["event_count"] > read["event_count"]
    assert "On-call handover" in {t for t, _, _ in busy(client, alice)}


@pytest.mark.parametrize("all_day_busy", [False])
def test_all_day_events_can_leave_the_day_free(
    client: TestClient, alice: Account, ics_server: IcsServer, all_day_busy: bool
) -> None:
    ics_server.serve(WORK, '"v1"')
    calendar = subscribe(client, alice, url=ics_server.url, all_day_busy=all_day_busy)
    refresh(client, alice, calendar["id"])
    assert "Conference" not in {t for t, _, _ in busy(client, alice)}
    # Unsubscribing takes its busy time away.
    gone = client.delete(f"/api/v1/calendars/{calendar['id']}", headers=alice.headers)
    assert gone.status_code == 204
    assert busy(client, alice) == []


def caldav_uids(dav: httpx.Client, url: str) -> dict[str, str]:
    """Every event in the CalDAV calendar: UID -> SUMMARY, read straight from the server."""
    answer = dav.request(
        "REPORT",
        url,
        headers={"Depth": "1", "Content-Type": "application/xml"},
        content=b"""<?xml version="1.0"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"/></c:filter>
</c:calendar-query>""",
    )
    assert answer.status_code == 207, answer.text
    found: dict[str, str] = {}
    for chunk in answer.text.split("BEGIN:VCALENDAR")[1:]:
        calendar = Calendar.from_ical(
            "BEGIN:VCALENDAR" + chunk.split("END:VCALENDAR")[0] + "END:VCALENDAR"
        )
        for event in calendar.walk("VEVENT"):
            found[str(event["UID"])] = str(event["SUMMARY"])
    return found


def test_the_plan_is_written_into_a_caldav_calendar_and_kept_in_step(
    client: TestClient, alice: Account, caldav_server: CalDav
) -> None:
    auth = (caldav_server.user, caldav_server.password)
    url = caldav_server.url("work")
    with httpx.Client(auth=auth) as dav:
        assert dav.request("MKCALENDAR", url).status_code == 201
        own = one_per_uid(WORK)["focus"]
        assert dav.put(url + "focus.ics", content=own, headers=ICS).status_code == 201

    review = api_task(client, alice, title="Review the API", estimate_minutes=60, kind="review")
    api_task(client, alice, title="Write the docs", estimate_minutes=60, kind="docs")
    assert client.post("/api/v1/plans/2026-11-30", headers=alice.headers).status_code == 200
    calendar = subscribe(
        client,
        alice,
        name="Nextcloud",
        kind="caldav",
        url=url,
        username="sam",
        password=auth[1],
        write_plan=True,
    )
    first = refresh(client, alice, calendar["id"])
    assert first["push_error"] == "" and first["pushed_at"] is not None
    with httpx.Client(auth=auth) as dav:
        events = caldav_uids(dav, url)
    mine = {uid: title for uid, title in events.items() if uid.startswith("devday-plan-")}
    assert set(mine.values()) == {"Review the API", "Write the docs"}
    assert events["focus@example.com"] == "Focus time"  # the user's own event, untouched
    # The plan's own blocks are not read back as busy time.
    assert not [t for t, _, _ in busy(client, alice) if t in mine.values()]

    # A finished task leaves the plan, and its event leaves the calendar; nothing else goes.
    done = client.patch(
        f"/api/v1/tasks/{review['id']}",
        json={"status": "done", "version": review["version"]},
        headers=alice.headers,
    )
    assert done.status_code == 200, done.text
    refresh(client, alice, calendar["id"])
    with httpx.Client(auth=auth) as dav:
        events = caldav_uids(dav, url)
    assert "Review the API" not in events.values() and "Write the docs" in events.values()
    assert events["focus@example.com"] == "Focus time"

    # Unsubscribing removes what devday wrote, and only that.
    gone = client.delete(f"/api/v1/calendars/{calendar['id']}", headers=alice.headers)
    assert gone.status_code == 204
    with httpx.Client(auth=auth) as dav:
        assert caldav_uids(dav, url) == {"focus@example.com": "Focus time"}


def test_only_a_caldav_calendar_receives_the_plan(client: TestClient, alice: Account) -> None:
    answer = client.post(
        "/api/v1/calendars",
        json={"name": "x", "url": "https://example.com/cal.ics", "write_plan": True},
        headers=alice.headers,
    )
    assert answer.status_code == 422 and "only a CalDAV calendar" in answer.text
