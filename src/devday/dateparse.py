"""Natural dates and durations as people type them on the command line.

Pure: the clock and the timezone are arguments, nothing here reads the environment.
``parse_when`` answers a ``date`` when no time of day was given (the API turns a date into the
end of that working day) and an aware ``datetime`` otherwise. Weekday names follow the
Todoist/Taskwarrior habit: "fri" is the coming Friday, today if today is a Friday, and
"next fri" is the Friday a week after that one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from devday.input_rules import RANGE, day_in_range
from devday.timeutil import DEFAULT_WORKDAY_END

WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_TIME = re.compile(r"(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IN = re.compile(r"in\s+(?P<n>\d+)\s*(?P<unit>[a-z]+)")
_DAY_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "week": 7, "weeks": 7}
_CLOCK_UNITS = {
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
}
WHEN_HELP = (
    "today, tomorrow 10:00, fri, friday 17:00, fri 5pm, next mon, 2026-12-01, "
    "2026-12-01 14:30, in 3 days, in 2 weeks, in 4 hours, eod, or an RFC 3339 instant"
)


def parse_when(
    text: str, *, now: datetime, timezone: str, default_time: time = DEFAULT_WORKDAY_END
) -> datetime | date:
    """``text`` read in ``timezone`` at the instant ``now``; ``default_time`` is what "eod" means.

    Raises ValueError naming ``text`` when it cannot be read, names a wall-clock time that
    does not exist in ``timezone`` (skipped by a daylight-saving change), or lies outside the
    years the API accepts (``devday.inputs.RANGE``). A time that happens twice (clocks going
    back) is its first occurrence.
    """
    try:
        found = _parse_when(text, now=now, timezone=timezone, default_time=default_time)
    except OverflowError:  # "in 99999 weeks", or a day after 9999-12-31
        raise ValueError(f"cannot read {text!r}: use a date from {RANGE}") from None
    try:
        return day_in_range(found)
    except ValueError as exc:
        raise ValueError(f"cannot read {text!r}: {exc}") from None


def _parse_when(text: str, *, now: datetime, timezone: str, default_time: time) -> datetime | date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {timezone!r}") from None
    raw = text
    text = " ".join(text.lower().split())
    if not text:
        raise ValueError(f"cannot read an empty date; use {WHEN_HELP}")
    instant = _instant(raw.strip(), zone)
    if instant is not None:
        return instant
    local_now = now.astimezone(zone)
    today = local_now.date()
    if text == "eod":
        return _local(today, default_time, zone, raw)
    if match := _IN.fullmatch(text):
        n, unit = int(match["n"]), match["unit"]
        if unit in _DAY_UNITS:
            return today + timedelta(days=n * _DAY_UNITS[unit])
        if unit in _CLOCK_UNITS:
            # Elapsed time: add in UTC, so that a DST change in between does not shift it.
            later = now.astimezone(UTC) + timedelta(minutes=n * _CLOCK_UNITS[unit])
            return later.astimezone(zone)
        raise ValueError(f"cannot read {raw!r}: unknown unit {unit!r}; use days, weeks or hours")
    day_part, _, time_part = text.partition(" ")
    if day_part == "next":
        name, _, time_part = time_part.partition(" ")
        if name not in WEEKDAYS:
            raise ValueError(f"cannot read {raw!r}: 'next' must be followed by a weekday")
        day: date | None = _weekday(today, WEEKDAYS[name]) + timedelta(days=7)
    else:
        day = _day(day_part, today)
    if day is None:
        # No day named: a time alone means its next occurrence, today or tomorrow.
        wall = _time(text, raw)
        result = _local(today, wall, zone, raw)
        return result if result > now else _local(today + timedelta(days=1), wall, zone, raw)
    if not time_part:
        return day
    return _local(day, _time(time_part, raw), zone, raw)


def _instant(text: str, zone: ZoneInfo) -> datetime | None:
    """An RFC 3339 instant, or an ISO date with a ``T`` time read as wall time in ``zone``.

    None when ``text`` is not of that shape (a date, a date and a space and a wall time ...).
    """
    shape = re.match(r"\d{4}-\d{2}-\d{2}([tT ])\d", text)
    if shape is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        if shape[1] == " ":
            return None  # "2026-12-01 5pm" and the like: the wall-time reader takes it
        raise ValueError(f"cannot read {text!r} as an RFC 3339 instant") from None
    if parsed.tzinfo is None:
        return _local(parsed.date(), parsed.time(), zone, text)
    return parsed


def _day(word: str, today: date) -> date | None:
    if word == "today":
        return today
    if word in ("tomorrow", "tmr", "tmrw"):
        return today + timedelta(days=1)
    if word in WEEKDAYS:
        return _weekday(today, WEEKDAYS[word])
    if _DATE.fullmatch(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            raise ValueError(f"cannot read {word!r}: no such calendar date") from None
    return None


def _weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _time(text: str, raw: str) -> time:
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"cannot read {raw!r}; use {WHEN_HELP}")
    hour, minute, ampm = int(match["h"]), int(match["m"] or 0), match["ampm"]
    if ampm is None and match["m"] is None:
        raise ValueError(f"cannot read {raw!r}: write the time as 17:00 or 5pm")
    if ampm is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"cannot read {raw!r}: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"cannot read {raw!r}: no such time of day")
    return time(hour, minute)


def _local(day: date, wall: time, zone: ZoneInfo, raw: str) -> datetime:
    result = datetime.combine(day, wall, tzinfo=zone)
    # A wall time skipped by a DST change does not survive the trip through UTC.
    if result.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != result.replace(tzinfo=None):
        raise ValueError(
            f"{raw!r}: {day.isoformat()} {wall:%H:%M} does not exist in {zone.key} "
            "(the clocks skip it); pick another time"
        )
    return result


_MINUTE_UNIT = r"(?:m|min|mins|minute|minutes)?"
_HOURS = re.compile(r"(?P<h>\d+(?:\.\d+)?)(?:h|hr|hrs|hour|hours)(?P<m>\d+)?" + _MINUTE_UNIT)
_MINUTES = re.compile(r"(?P<m>\d+)" + _MINUTE_UNIT)


def parse_duration(text: str) -> int:
    """Minutes in ``text``: "90m", "45", "2h", "1.5h", "1h30", "1h 30m". At least one minute.

    Days are refused: whether "2d" means 48 hours or two working days is a guess.
    """
    compact = "".join(text.lower().split())
    if not compact:
        raise ValueError("cannot read an empty duration; use 90m, 1h30, 2h or 1.5h")
    if re.fullmatch(r"\d+(?:\.\d+)?(?:d|day|days|w|wk|week|weeks)", compact):
        raise ValueError(
            f"cannot read {text!r}: a day is ambiguous (24 hours or a working day); "
            "give hours instead, such as 16h"
        )
    from decimal import Decimal, InvalidOperation  # only here: it is slow to import

    minutes: Decimal
    if match := _MINUTES.fullmatch(compact):
        minutes = Decimal(match["m"])
    elif match := _HOURS.fullmatch(compact):
        try:
            minutes = Decimal(match["h"]) * 60 + Decimal(match["m"] or 0)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise ValueError(f"cannot read {text!r} as a duration") from None
        if match["m"] is not None and "." in match["h"]:
            raise ValueError(f"cannot read {text!r}: write 1h30 or 1.5h, not both")
    else:
        raise ValueError(f"cannot read {text!r} as a duration; use 90m, 1h30, 2h or 1.5h")
    if minutes != minutes.to_integral_value():
        raise ValueError(f"cannot read {text!r}: it is not a whole number of minutes")
    if minutes < 1:
        raise ValueError(f"cannot read {text!r}: a duration is at least one minute")
    return int(minutes)


def format_duration(minutes: int) -> str:
    """``minutes`` the way people write them ("45m", "2h", "1h30"); parse_duration reads it back."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"
