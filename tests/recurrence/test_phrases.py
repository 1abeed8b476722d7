from __future__ import annotations

from datetime import time

import pytest

from devday.recurrence.phrases import AFTER_DONE, SCHEDULE, RepeatError, describe, parse_repeat

PHRASES = [
    ("every day", SCHEDULE, "FREQ=DAILY", "every day"),
    ("daily", SCHEDULE, "FREQ=DAILY", "every day"),
    ("every weekday", SCHEDULE, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
    ("every 2 weeks on mon", SCHEDULE, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "every 2 weeks on Mon"),
    ("every mon, wed", SCHEDULE, "FREQ=WEEKLY;BYDAY=MO,WE", "every Mon, Wed"),
    ("Every Friday and Monday", SCHEDULE, "FREQ=WEEKLY;BYDAY=MO,FR", "every Mon, Fri"),
    ("every other week", SCHEDULE, "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
    ("every month on the 15th", SCHEDULE, "FREQ=MONTHLY;BYMONTHDAY=15", "every month on the 15th"),
    (
        "every month on the last day",
        SCHEDULE,
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "every month on the last day",
    ),
    (
        "every month on the last fri",
        SCHEDULE,
        "FREQ=MONTHLY;BYDAY=-1FR",
        "every month on the last Fri",
    ),
    (
        "every month on the 2nd tue",
        SCHEDULE,
        "FREQ=MONTHLY;BYDAY=2TU",
        "every month on the 2nd Tue",
    ),
    ("every year on 3 dec", SCHEDULE, "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=3", "every year on 3 Dec"),
    (
        "every year on dec 3rd",
        SCHEDULE,
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=3",
        "every year on 3 Dec",
    ),
    (
        "every 3 days until 2027-03-01",
        SCHEDULE,
        "FREQ=DAILY;INTERVAL=3;UNTIL=20270301T235959",
        "every 3 days until 2027-03-01",
    ),
    ("every week for 10 times", SCHEDULE, "FREQ=WEEKLY;COUNT=10", "every week, 10 times"),
    ("every! 3 days", AFTER_DONE, "FREQ=DAILY;INTERVAL=3", "3 days after the last one is done"),
    ("every! week", AFTER_DONE, "FREQ=WEEKLY", "1 week after the last one is done"),
]


@pytest.mark.parametrize(("text", "mode", "rule", "words"), PHRASES)
def test_it_reads_each_phrase_into_its_rule_and_back_into_words(
    text: str, mode: str, rule: str, words: str
) -> None:
    found = parse_repeat(text)
    assert (found.mode, found.rule, found.at) == (mode, rule, None)
    assert describe(found.mode, found.rule, found.at) == words


def test_it_reads_a_time_of_day() -> None:
    assert parse_repeat("every day at 09:00").at == time(9, 0)
    assert parse_repeat("every mon at 5pm until 2027-01-01").at == time(17, 0)
    found = parse_repeat("every weekday at 9:30")
    assert describe(found.mode, found.rule, found.at) == "every weekday at 09:30"


REFUSED = [
    ("every blue moon", "every weekday"),
    ("sometimes", "every day"),
    ("", "every day"),
    ("every 3", "every 3 days"),
    ("every! mon", "every! 3 days"),
    ("every month on the 40th", "every month on the 15th"),
    ("every year on 30 feb", "feb has no day 30"),
    ("every year on someday", "every year on 3 dec"),
    ("every day until 2027-02-30", "until 2027-03-01"),
    ("every day at 25:00", "09:00"),
    ("every day for 0 times", "1 to 1000"),
    ("every week for 3 times until 2027-01-01", "not both"),
    ("every 500 days", "1 to 366"),
    ("every! 3 days for 5 times", "until 2027-03-01"),
]


@pytest.mark.parametrize(("text", "advice"), REFUSED)
def test_it_refuses_what_it_cannot_read_and_says_what_to_write(text: str, advice: str) -> None:
    with pytest.raises(RepeatError, match=advice):
        parse_repeat(text)
