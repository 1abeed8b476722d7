"""Maintenance windows: one-off and recurring, in a timezone across daylight-saving time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devday.checks.maintenance import active_for, is_active, parse_rule
from devday.checks.models import MaintenanceWindow

BERLIN_SUNDAY_2AM = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 02:00 in Berlin (CET)


def window(rule: str | None, **fields: object) -> MaintenanceWindow:
    values: dict[str, object] = {
        "app_id": 1,
        "starts_at": BERLIN_SUNDAY_2AM,
        "duration_minutes": 60,
        "timezone": "Europe/Berlin",
        "rrule": rule,
    }
    values.update(fields)
    return MaintenanceWindow(**values)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_it_covers_a_one_off_window_from_its_start_to_its_end() -> None:
    once = window(None)
    assert not is_active(once, at(2026, 11, 29, 0, 59))
    assert is_active(once, at(2026, 11, 29, 1, 0))
    assert is_active(once, at(2026, 11, 29, 1, 59))
    assert not is_active(once, at(2026, 11, 29, 2, 0))
    assert not is_active(once, at(2026, 12, 6, 1, 30))  # not again next week


def test_it_keeps_a_weekly_window_at_its_wall_time_across_daylight_saving() -> None:
    weekly = window("FREQ=WEEKLY;BYDAY=SU")
    assert is_active(weekly, at(2026, 12, 6, 1, 30))  # 02:30 CET
    assert not is_active(weekly, at(2026, 12, 6, 2, 30))  # 03:30 CET
    assert not is_active(weekly, at(2026, 12, 7, 1, 30))  # a Monday
    assert is_active(weekly, at(2027, 6, 6, 0, 30))  # 02:30 CEST, an hour earlier in UTC
    assert not is_active(weekly, at(2027, 6, 6, 1, 30))  # 03:30 CEST
    assert not is_active(weekly, at(2026, 11, 22, 1, 30))  # before the first occurrence


def test_it_applies_an_app_window_to_every_check_and_a_check_window_to_one() -> None:
    app_wide = window(None)
    one_check = window(None, check_id=7)
    now = at(2026, 11, 29, 1, 30)
    assert active_for([app_wide], 3, now)
    assert active_for([one_check], 7, now) and not active_for([one_check], 3, now)


@pytest.mark.parametrize(
    "rule", ["", "FREQ=SOMETIMES", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY"]
)
def test_it_refuses_a_malformed_rule(rule: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(rule, datetime(2026, 11, 29, 2, 0))
