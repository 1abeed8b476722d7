"""Timezone helpers shared by every domain: validation and the end of a working day."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

#: Until a user's routine says otherwise, a working day ends at 18:00 local time.
DEFAULT_WORKDAY_END = time(18, 0)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    """Returns ``name`` if it is an IANA timezone, else raises ValueError with a hint."""
    if name not in _zone_names():
        raise ValueError(f"unknown timezone {name!r}; use an IANA name such as 'Europe/Berlin'")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - defensive
        raise ValueError(f"unknown timezone {name!r}") from exc
    return name


def end_of_working_day(day: date, timezone: str, end: time = DEFAULT_WORKDAY_END) -> datetime:
    """When the working day ``day`` ends in ``timezone``: what a deadline given as a date means."""
    return datetime.combine(day, end, tzinfo=ZoneInfo(timezone))
