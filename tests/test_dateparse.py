from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devday.dateparse import format_duration, parse_duration, parse_when

BERLIN = "Europe/Berlin"
# Monday 30 November 2026, 09:00 UTC = 10:00 in Berlin.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(BERLIN))


def when(text: str, now: datetime = NOW, timezone: str = BERLIN) -> datetime | date:
    return parse_when(text, now=now, timezone=timezone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 11, 30)),
        ("Tomorrow", date(2026, 12, 1)),
        ("fri", date(2026, 12, 4)),
        ("friday", date(2026, 12, 4)),
        ("mon", date(2026, 11, 30)),
        ("next mon", date(2026, 12, 7)),
        ("next fri", date(2026, 12, 11)),
        ("sun", date(2026, 12, 6)),
        ("2026-12-01", date(2026, 12, 1)),
        ("in 3 days", date(2026, 12, 3)),
        ("in 1 day", date(2026, 12, 1)),
        ("in 2 weeks", date(2026, 12, 14)),
    ],
)
def test_it_reads_days_as_dates(text: str, expected: date) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 10:00", berlin(2026, 12, 1, 10, 0)),
        ("tomorrow at 10:00", berlin(2026, 12, 1, 10, 0)),
        ("friday 17:00", berlin(2026, 12, 4, 17, 0)),
        ("fri 5pm", berlin(2026, 12, 4, 17, 0)),
        ("fri 5:30 pm", berlin(2026, 12, 4, 17, 30)),
        ("fri 12am", berlin(2026, 12, 4, 0, 0)),
        ("fri 12pm", berlin(2026, 12, 4, 12, 0)),
        ("next mon 9:15", berlin(2026, 12, 7, 9, 15)),
        ("2026-12-01 14:30", berlin(2026, 12, 1, 14, 30)),
        ("2026-12-01T14:30", berlin(2026, 12, 1, 14, 30)),
        ("eod", berlin(2026, 11, 30, 18, 0)),
        ("16:00", berlin(2026, 11, 30, 16, 0)),
        ("8:00", berlin(2026, 12, 1, 8, 0)),
    ],
)
def test_it_reads_times_in_the_users_timezone(text: str, expected: datetime) -> None:
    result = when(text)
    assert isinstance(result, datetime)
    assert result == expected
    assert result.utcoffset() == timedelta(hours=1)


def test_it_keeps_rfc3339_instants_as_given() -> None:
    assert when("2026-12-04T16:00:00Z") == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert when("2026-12-04T17:00:00+01:00") == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert when("2026-12-04 17:00:00+01:00") == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_it_counts_hours_as_elapsed_time() -> None:
    assert when("in 4 hours") == NOW + timedelta(hours=4)
    assert when("in 90 minutes") == NOW + timedelta(minutes=90)


def test_it_uses_the_users_date_not_utcs() -> None:
    # 23:30 UTC on Monday is already Tuesday in Berlin and still Monday in New York.
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert when("today", now=late) == date(2026, 12, 1)
    assert when("today", now=late, timezone="America/New_York") == date(2026, 11, 30)
    assert when("fri", now=late, timezone="Asia/Tokyo") == date(2026, 12, 4)


def test_it_takes_the_default_time_for_eod() -> None:
    result = parse_when("eod", now=NOW, timezone=BERLIN, default_time=time(18, 30))
    assert result == berlin(2026, 11, 30, 18, 30)


def test_it_treats_a_weekday_named_on_that_day_as_today() -> None:
    friday = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert when("fri", now=friday) == date(2026, 12, 4)
    assert when("next fri", now=friday) == date(2026, 12, 11)


