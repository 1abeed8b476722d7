"""A subscribed calendar's events as busy time: iCalendar in, intervals out.

The libraries made for it do the reading: icalendar parses, x-wr-timezone turns a calendar
that names its zone only in ``X-WR-TIMEZONE`` (Google's exports) into a standard one, and
recurring-ical-events expands recurrences (RRULE, RDATE, EXDATE, and single occurrences moved
or cancelled with RECURRENCE-ID). What is left here is which events are busy time:

- an event marked free (``TRANSP:TRANSPARENT``) or cancelled is not, nor one of the plan's
  own blocks that devday wrote into the calendar;
- an event the user declined (their address as an ``ATTENDEE`` with ``PARTSTAT=DECLINED``) is
  not;
- an all-day event is busy from midnight to midnight in the user's time zone, or not at all,
  as the user chose for the calendar;
- a time without a zone ("floating") is in the user's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar

#: At most this many busy intervals are kept from one calendar (a runaway rule stops here).
MAX_EVENTS = 2000
TITLE_MAX = 200
#: The UIDs of the events devday writes into a calendar for the plan's blocks (``push``).
OWN_UID_PREFIX = "devday-plan-"


class NotACalendar(ValueError):
    """The document is not iCalendar."""


@dataclass(frozen=True, order=True)
class Busy:
    start: datetime
    end: datetime
    title: str


def busy_times(
    documents: Iterable[bytes],
    *,
    start: datetime,
    end: datetime,
    timezone: str,
    email: str,
    all_day_busy: bool,
) -> list[Busy]:
    """The busy intervals between ``start`` and ``end`` in ``documents`` (each one VCALENDAR),
    sorted, at most ``MAX_EVENTS``. Raises NotACalendar for a document that does not parse."""
    zone = ZoneInfo(timezone)
    found: set[Busy] = set()
    for document in documents:
        calendar = _parse(document)
        for event in recurring_ical_events.of(calendar).between(start, end):
            busy = _busy(event, zone, email.lower(), all_day_busy)
            if busy is not None and busy.end > start and busy.start < end:
                found.add(busy)
            if len(found) >= MAX_EVENTS:
                break
    return sorted(found)[:MAX_EVENTS]


def _parse(document: bytes) -> Calendar:
    try:
        calendar = Calendar.from_ical(document)
    except ValueError as exc:
        raise NotACalendar("the answer is not an iCalendar file (no VCALENDAR)") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise NotACalendar("the answer is not an iCalendar file (no VCALENDAR)")
    standard: Calendar = x_wr_timezone.to_standard(calendar)
    return standard


def _busy(event: Any, zone: ZoneInfo, email: str, all_day_busy: bool) -> Busy | None:
    if str(event.get("UID", "")).startswith(OWN_UID_PREFIX):
        return None  # a block of the plan devday wrote there: the plan never blocks itself
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if email and _declined(event, email):
        return None
    starts = event.get("DTSTART")
    if starts is None:
        return None
    begin = starts.dt
    ends = event.get("DTEND")
    if ends is not None:
        finish = ends.dt
    elif event.get("DURATION") is not None:
        finish = begin + event["DURATION"].dt
    else:
        finish = begin + timedelta(days=1) if _is_day(begin) else begin
    title = str(event.get("SUMMARY", "") or "Busy").strip()[:TITLE_MAX] or "Busy"
    if _is_day(begin):
        if not all_day_busy:
            return None
        last = finish if _is_day(finish) else finish.date()
        return Busy(_midnight(begin, zone), _midnight(max(last, begin + timedelta(1)), zone), title)
    start, end = _instant(begin, zone), _instant(finish, zone)
    if end <= start:
        return None
    return Busy(start, end, title)


def _declined(event: Any, email: str) -> bool:
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return False
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        address = str(attendee).lower().removeprefix("mailto:")
        if address == email:
            return str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED"
    return False


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _instant(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)
