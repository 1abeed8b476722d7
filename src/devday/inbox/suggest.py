"""What a request's text suggests for the task it becomes: an importance and a deadline.

Pure: the clock and the timezone are arguments. A deadline is read after a connecting word
("by Thu", "before fri 17:00", "due tomorrow", "until 2026-12-04") with the same reader as the
CLI and quick add; a date alone means the end of that working day in ``timezone``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from devday.dateparse import parse_when
from devday.timeutil import end_of_working_day

_CONNECTORS = {"by", "before", "due", "until", "till", "no later than"}
_WORD = re.compile(r"[\w:/+\-]+")
_MAX_DATE_WORDS = 4
_CRITICAL = re.compile(
    r"\b(urgent(ly)?|asap|critical|emergency|outage|is down|blocker|blocking|p1)\b", re.I
)
_HIGH = re.compile(r"\b(important|high priority|soon as you can|quickly|p2|customers?)\b", re.I)
_LOW = re.compile(r"\b(no rush|when you have time|whenever|low priority|nice to have|p4)\b", re.I)


@dataclass(frozen=True)
class Suggestion:
    importance: int
    deadline: datetime | None
    reason: str


def suggest(text: str, *, now: datetime, timezone: str) -> Suggestion:
    """The importance (1 to 4, 2 when nothing says otherwise) and the deadline ``text`` asks
    for, read at ``now`` in ``timezone``; a deadline already past is dropped."""
    deadline = find_deadline(text, now=now, timezone=timezone)
    if _CRITICAL.search(text):
        importance, reason = 4, "the text says it is urgent"
    elif _LOW.search(text):
        importance, reason = 1, "the text says there is no rush"
    elif _HIGH.search(text):
        importance, reason = 3, "the text says it matters"
    else:
        importance, reason = 2, "nothing in the text says otherwise"
    if deadline is not None and importance < 3 and (deadline - now).total_seconds() < 86400:
        importance, reason = 3, "it is due within a day"
    return Suggestion(importance=importance, deadline=deadline, reason=reason)


def find_deadline(text: str, *, now: datetime, timezone: str) -> datetime | None:
    """The first deadline named after a connecting word, as an instant; None if there is none."""
    words = [m.group(0).strip(":-/") for m in _WORD.finditer(text.lower())]
    words = [w for w in words if w]
    for index, word in enumerate(words):
        if word not in _CONNECTORS:
            continue
        start = index + 1
        for end in range(min(len(words), start + _MAX_DATE_WORDS), start, -1):
            phrase = " ".join(words[start:end])
            if phrase in ("end of day", "the end of the day", "end of the day"):
                phrase = "eod"
            try:
                found = parse_when(phrase, now=now, timezone=timezone)
            except ValueError:
                continue
            instant = _instant(found, timezone)
            if instant > now:
                return instant
            break
    return None


def _instant(value: datetime | date, timezone: str) -> datetime:
    if isinstance(value, datetime):
        return value
    return end_of_working_day(value, timezone)
