"""Property: the instances the worker's sweep makes for a series are the occurrences that
``dateutil.rrule`` gives for the same rule in the series' timezone, across daylight saving.

Each example is a generated rule (daily, weekly, monthly or yearly; an interval; week days, a
day of the month or the last of a set of days; a time on the clock, some of them in the hour
the clocks skip) in Berlin, New York or Sydney, swept once a day by a movable clock over a span
that crosses one of that zone's changes. Each instance is done as soon as it is made, so the
next one is the sweep's to make.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from devday.clock import MockClock
from devday.db import transaction
from devday.recurrence import expand
from devday.recurrence.models import Series, SeriesInstance
from devday.recurrence.phrases import SCHEDULE
from devday.task import service as task_service
from devday.task.models import Status, Task
from devday.wiring import writer_sessions
from tests.factories import db_user
from tests.recurrence.support import sweep

#: The daylight-saving changes of 2027 in each zone: the spans are built around them.
CHANGES = {
    "Europe/Berlin": (date(2027, 3, 28), date(2027, 10, 31)),
    "America/New_York": (date(2027, 3, 14), date(2027, 11, 7)),
    "Australia/Sydney": (date(2027, 4, 4), date(2027, 10, 3)),
}
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SPAN_DAYS = 60
_names = count(1)


@dataclass(frozen=True)
class Case:
    rule: str
    zone: str
    start: date
    at: time


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY", "YEARLY")))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 4))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    days = sorted(draw(st.sets(st.sampled_from(DAYS), min_size=1, max_size=5)), key=DAYS.index)
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(f"BYDAY={','.join(days)}")
    elif freq in ("MONTHLY", "YEARLY"):
        shape = draw(st.sampled_from(("plain", "monthday", "last_of_days")))
        if shape == "monthday":
            parts.append(f"BYMONTHDAY={draw(st.sampled_from((1, 2, 15, 28, 30, 31, -1)))}")
        elif shape == "last_of_days":
            # The last of the named days in the month (yearly: in the year).
            parts.append(f"BYDAY={','.join(days)};BYSETPOS=-1")
    elif freq == "DAILY" and draw(st.booleans()):
        parts.append(f"BYDAY={','.join(days)}")
    return ";".join(parts)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(sorted(CHANGES)))
    change = draw(st.sampled_from(CHANGES[zone]))
    start = change - timedelta(days=draw(st.integers(1, SPAN_DAYS - 5)))
    # Ordinary hours, and the hour the clocks skip or repeat (02:xx; 02:xx and 03:xx in Sydney).
    at = draw(
        st.one_of(
            st.sampled_from((time(0, 0), time(9, 0), time(17, 30), time(23, 45))),
            st.builds(time, st.integers(2, 3), st.sampled_from((0, 15, 30, 59))),
        )
    )
    return Case(rule=draw(rules()), zone=zone, start=start, at=at)


def expected(case: Case, last_day: date) -> list[datetime]:
    """rrule's occurrences from the start to ``last_day``, as local date-times in the zone (a
    wall time the clocks skip read the way the zone reads it)."""
    zone = ZoneInfo(case.zone)
    found = rrulestr(case.rule, dtstart=datetime.combine(case.start, case.at)).between(
        datetime.combine(case.start, time(0)), datetime.combine(last_day, time.max), inc=True
    )
    return [o.replace(tzinfo=zone).astimezone(UTC).astimezone(zone) for o in found]


def run_sweeps(engine: Engine, clock: MockClock, case: Case) -> tuple[int, date]:
    """The series, then one sweep a day (at noon UTC: the same day in all three zones) with each
    new instance done at once. Returns the series id and the last day swept."""
    with transaction(writer_sessions(engine, clock)) as session:
        # The examples share a database: the earlier ones' series are over.
        session.execute(update(Series).values(ended_at=clock.now(), next_date=None))
        owner = db_user(session, f"Owner{next(_names)}")
        owner.timezone = case.zone
        series = Series(
            owner_id=owner.id,
            mode=SCHEDULE,
            rule=case.rule,
            text=case.rule,
            timezone=case.zone,
            start_date=case.start,
            at=case.at,
            title="Generated",
            next_date=expand.first_on_or_after(case.rule, case.start, case.at, case.start),
        )
        session.add(series)
        session.flush()
        series_id = series.id
    day = case.start
    for _ in range(SPAN_DAYS):
        clock.set(datetime.combine(day, time(12, 0), tzinfo=UTC))
        if sweep(engine, clock):
            with transaction(writer_sessions(engine, clock)) as session:
                (task,) = session.scalars(
                    select(Task)
                    .join(SeriesInstance, SeriesInstance.task_id == Task.id)
                    .where(
                        SeriesInstance.series_id == series_id,
                        Task.status.in_(task_service.OPEN_STATUSES),
                    )
                ).all()
                task_service.set_status(
                    session=session, task=task, status=Status.done, now=clock.now()
                )
        day += timedelta(days=1)
    return series_id, day - timedelta(days=1)


def made(engine: Engine, clock: MockClock, series_id: int, zone: str) -> list[datetime]:
    """The local start of each instance the series made; each on its occurrence's day."""
    with transaction(writer_sessions(engine, clock)) as session:
        rows = session.execute(
            select(SeriesInstance.occurrence_date, Task.planned_date, Task.earliest_start_at)
            .join(Task, Task.id == SeriesInstance.task_id)
            .where(SeriesInstance.series_id == series_id)
            .order_by(SeriesInstance.occurrence_date)
        ).all()
    starts = []
    for occurrence, planned, start in rows:
        assert planned == occurrence
        assert start is not None
        starts.append(start.astimezone(ZoneInfo(zone)))
    return starts


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_the_sweep_makes_what_rrule_expands_across_daylight_saving(
    engine: Engine, clock: MockClock, case: Case
) -> None:
    series_id, last_day = run_sweeps(engine, clock, case)
    assert made(engine, clock, series_id, case.zone) == expected(case, last_day), case
