"""When the day's rituals fall: the next morning plan, wrap-up reminder and reflection prompt
in a user's timezone, on their working days. Pure: the clock is an argument."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from devday.planning.routine import WEEKDAYS

MORNING_PLAN = "day.morning_plan"
WRAPUP_REMINDER = "day.wrapup_reminder"
REFLECTION_PROMPT = "day.reflection_prompt"
RITUALS = (MORNING_PLAN, WRAPUP_REMINDER, REFLECTION_PROMPT)

_DEFAULT_TIMES = {MORNING_PLAN: "10:00", WRAPUP_REMINDER: "17:00", REFLECTION_PROMPT: "21:00"}
# The routine block whose start sets the ritual's time, when the user has one.
_BLOCK_TITLES = {MORNING_PLAN: "planning", WRAPUP_REMINDER: "wrap-up"}


def ritual_time(kind: str, routine: dict[str, Any]) -> time:
    title = _BLOCK_TITLES.get(kind)
    text = _DEFAULT_TIMES[kind]
    for block in routine.get("blocks", []):
        if title and block["title"].strip().lower() == title:
            text = block["start"]
            break
    hours, minutes = (int(x) for x in text.split(":"))
    return time(hours % 24, minutes)


def next_occurrence(kind: str, routine: dict[str, Any], timezone: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` when the ritual falls on a working day."""
    zone = ZoneInfo(timezone)
    workdays = {day for day, windows in routine["working_hours"].items() if windows} or set(
        WEEKDAYS[:5]
    )
    at = ritual_time(kind, routine)
    start: date = after.astimezone(zone).date()
    for offset in range(0, 15):
        day = start + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in workdays:
            continue
        when = datetime.combine(day, at, tzinfo=zone)
        if when > after:
            return when
    raise ValueError("no working day in the next two weeks")  # pragma: no cover - guarded above