def test_it_crosses_the_spring_dst_change_in_wall_time() -> None:
    # Berlin moves from +01:00 to +02:00 on Sunday 29 March 2026 at 02:00.
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    result = when("tomorrow 10:00", now=saturday)
    assert result == berlin(2026, 3, 29, 10, 0)
    assert isinstance(result, datetime)
    assert result.utcoffset() == timedelta(hours=2)
    # 24 elapsed hours land at 14:00 wall time, not 13:00.
    later = when("in 24 hours", now=saturday)
    assert isinstance(later, datetime)
    assert later.astimezone(UTC) == saturday + timedelta(hours=24)
    assert later.hour == 14


def test_it_refuses_a_wall_time_the_clocks_skip() -> None:
    with pytest.raises(ValueError, match="does not exist in Europe/Berlin"):
        when("2026-03-29 02:30")


def test_it_takes_the_first_of_a_repeated_wall_time() -> None:
    # Berlin goes back from +02:00 to +01:00 on Sunday 25 October 2026 at 03:00.
    result = when("2026-10-25 02:30")
    assert isinstance(result, datetime)
    assert result.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("someday", "cannot read 'someday'"),
        ("fri 17", "write the time as 17:00 or 5pm"),
        ("fri 25:00", "no such time of day"),
        ("fri 13pm", "the hour is 1 to 12"),
        ("next week", "'next' must be followed by a weekday"),
        ("in 3 fortnights", "unknown unit 'fortnights'"),
        ("2026-02-30", "no such calendar date"),
        ("2026-12-01T99:00", "RFC 3339"),
    ],
)
def test_it_refuses_what_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        when(text)


def test_it_refuses_an_unknown_timezone_and_a_naive_now() -> None:
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        parse_when("today", now=NOW, timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("today", now=datetime(2026, 11, 30), timezone=BERLIN)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90m", 90),
        ("90 min", 90),
        ("45", 45),
        ("2h", 120),
        ("1.5h", 90),
        ("1.25 hours", 75),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1H30M", 90),
        ("2 hours 5 minutes", 125),
    ],
)
def test_it_reads_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2d", "a day is ambiguous"),
        ("1 week", "a day is ambiguous"),
        ("0", "at least one minute"),
        ("0.01h", "whole number of minutes"),
        ("1.5h30", "not both"),
        ("soon", "cannot read 'soon' as a duration"),
        ("  ", "empty"),
    ],
)
def test_it_refuses_durations_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=100_000))
def test_it_reads_back_every_duration_it_formats(minutes: int) -> None:
    assert parse_duration(format_duration(minutes)) == minutes


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_it_reads_back_every_iso_date(day: date) -> None:
    assert when(day.isoformat()) == day


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, ZoneInfo(BERLIN), ZoneInfo("America/New_York")]),
    )
)
def test_it_reads_back_every_rfc3339_instant(instant: datetime) -> None:
    result = when(instant.isoformat())
    # Compared in UTC: PEP 495 makes a repeated wall time unequal to any other zone's time.
    assert isinstance(result, datetime)
    assert result.astimezone(UTC) == instant.astimezone(UTC)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
    ).map(lambda d: d.replace(second=0, microsecond=0))
)
def test_it_reads_wall_times_as_the_same_wall_time_in_the_zone(wall: datetime) -> None:
    text = wall.strftime("%Y-%m-%d %H:%M")
    try:
        result = when(text)
    except ValueError as exc:
        assert "does not exist" in str(exc)  # only the hour skipped in spring
        return
    assert isinstance(result, datetime)
    assert result.replace(tzinfo=None) == wall
    assert result.astimezone(UTC).astimezone(ZoneInfo(BERLIN)).replace(tzinfo=None) == wall


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
)
def test_it_finds_a_weekday_within_the_coming_week(now: datetime, name: str) -> None:
    plain = when(name, now=now)
    following = when(f"next {name}", now=now)
    today = now.astimezone(ZoneInfo(BERLIN)).date()
    assert isinstance(plain, date)
    assert 0 <= (plain - today).days <= 6
    assert plain.strftime("%a").lower() == name
    assert following == plain + timedelta(days=7)
