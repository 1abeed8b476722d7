"""Calendars in the shapes Google, Outlook and Apple export, read as busy time, with the clock
on Monday 1 March 2027 so that the window (to six weeks ahead) holds both daylight-saving
changes: New York on 14 March, Berlin on 28 March."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.calendars.conftest import IcsServer
from tests.factories import Account, sign_up

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
MARCH_1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

# Google: UTC times, the zone only in X-WR-TIMEZONE; a weekly meeting whose 8 March occurrence
# was moved to Tuesday and whose 22 March occurrence was cancelled.
GOOGLE = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:sam@example.com
X-WR-TIMEZONE:America/New_York
BEGIN:VEVENT
DTSTART:20270104T140000Z
DTEND:20270104T143000Z
RRULE:FREQ=WEEKLY;BYDAY=MO
DTSTAMP:20270101T000000Z
UID:weekly-planning@google.com
SUMMARY:Weekly planning
STATUS:CONFIRMED
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART:20270309T150000Z
DTEND:20270309T153000Z
DTSTAMP:20270101T000000Z
RECURRENCE-ID:20270308T140000Z
UID:weekly-planning@google.com
SUMMARY:Weekly planning (moved)
END:VEVENT
BEGIN:VEVENT
DTSTART:20270322T130000Z
DTEND:20270322T133000Z
DTSTAMP:20270101T000000Z
RECURRENCE-ID:20270322T130000Z
UID:weekly-planning@google.com
SUMMARY:Weekly planning
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20270315
DTEND;VALUE=DATE:20270316
DTSTAMP:20270101T000000Z
UID:offsite@google.com
SUMMARY:Team offsite
TRANSP:TRANSPARENT
END:VEVENT
END:VCALENDAR
"""

# Outlook: Windows zone names defined by their own VTIMEZONE, and an invitation declined.
OUTLOOK = """BEGIN:VCALENDAR
METHOD:PUBLISH
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
X-WR-CALNAME:Calendar
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000000
SUMMARY:Architecture review
DTSTART;TZID=W. Europe Standard Time:20270301T110000
DTEND;TZID=W. Europe Standard Time:20270301T120000
RRULE:FREQ=WEEKLY;UNTIL=20270405T090000Z;INTERVAL=1;BYDAY=MO;WKST=MO
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:20270101T000000Z
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:0
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E00800000001
SUMMARY:Vendor pitch
DTSTART;TZID=W. Europe Standard Time:20270302T160000
DTEND;TZID=W. Europe Standard Time:20270302T170000
ORGANIZER;CN=Vendor:mailto:pitch@vendor.example
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;RSVP=TRUE;CN=Sam:mailto:sam@example.com
DTSTAMP:20270101T000000Z
END:VEVENT
END:VCALENDAR
"""

# Apple: an IANA zone with its VTIMEZONE, a public holiday all day, and RDATE extra dates.
APPLE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//macOS 15.0//EN
CALSCALE:GREGORIAN
X-WR-CALNAME:Home
BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
DTSTART:19810329T020000
TZNAME:CEST
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
DTSTART:19961027T030000
TZNAME:CET
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
CREATED:20270101T000000Z
UID:8F2B7C6E-1111-4A3B-9C1D-APPLE0000001
DTSTART;TZID=Europe/Berlin:20270305T080000
DTEND;TZID=Europe/Berlin:20270305T090000
RDATE;TZID=Europe/Berlin:20270402T080000
SUMMARY:Physio
DTSTAMP:20270101T000000Z
SEQUENCE:0
X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC
END:VEVENT
BEGIN:VEVENT
UID:8F2B7C6E-2222-4A3B-9C1D-APPLE0000002
DTSTART;VALUE=DATE:20270326
DTEND;VALUE=DATE:20270327
SUMMARY:Good Friday
DTSTAMP:20270101T000000Z
END:VEVENT
END:VCALENDAR
"""


def local(zone: ZoneInfo, day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def busy_of(client: TestClient, who: Account, url: str) -> dict[str, list[tuple[Any, Any]]]:
    made = client.post(
        "/api/v1/calendars", json={"name": "Imported", "url": url}, headers=who.headers
    )
    assert made.status_code == 201, made.text
    read = client.post(f"/api/v1/calendars/{made.json()['id']}/refresh", headers=who.headers)
    assert read.status_code == 200 and read.json()["last_error"] == "", read.text
    found: dict[str, list[tuple[Any, Any]]] = {}
    for event in client.get("/api/v1/busy-events", headers=who.headers).json():
        start, end = (datetime.fromisoformat(event[k]) for k in ("start", "end"))
        found.setdefault(event["title"], []).append((start, end))
    return found


@pytest.fixture
def sam(client: TestClient, clock: MockClock) -> Account:
    clock.set(MARCH_1)
    return sign_up(client, "Sam", timezone="America/New_York")


def test_a_google_export_keeps_new_york_time_across_its_change(
    client: TestClient, sam: Account, ics_server: IcsServer
) -> None:
    ics_server.serve(GOOGLE, '"g"')
    found = busy_of(client, sam, ics_server.url)
    weekly = sorted(found["Weekly planning"])
    # 09:00 in New York every Monday: 14:00 UTC in winter, 13:00 UTC from 14 March.
    assert (local(NEW_YORK, 1, 9), local(NEW_YORK, 1, 9, 30)) in weekly
    assert (local(NEW_YORK, 15, 9), local(NEW_YORK, 15, 9, 30)) in weekly
    assert local(NEW_YORK, 15, 9) == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
    # Moved from Monday 8 to Tuesday 9 March; cancelled on 22 March.
    assert not [s for s, _ in weekly if s.date().day in (8, 22)]
    assert found["Weekly planning (moved)"] == [
        (local(NEW_YORK, 9, 10), local(NEW_YORK, 9, 10, 30))
    ]
    assert "Team offsite" not in found  # marked free


def test_an_outlook_export_with_windows_zone_names(
    client: TestClient, sam: Account, ics_server: IcsServer
) -> None:
    ics_server.serve(OUTLOOK, '"o"')
    found = busy_of(client, sam, ics_server.url)
    review = sorted(found["Architecture review"])
    # 11:00 in Berlin every Monday: 10:00 UTC in winter, 09:00 UTC from 29 March; ends 5 April.
    assert review[0] == (local(BERLIN, 1, 11), local(BERLIN, 1, 12))
    assert (local(BERLIN, 29, 11), local(BERLIN, 29, 12)) in review
    assert local(BERLIN, 29, 11) == datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
    assert review[-1][0] == local(BERLIN, 5, 11, month=4) and len(review) == 6
    assert "Vendor pitch" not in found  # declined by Sam


def test_an_apple_export_with_extra_dates_and_a_holiday(
    client: TestClient, sam: Account, ics_server: IcsServer
) -> None:
    ics_server.serve(APPLE, '"a"')
    found = busy_of(client, sam, ics_server.url)
    assert sorted(found["Physio"]) == [
        (local(BERLIN, 5, 8), local(BERLIN, 5, 9)),
        (local(BERLIN, 2, 8, month=4), local(BERLIN, 2, 9, month=4)),  # RDATE, in summer time
    ]
    # All day in Sam's own zone: midnight to midnight in New York.
    assert found["Good Friday"] == [(local(NEW_YORK, 26, 0), local(NEW_YORK, 27, 0))]
