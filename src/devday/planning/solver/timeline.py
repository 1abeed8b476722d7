"""Free time of a problem, as sorted disjoint intervals of epoch minutes, and the working-time axis.

Epoch minutes (whole minutes since 1970-01-01 UTC) are the solver's internal clock: integers make
grid arithmetic exact. Local wall-clock intervals are converted day by day with zoneinfo, so a
daylight-saving change shortens or lengthens that day's intervals instead of shifting later days.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from devday.planning.solver.model import WEEKDAYS, Problem

Interval = tuple[int, int]
UTC = UTC


def to_minute(moment: datetime) -> int:
    """Epoch minute at or before `moment` (floor)."""
    return int(moment.timestamp() // 60)


def to_minute_ceil(moment: datetime) -> int:
    """Epoch minute at or after `moment` (ceiling)."""
    return -int(-moment.timestamp() // 60)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes of real time from `start` to `end`. Plain `end - start` is wrong here: with a
    shared ZoneInfo it subtracts wall-clock times and ignores a daylight-saving change between."""
    return int((end.timestamp() - start.timestamp()) // 60)


def to_datetime(minute: int, zone: ZoneInfo) -> datetime:
    """The instant `minute` shown in `zone`."""
    return datetime.fromtimestamp(minute * 60, tz=UTC).astimezone(zone)


def local_minute(d: date, minute_of_day: int, zone: ZoneInfo) -> int:
    """Epoch minute of wall-clock `minute_of_day` on local date `d` (1440 = next midnight)."""
    day = d + timedelta(days=minute_of_day // 1440)
    rest = minute_of_day % 1440
    local = datetime.combine(day, time(rest // 60, rest % 60), tzinfo=zone)
    return to_minute(local)


def is_on_grid(minute: int, zone: ZoneInfo, grid: int) -> bool:
    """True when the instant is a whole multiple of `grid` minutes after local midnight."""
    local = to_datetime(minute, zone)
    return (local.hour * 60 + local.minute) % grid == 0


def grid_ceil(minute: int, zone: ZoneInfo, grid: int) -> int:
    """The first local-grid instant at or after `minute`."""
    local = to_datetime(minute, zone)
    return minute + (-(local.hour * 60 + local.minute)) % grid


def grid_floor(minute: int, zone: ZoneInfo, grid: int) -> int:
    """The last local-grid instant at or before `minute`."""
    local = to_datetime(minute, zone)
    return minute - (local.hour * 60 + local.minute) % grid


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals; drop empty ones."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(base: Sequence[Interval], cuts: Sequence[Interval]) -> list[Interval]:
    """`base` minus `cuts`; both must be normalised."""
    out: list[Interval] = []
    j = 0
    for start, end in base:
        cur = start
        while j < len(cuts) and cuts[j][1] <= cur:
            j += 1
        k = j
        while k < len(cuts) and cuts[k][0] < end:
            if cuts[k][0] > cur:
                out.append((cur, cuts[k][0]))
            cur = max(cur, cuts[k][1])
            k += 1
        if cur < end:
            out.append((cur, end))
    return out


def horizon(problem: Problem) -> tuple[int, int]:
    """(start, end) in epoch minutes: start is `now` rounded up to the local grid, end is local
    midnight after the last horizon day."""
    zone = ZoneInfo(problem.timezone)
    start = grid_ceil(to_minute_ceil(problem.now), zone, problem.grid_minutes)
    first = problem.now.astimezone(zone).date()
    return start, local_minute(first + timedelta(days=problem.horizon_days), 0, zone)


def local_days(problem: Problem) -> list[date]:
    """The local calendar dates of the horizon, starting with now's date."""
    first = problem.now.astimezone(ZoneInfo(problem.timezone)).date()
    return [first + timedelta(days=i) for i in range(problem.horizon_days)]


def working_intervals(problem: Problem) -> list[Interval]:
    """Working hours of every horizon day as instants, rounded inwards to the local grid; not
    clipped to now."""
    zone = ZoneInfo(problem.timezone)
    grid = problem.grid_minutes
    out: list[Interval] = []
    for d in local_days(problem):
        for a, b in problem.working_hours.get(WEEKDAYS[d.weekday()], ()):
            start = local_minute(d, -(-a // grid) * grid, zone)
            end = local_minute(d, b // grid * grid, zone)
            out.append((start, end))
    return normalise(out)


def routine_intervals(problem: Problem) -> list[Interval]:
    """Routine blocks of every horizon day (and the day before, for blocks past midnight)."""
    zone = ZoneInfo(problem.timezone)
    days = local_days(problem)
    out: list[Interval] = []
    for d in [days[0] - timedelta(days=1), *days]:
        for item in problem.routine:
            if WEEKDAYS[d.weekday()] in item.days:
                out.append(
                    (
                        local_minute(d, item.start_minute, zone),
                        local_minute(d, item.end_minute, zone),
                    )
                )
    return normalise(out)


def busy_intervals(problem: Problem) -> list[Interval]:
    """Busy events as instants, widened outwards to whole minutes."""
    return normalise((to_minute(e.start), to_minute_ceil(e.end)) for e in problem.busy)


def pinned_intervals(problem: Problem) -> list[Interval]:
    """Pinned blocks as instants, widened outwards to whole minutes."""
    return normalise((to_minute(p.start), to_minute_ceil(p.end)) for p in problem.pinned)


def free_intervals(problem: Problem) -> list[Interval]:
    """Time the solver may fill: working hours within the horizon, minus routine, busy and pinned
    time, each interval's ends rounded inwards to the local grid."""
    zone = ZoneInfo(problem.timezone)
    grid = problem.grid_minutes
    start, end = horizon(problem)
    free = subtract(list(_calendar_free(_CalendarKey.of(problem))), pinned_intervals(problem))
    out: list[Interval] = []
    for a, b in free:
        a2 = grid_ceil(max(a, start), zone, grid)
        b2 = grid_floor(min(b, end), zone, grid)
        if b2 > a2:
            out.append((a2, b2))
    return out


@dataclass(frozen=True)
class _CalendarKey:
    """What working, routine and busy time depend on; hashable, so that a re-plan, which
    solves the same calendar with different pins, computes it once."""

    problem: Problem

    @staticmethod
    def of(problem: Problem) -> _CalendarKey:
        return _CalendarKey(replace(problem, tasks=(), pinned=(), kind_windows={}))

    def __hash__(self) -> int:
        p = self.problem
        hours = tuple(sorted(p.working_hours.items()))
        return hash((p.now, p.timezone, p.horizon_days, hours, p.routine, p.busy, p.grid_minutes))


@lru_cache(maxsize=16)
def _calendar_free(key: _CalendarKey) -> tuple[Interval, ...]:
    """Working hours within the horizon minus routine and busy time."""
    problem = key.problem
    free = subtract(working_intervals(problem), routine_intervals(problem))
    return tuple(subtract(free, busy_intervals(problem)))


@dataclass(frozen=True)
class Axis:
    """The working-time axis: free minutes counted from the start of the first free interval.

    Position x on the axis is the x-th free minute; `to_time` and `position` convert both ways.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    offsets: tuple[int, ...]  # free minutes before each interval

    @staticmethod
    def of(intervals: Sequence[Interval]) -> Axis:
        offsets = []
        acc = 0
        for a, b in intervals:
            offsets.append(acc)
            acc += b - a
        return Axis(tuple(a for a, _ in intervals), tuple(b for _, b in intervals), (*offsets, acc))

    @property
    def length(self) -> int:
        return self.offsets[-1]

    def position(self, minute: int) -> int:
        """Free minutes strictly before the instant `minute`."""
        i = bisect.bisect_right(self.starts, minute) - 1
        if i < 0:
            return 0
        return self.offsets[i] + min(minute, self.ends[i]) - self.starts[i]

    def free_between(self, start: int, end: int) -> int:
        """Free minutes within [start, end)."""
        return max(0, self.position(end) - self.position(start))

    def to_time(self, position: int) -> int:
        """Instant at which the axis reaches `position` (the end of the position-th minute)."""
        if position <= 0:
            return self.starts[0] if self.starts else 0
        i = bisect.bisect_left(self.offsets, position, 0, len(self.starts)) - 1
        i = max(i, 0)
        return self.starts[i] + position - self.offsets[i]
