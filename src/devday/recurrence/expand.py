"""A series' occurrences, as local days, from its stored rule (``dateutil.rrule``).

The rule is expanded on naive local wall times from ``start_date`` (at ``at``), so "every day
at 09:00" stays at 09:00 on the clock across a daylight-saving change; ``instant`` turns a day
and a wall time into the instant in the series' timezone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from devday.recurrence.phrases import AFTER_DONE


def _rule(rule: str, start: date, at: time | None) -> rrule:
    expanded = rrulestr(rule, dtstart=datetime.combine(start, at or time(0)))
    assert isinstance(expanded, rrule)  # one RRULE, never a set
    return expanded


def first_on_or_after(rule: str, start: date, at: time | None, day: date) -> date | None:
    """The first occurrence on ``day`` or later; None when the rule has ended by then."""
    found = _rule(rule, start, at).after(datetime.combine(day, time(0)), inc=True)
    return found.date() if found else None


def first_after(rule: str, start: date, at: time | None, day: date) -> date | None:
    """The first occurrence on a later day than ``day``; None when the rule has ended."""
    return first_on_or_after(rule, start, at, day + timedelta(days=1))


def latest_between(rule: str, start: date, at: time | None, low: date, high: date) -> date | None:
    """The last occurrence from ``low`` to ``high`` (both days included), if any."""
    found = _rule(rule, start, at).before(datetime.combine(high, time.max), inc=True)
    return found.date() if found and found.date() >= low else None


def after_done(rule: str, at: time | None, done_day: date) -> date | None:
    """For ``every!``: the day the rule's interval after ``done_day`` (None past its UNTIL)."""
    return first_after(rule, done_day, at, done_day)


def next_for(mode: str, rule: str, start: date, at: time | None, day: date) -> date | None:
    """The occurrence after the one on ``day``: on the calendar, or (``every!``) none until
    the open one is done."""
    return None if mode == AFTER_DONE else first_after(rule, start, at, day)


def instant(day: date, at: time, timezone: str) -> datetime:
    """``at`` on the clock on ``day`` in ``timezone`` (a time the clocks skip reads as the
    instant an hour later on the clock)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone))
