"""Maintenance windows: whether one is on at an instant, one-off or recurring in a timezone.

Recurrence is an RFC 5545 rule (python-dateutil's rrule) over wall times: a weekly window at
02:00 in Europe/Berlin is at 02:00 there in summer and in winter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from devday.checks.models import MaintenanceWindow

MAX_RULE_LENGTH = 500


def parse_rule(rule: str, starts_at_local: datetime) -> rrule:
    """The rule anchored at ``starts_at_local`` (naive wall time); ValueError when malformed."""
    text = rule.strip().removeprefix("RRULE:")
    if not text or "\n" in text or "DTSTART" in text.upper():
        raise ValueError("give the rule alone, like FREQ=WEEKLY;BYDAY=SU (starts_at anchors it)")
    try:
        parsed = rrulestr(text, dtstart=starts_at_local)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an RFC 5545 rule: {exc}") from None
    if not isinstance(parsed, rrule):
        raise ValueError("one RRULE only")
    return parsed


def local_start(window: MaintenanceWindow) -> datetime:
    """The window's first start as naive wall time in its timezone."""
    return window.starts_at.astimezone(ZoneInfo(window.timezone)).replace(tzinfo=None)


def is_active(window: MaintenanceWindow, now: datetime) -> bool:
    """Whether ``window`` covers the instant ``now``."""
    duration = timedelta(minutes=window.duration_minutes)
    if window.rrule is None:
        return window.starts_at <= now < window.starts_at + duration
    zone = ZoneInfo(window.timezone)
    local_now = now.astimezone(zone).replace(tzinfo=None)
    occurrence = parse_rule(window.rrule, local_start(window)).before(local_now, inc=True)
    if occurrence is None:
        return False
    # Compare instants, not wall times, so that a window over a DST change lasts its duration.
    start = occurrence.replace(tzinfo=zone).astimezone(UTC)
    return start <= now < start + duration


def active_for(windows: Iterable[MaintenanceWindow], check_id: int, now: datetime) -> bool:
    """Whether any of an app's windows (for the app, or this check) covers ``now``."""
    return any(
        (w.check_id is None or w.check_id == check_id) and is_active(w, now) for w in windows
    )
