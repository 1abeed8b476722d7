"""Dates as people read them: in their timezone, with the year when it is not this one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from devday import timetext

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_it_leaves_out_the_current_year() -> None:
    assert timetext.moment(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), "Europe/Berlin", NOW) == (
        "Fri 04 Dec 17:00"
    )
    assert timetext.day(date(2026, 12, 4), "Europe/Berlin", NOW) == "Fri 04 Dec"
    assert timetext.day(date(2026, 12, 4), "Europe/Berlin", NOW, long=True) == "Friday 04 December"


def test_it_writes_another_year() -> None:
    later = datetime(2027, 1, 4, 16, 0, tzinfo=UTC)
    assert timetext.moment(later, "Europe/Berlin", NOW) == "Mon 04 Jan 2027 17:00"
    assert timetext.day(date(2025, 12, 29), "Europe/Berlin", NOW) == "Mon 29 Dec 2025"


def test_it_reads_both_years_in_the_users_timezone() -> None:
    # 23:30 UTC on New Year's Eve is already 2027 in Berlin and still 2026 in New York.
    eve = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert timetext.moment(eve, "Europe/Berlin", eve) == "Fri 01 Jan 00:30"
    assert timetext.moment(eve, "America/New_York", eve) == "Thu 31 Dec 18:30"
    december = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert timetext.moment(december, "Europe/Berlin", eve) == "Fri 04 Dec 2026 17:00"
    assert timetext.moment(december, "America/New_York", eve) == "Fri 04 Dec 11:00"
