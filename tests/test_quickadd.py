from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from devday.quickadd import QuickAdd, parse_quick_add

BERLIN = "Europe/Berlin"
ZONE = ZoneInfo(BERLIN)
# Monday 30 November 2026, 10:00 in Berlin.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def parse(text: str, now: datetime = NOW, timezone: str = BERLIN) -> QuickAdd:
    return parse_quick_add(text, now=now, timezone=timezone)


def test_it_reads_the_todoist_example() -> None:
    result = parse("Fix login bug fri 17:00 2h P2 #api")
    assert result == QuickAdd(
        title="Fix login bug",
        deadline=datetime(2026, 12, 4, 17, 0, tzinfo=ZONE),
        estimate_minutes=120,
        importance=3,
        tags=["api"],
        project_name=None,
    )
    assert isinstance(result.deadline, datetime)
    assert result.deadline.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Call the bank tomorrow", date(2026, 12, 1)),
        # "mon" is today (a Monday), so "next mon" is a week later.
        ("Plan sprint next mon 10:00", datetime(2026, 12, 7, 10, 0, tzinfo=ZONE)),
        ("Renew domain 2026-12-01", date(2026, 12, 1)),
        ("Send invoice in 3 days", date(2026, 12, 3)),
        ("Demo today", date(2026, 11, 30)),
        ("Ship it by fri", date(2026, 12, 4)),
        ("Call Bob at 17:00", datetime(2026, 11, 30, 17, 0, tzinfo=ZONE)),
        ("Review PR fri 5pm", datetime(2026, 12, 4, 17, 0, tzinfo=ZONE)),
    ],
)
def test_it_reads_dates_at_the_end(text: str, deadline: datetime | date) -> None:
    result = parse(text)
    assert result.deadline == deadline
    assert type(result.deadline) is type(deadline)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Call the bank tomorrow", "Call the bank"),
        ("Ship it by fri", "Ship it"),
        ("Call Bob at 17:00", "Call Bob"),
    ],
)
def test_it_leaves_the_title_without_the_date_words(text: str, title: str) -> None:
    assert parse(text).title == title


@pytest.mark.parametrize(
    "text",
    [
        "Write the 2 docs",
        "Prepare friday demo",
        "Plan next sprint",
        "Read 2026-12-01 release notes",
        "Fix issue #212",
        "Fix the P1 outage report",
        "Tomorrow never dies",
    ],
)
def test_it_keeps_date_like_words_inside_the_title(text: str) -> None:
    result = parse(text)
    assert result.title == text
    assert result.deadline is None
    assert result.estimate_minutes is None
    assert result.importance is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("Write docs 90m", 90), ("Write docs 1h30", 90), ("Write docs 2h", 120), ("Do it 45min", 45)],
)
def test_it_reads_durations(text: str, minutes: int) -> None:
    result = parse(text)
    assert result.estimate_minutes == minutes
    assert result.title in ("Write docs", "Do it")


@pytest.mark.parametrize(("label", "importance"), [("P1", 4), ("P2", 3), ("p3", 2), ("P4", 1)])
def test_it_reads_priority_labels(label: str, importance: int) -> None:
    result = parse(f"Rotate keys {label}")
    assert result.importance == importance
    assert result.title == "Rotate keys"


def test_it_reads_tags_and_a_project_anywhere() -> None:
    result = parse("#Ops Rotate +billing keys #security #ops")
    assert result.title == "Rotate keys"
    assert result.tags == ["ops", "security"]
    assert result.project_name == "billing"


def test_it_takes_each_detail_once_and_leaves_a_repeat_in_the_title() -> None:
    result = parse("Compare 1h 2h")
    assert result.estimate_minutes == 120
    assert result.title == "Compare 1h"


def test_it_keeps_a_lone_date_word_as_the_title() -> None:
    result = parse("tomorrow")
    assert result.title == "tomorrow"
    assert result.deadline is None


def test_it_refuses_text_with_no_title() -> None:
    with pytest.raises(ValueError, match="write what the task is"):
        parse("#api +billing")


def test_it_reads_wall_times_across_the_spring_dst_change() -> None:
    # Friday 26 March 2027; Berlin moves to summer time on Sunday 28 March.
    friday = datetime(2027, 3, 26, 9, 0, tzinfo=UTC)
    result = parse("Deploy mon 09:00", now=friday)
    assert isinstance(result.deadline, datetime)
    # Summer time: 09:00 in Berlin is 07:00 UTC, not 08:00 as it was on Friday.
    assert result.deadline.astimezone(UTC) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_it_refuses_a_wall_time_the_clocks_skip() -> None:
    friday = datetime(2027, 3, 26, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="does not exist"):
        parse("Backup sun 02:30", now=friday)


def test_it_takes_the_first_of_a_doubled_autumn_hour() -> None:
    # Friday 23 October 2026; the clocks go back from 03:00 to 02:00 on Sunday 25 October.
    friday = datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
    result = parse("Backup sun 02:30", now=friday)
    assert isinstance(result.deadline, datetime)
    assert result.deadline.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_it_reads_the_weekday_in_the_users_timezone() -> None:
    # 23:30 on Sunday in New York is already Monday in UTC: "tomorrow" is Monday there.
    late_sunday = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)
    assert parse("Call mom tomorrow", now=late_sunday, timezone="America/New_York").deadline == (
        date(2026, 11, 30)
    )
