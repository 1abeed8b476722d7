"""Repeat phrases as people type them, read into an RFC 5545 rule, and rules told back in words.

Pure: no clock, no database. ``parse_repeat("every 2 weeks on mon")`` is a ``Repeat`` whose
``rule`` is the RRULE text (``FREQ=WEEKLY;INTERVAL=2;BYDAY=MO``) that the series stores and
``dateutil.rrule`` expands; ``describe`` turns a stored rule back into words.

The forms read (``every`` may be ``every!``: the next one comes that long after the previous is
done, not on a calendar):

- ``every day``, ``every 3 days``, ``daily``; ``every weekday``;
- ``every week``, ``every 2 weeks on mon``, ``every mon, wed``, ``weekly``;
- ``every month``, ``every month on the 15th``, ``every month on the last fri``, ``monthly``;
- ``every year``, ``every year on 3 dec``, ``yearly``;
- and after any of them: ``at 09:00``, ``until 2027-03-01``, ``for 10 times``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

AFTER_DONE = "after_done"
SCHEDULE = "schedule"

EXAMPLES = (
    "“every day”, “every weekday”, “every 2 weeks on mon”, “every mon, wed”, "
    "“every month on the 15th”, “every month on the last fri”, “every year on 3 dec”, "
    "“every 3 days until 2027-03-01”, “every week for 10 times” or “every! 3 days”"
)
MAX_INTERVAL = 366
MAX_COUNT = 1000

_DAYS = {
    "mo": "MO",
    "mon": "MO",
    "monday": "MO",
    "tu": "TU",
    "tue": "TU",
    "tues": "TU",
    "tuesday": "TU",
    "we": "WE",
    "wed": "WE",
    "wednesday": "WE",
    "th": "TH",
    "thu": "TH",
    "thur": "TH",
    "thurs": "TH",
    "thursday": "TH",
    "fr": "FR",
    "fri": "FR",
    "friday": "FR",
    "sa": "SA",
    "sat": "SA",
    "saturday": "SA",
    "su": "SU",
    "sun": "SU",
    "sunday": "SU",
}
_DAY_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = {
    "MO": "Mon",
    "TU": "Tue",
    "WE": "Wed",
    "TH": "Thu",
    "FR": "Fri",
    "SA": "Sat",
    "SU": "Sun",
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_UNITS = {
    "day": "DAILY",
    "days": "DAILY",
    "week": "WEEKLY",
    "weeks": "WEEKLY",
    "month": "MONTHLY",
    "months": "MONTHLY",
    "year": "YEARLY",
    "years": "YEARLY",
}
_ADVERBS = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
}
_NOUNS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}

_UNTIL = re.compile(r"\s+until\s+(?P<day>\d{4}-\d{2}-\d{2})$")
_COUNT = re.compile(r"\s+(?:for\s+)?(?P<n>\d+)\s+times$")
_AT = re.compile(r"\s+at\s+(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$")


class RepeatError(ValueError):
    """A phrase that is not a repeat rule; the message says what to write instead."""


@dataclass(frozen=True)
class Repeat:
    """A parsed phrase: ``rule`` is RRULE text without DTSTART (its UNTIL a local day's end),
    ``at`` the local time of day instances start, if named."""

    mode: str
    rule: str
    at: time | None = None


def parse_repeat(text: str) -> Repeat:
    """The repeat rule ``text`` names. Raises RepeatError naming what to write instead."""
    phrase = " ".join(text.lower().replace(",", " , ").split())
    original = " ".join(text.split())
    if not phrase:
        raise RepeatError(f"write how it repeats, e.g. {EXAMPLES}")
    parts: dict[str, str] = {}
    at: time | None = None
    # The tails, in any order: at 09:00, until 2027-03-01, for 10 times.
    while True:
        if match := _UNTIL.search(phrase):
            try:
                until = date.fromisoformat(match["day"])
            except ValueError:
                raise RepeatError(
                    f"“{match['day']}” is not a date; write e.g. until 2027-03-01"
                ) from None
            parts["UNTIL"] = until.strftime("%Y%m%dT235959")
        elif match := _COUNT.search(phrase):
            count = int(match["n"])
            if not 1 <= count <= MAX_COUNT:
                raise RepeatError(f"repeat from 1 to {MAX_COUNT} times")
            parts["COUNT"] = str(count)
        elif match := _AT.search(phrase):
            at = _time(match["h"], match["m"], match["ampm"])
        else:
            break
        phrase = phrase[: match.start()]
    if "UNTIL" in parts and "COUNT" in parts:
        raise RepeatError("give an end date or a number of times, not both")
    mode = SCHEDULE
    words = phrase.split()
    head = words[0] if words else ""
    if head == "every!" or (head == "every" and len(words) > 1 and words[1] == "!"):
        mode = AFTER_DONE
        words = words[2:] if words[1:2] == ["!"] else words[1:]
    elif head == "every":
        words = words[1:]
    elif head in _ADVERBS and len(words) == 1:
        words = ["1", _NOUNS[_ADVERBS[head]]]
    else:
        raise _refuse(original)
    rule = _body(words, original)
    if mode == AFTER_DONE and set(rule) - {"FREQ", "INTERVAL"}:
        raise RepeatError(
            "“every!” counts from when the last one was done: write e.g. “every! 3 days” or "
            "“every! 2 weeks”, without days of the week or of the month"
        )
    if mode == AFTER_DONE and "COUNT" in parts:
        raise RepeatError("“every!” has no count; end it with “until 2027-03-01” instead")
    rule.update(parts)
    return Repeat(mode=mode, rule=_text(rule), at=at)


def _refuse(original: str) -> RepeatError:
    return RepeatError(f"could not read “{original}” as a repeat; write e.g. {EXAMPLES}")


def _time(hour: str, minute: str | None, ampm: str | None) -> time:
    h, m = int(hour), int(minute or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise RepeatError("write the time as 09:00, 17:30 or 5pm")
        h = h % 12 + (12 if ampm == "pm" else 0)
    if h > 23 or m > 59:
        raise RepeatError("write the time as 09:00, 17:30 or 5pm")
    return time(h, m)


def _body(words: list[str], original: str) -> dict[str, str]:
    """FREQ, INTERVAL and BY* parts of what follows ``every``."""
    if not words:
        raise _refuse(original)
    interval = 1
    if words[0].isdigit():
        interval = int(words[0])
        if not 1 <= interval <= MAX_INTERVAL:
            raise RepeatError(f"repeat every 1 to {MAX_INTERVAL} days, weeks, months or years")
        words = words[1:]
        if not words or words[0] not in _UNITS:
            raise RepeatError(
                f"say what {interval} counts: “every {interval} days”, “every {interval} weeks”, "
                f"“every {interval} months” or “every {interval} years”"
            )
    elif words[0] == "other":
        interval, words = 2, words[1:]
    rule: dict[str, str] = {}
    first = words[0] if words else ""
    if first in ("weekday", "weekdays") and interval == 1:
        rule = {"FREQ": "WEEKLY", "BYDAY": "MO,TU,WE,TH,FR"}
        rest = words[1:]
    elif first in _DAYS:
        days, rest = _days(words)
        rule = {"FREQ": "WEEKLY", "BYDAY": days}
    elif first in _UNITS:
        freq, rest = _UNITS[first], words[1:]
        rule = {"FREQ": freq}
        if rest and rest[0] == "on":
            rule.update(_on(freq, rest[1:], original))
            rest = []
    else:
        raise _refuse(original)
    if rest:
        raise _refuse(original)
    if interval > 1:
        rule["INTERVAL"] = str(interval)
    return rule


def _days(words: list[str]) -> tuple[str, list[str]]:
    found: list[str] = []
    rest = list(words)
    while rest and (rest[0] in _DAYS or rest[0] in (",", "and")):
        word = rest.pop(0)
        if word in _DAYS and _DAYS[word] not in found:
            found.append(_DAYS[word])
    return ",".join(sorted(found, key=_DAY_ORDER.index)), rest


def _on(freq: str, words: list[str], original: str) -> dict[str, str]:
    """The ``on ...`` part: weekdays for a week, a day or weekday for a month, a date for a year."""
    if words[:1] == ["the"]:
        words = words[1:]
    if freq == "WEEKLY":
        days, rest = _days(words)
        if days and not rest:
            return {"BYDAY": days}
        raise RepeatError("name the days, e.g. “every 2 weeks on mon, thu”")
    if freq == "MONTHLY":
        if len(words) == 1 and (match := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", words[0])):
            day = int(match[1])
            if 1 <= day <= 31:
                return {"BYMONTHDAY": str(day)}
        if words in (["last", "day"], ["last"]):
            return {"BYMONTHDAY": "-1"}
        if len(words) == 2 and words[1] in _DAYS and (words[0] in _ORDINALS or words[0] == "last"):
            which = -1 if words[0] == "last" else _ORDINALS[words[0]]
            return {"BYDAY": f"{which}{_DAYS[words[1]]}"}
        raise RepeatError(
            "name the day of the month: “every month on the 15th”, “on the last day”, "
            "“on the 2nd tue” or “on the last fri”"
        )
    if freq == "YEARLY" and len(words) == 2:
        first, second = words
        day_text, month = (first, second) if first[:1].isdigit() else (second, first)
        day_text = re.sub(r"(st|nd|rd|th)$", "", day_text)
        if day_text.isdigit() and month in _MONTHS:
            number, month_number = int(day_text), _MONTHS[month]
            try:
                date(2024, month_number, number)  # a leap year: 29 feb is a date
            except ValueError:
                raise RepeatError(f"{month} has no day {number}") from None
            return {"BYMONTH": str(month_number), "BYMONTHDAY": str(number)}
    if freq == "YEARLY":
        raise RepeatError("name the date: “every year on 3 dec”")
    raise _refuse(original)


_ORDER = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "UNTIL", "COUNT")


def _text(rule: dict[str, str]) -> str:
    return ";".join(f"{key}={rule[key]}" for key in _ORDER if key in rule)


def parts(rule: str) -> dict[str, str]:
    """A stored rule's parts: ``{"FREQ": "WEEKLY", "BYDAY": "MO,WE"}``."""
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def describe(mode: str, rule: str, at: time | None = None) -> str:
    """The rule in words: "every 2 weeks on Mon", "every month on the last Fri at 09:00",
    "3 days after the last one is done"."""
    p = parts(rule)
    freq, interval = p.get("FREQ", "DAILY"), int(p.get("INTERVAL", "1"))
    noun = _NOUNS.get(freq, "day")
    every = f"every {noun}" if interval == 1 else f"every {interval} {noun}s"
    if mode == AFTER_DONE:
        span = f"1 {noun}" if interval == 1 else f"{interval} {noun}s"
        return f"{span} after the last one is done"
    days = p.get("BYDAY", "")
    if freq == "WEEKLY" and days == "MO,TU,WE,TH,FR" and interval == 1:
        words = "every weekday"
    elif freq == "WEEKLY" and days:
        named = ", ".join(_DAY_NAMES[d] for d in days.split(","))
        words = f"every {named}" if interval == 1 else f"{every} on {named}"
    elif freq == "MONTHLY" and "BYMONTHDAY" in p:
        words = f"{every} on the {_nth(int(p['BYMONTHDAY']))}"
    elif freq == "MONTHLY" and days:
        match = re.fullmatch(r"(-?\d)([A-Z]{2})", days)
        which = "last" if match and match[1] == "-1" else _nth(int(match[1])) if match else days
        words = f"{every} on the {which} {_DAY_NAMES.get(match[2], '') if match else ''}".rstrip()
    elif freq == "YEARLY" and "BYMONTH" in p:
        words = f"{every} on {p.get('BYMONTHDAY', '1')} {_MONTH_NAMES[int(p['BYMONTH'])]}"
    else:
        words = every
    if at is not None:
        words += f" at {at:%H:%M}"
    if "UNTIL" in p:
        until = date(int(p["UNTIL"][:4]), int(p["UNTIL"][4:6]), int(p["UNTIL"][6:8]))
        words += f" until {until.isoformat()}"
    if "COUNT" in p:
        words += f", {p['COUNT']} times"
    return words


def _nth(number: int) -> str:
    if number == -1:
        return "last day"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"
