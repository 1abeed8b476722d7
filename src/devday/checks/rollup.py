"""Raw results (24 hours) rolled up into minute, hour and day aggregates; history at any range.

An aggregate keeps the runs, failures, the latency sum and maximum, and a latency histogram on
fixed bounds, so that aggregates add up: the p95 of a week is read from the sum of its hours'
histograms, never from a week of raw rows. All three are kept a year; a long range is read from
hours or days, so the minutes kept make no read slower.

``roll_up`` is idempotent: a bucket is recomputed from its source and replaced, and a mark
(``check_rollup_mark``, locked while rolling) says how far minutes are done.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from devday.checks.judge import grade_rank
from devday.checks.models import CheckResult, CheckRollup, RollupMark
from devday.checks.schemas import HistoryPoint, HistoryRead

# Upper bounds in ms of the histogram's buckets; a last bucket holds everything slower.
BOUNDS: tuple[float, ...] = (
    1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50, 70, 100, 130, 160, 200, 250, 300, 400, 500, 700,
    1000, 1300, 1600, 2000, 2500, 3000, 4000, 5000, 7000, 10000, 15000, 20000, 30000, 60000,
)  # fmt: skip
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
SIZES = {"minute": MINUTE, "hour": HOUR, "day": DAY}
RAW_KEPT = timedelta(hours=24)
KEPT = {"minute": timedelta(days=365), "hour": timedelta(days=365), "day": timedelta(days=365)}
LAG = timedelta(seconds=90)  # a probe may finish a timeout after its start: wait for it
MAX_MINUTES_PER_RUN = 180
MARK = "minute"
Row = dict[str, Any]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted ``values``; None when empty."""
    if not values:
        return None
    rank = max(1, math.ceil(q * len(values)))
    return float(values[rank - 1])


def bucket_of(latency_ms: float) -> int:
    return bisect.bisect_left(BOUNDS, latency_ms)


def histogram_percentile(histogram: Sequence[int], q: float, maximum: float | None) -> float | None:
    """The upper bound of the bucket holding the q-th run (the maximum for the last one)."""
    total = sum(histogram)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= rank:
            bound = BOUNDS[index] if index < len(BOUNDS) else (maximum or BOUNDS[-1])
            return float(min(bound, maximum)) if maximum is not None else float(bound)
    return maximum


@dataclass
class Aggregate:
    runs: int = 0
    failures: int = 0
    latency_sum_ms: float = 0.0
    latency_max_ms: float | None = None
    histogram: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS) + 1))
    worst_grade: str | None = None
    exact: list[float] = field(default_factory=list)  # raw latencies, when read from raw

    def add_run(self, ok: bool, latency_ms: float | None, grade: str | None) -> None:
        self.runs += 1
        self.failures += 0 if ok else 1
        if latency_ms is not None:
            self.latency_sum_ms += latency_ms
            self.histogram[bucket_of(latency_ms)] += 1
            self.exact.append(latency_ms)
            if self.latency_max_ms is None or latency_ms > self.latency_max_ms:
                self.latency_max_ms = latency_ms
        self._grade(grade)

    def add(self, other: CheckRollup | Aggregate) -> None:
        self.runs += other.runs
        self.failures += other.failures
        self.latency_sum_ms += other.latency_sum_ms
        for index, count in enumerate(other.histogram):
            self.histogram[index] += count
        if other.latency_max_ms is not None and (
            self.latency_max_ms is None or other.latency_max_ms > self.latency_max_ms
        ):
            self.latency_max_ms = other.latency_max_ms
        self._grade(other.worst_grade)
        if isinstance(other, Aggregate):
            self.exact.extend(other.exact)
        else:
            self.exact = []

    def _grade(self, grade: str | None) -> None:
        if grade is not None and (
            self.worst_grade is None or grade_rank(grade) < grade_rank(self.worst_grade)
        ):
            self.worst_grade = grade

    def quantile(self, q: float) -> float | None:
        if self.exact and len(self.exact) == sum(self.histogram):
            return percentile(sorted(self.exact), q)
        return histogram_percentile(self.histogram, q, self.latency_max_ms)


def floor(instant: datetime, size: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((instant - epoch) // size) * size


# --- rolling up ---------------------------------------------------------------------------------


def roll_up(session: Session, now: datetime) -> int:
    """Rolls up every finished minute (and hour and day) not yet done; returns the minutes."""
    target = floor(now - LAG, MINUTE)
    mark = session.scalar(select(RollupMark).where(RollupMark.name == MARK).with_for_update())
    if mark is None:
        first = session.scalar(select(CheckResult.started_at).order_by(CheckResult.started_at))
        start = floor(first, MINUTE) if first is not None else target
        mark = RollupMark(name=MARK, done_until=max(start, now - RAW_KEPT))
        session.add(mark)
        session.flush()
    start = floor(mark.done_until, MINUTE)
    end = min(target, start + MAX_MINUTES_PER_RUN * MINUTE)
    if end <= start:
        return 0
    _roll_raw(session, start, end)
    for resolution, source in (("hour", "minute"), ("day", "hour")):
        size = SIZES[resolution]
        first_bucket, done = floor(start, size), floor(end, size)
        if done > first_bucket:
            _roll_rollups(session, resolution, source, first_bucket, done)
    mark.done_until = end
    return int((end - start) / MINUTE)


def _replace(
    session: Session, resolution: str, start: datetime, end: datetime, rows: list[Row]
) -> None:
    session.execute(
        delete(CheckRollup).where(
            CheckRollup.resolution == resolution,
            CheckRollup.bucket_at >= start,
            CheckRollup.bucket_at < end,
        )
    )
    if rows:
        session.execute(insert(CheckRollup), rows)


def _rows(resolution: str, groups: dict[tuple[int, datetime], Aggregate]) -> list[Row]:
    return [
        {
            "check_id": check_id,
            "resolution": resolution,
            "bucket_at": bucket,
            "runs": agg.runs,
            "failures": agg.failures,
            "latency_sum_ms": agg.latency_sum_ms,
            "latency_max_ms": agg.latency_max_ms,
            "histogram": agg.histogram,
            "worst_grade": agg.worst_grade,
        }
        for (check_id, bucket), agg in sorted(groups.items())
    ]


def _roll_raw(session: Session, start: datetime, end: datetime) -> None:
    groups: dict[tuple[int, datetime], Aggregate] = defaultdict(Aggregate)
    rows = session.execute(
        select(
            CheckResult.check_id,
            CheckResult.started_at,
            CheckResult.ok,
            CheckResult.latency_ms,
            CheckResult.grade,
        ).where(CheckResult.started_at >= start, CheckResult.started_at < end)
    )
    for check_id, started_at, ok, latency, grade in rows:
        groups[(check_id, floor(started_at, MINUTE))].add_run(ok, latency, grade)
    _replace(session, "minute", start, end, _rows("minute", groups))


def _roll_rollups(
    session: Session, resolution: str, source: str, start: datetime, end: datetime
) -> None:
    groups: dict[tuple[int, datetime], Aggregate] = defaultdict(Aggregate)
    rows = session.scalars(
        select(CheckRollup).where(
            CheckRollup.resolution == source,
            CheckRollup.bucket_at >= start,
            CheckRollup.bucket_at < end,
        )
    )
    size = SIZES[resolution]
    for row in rows:
        groups[(row.check_id, floor(row.bucket_at, size))].add(row)
    _replace(session, resolution, start, end, _rows(resolution, groups))


def prune(session: Session, now: datetime) -> int:
    """Deletes raw results older than 24 hours and aggregates past their keeping time."""
    statements = [delete(CheckResult).where(CheckResult.started_at < now - RAW_KEPT)]
    statements += [
        delete(CheckRollup).where(
            CheckRollup.resolution == resolution, CheckRollup.bucket_at < now - kept
        )
        for resolution, kept in KEPT.items()
    ]
    removed = 0
    for statement in statements:
        removed += int(getattr(session.execute(statement), "rowcount", 0) or 0)
    return removed


# --- reading ------------------------------------------------------------------------------------

NICE_STEPS = (
    10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
    604800,
)  # fmt: skip


def history(
    *, session: Session, check_id: int, start: datetime, end: datetime, points: int
) -> HistoryRead:
    """About ``points`` buckets between ``start`` and ``end``, read from the coarsest data
    that is fine enough: raw results for steps under a minute, else minute, hour or day
    aggregates, with finer data filling in what is not rolled up yet."""
    wanted = (end - start).total_seconds() / max(points, 1)
    step_seconds = next((s for s in NICE_STEPS if s >= wanted), NICE_STEPS[-1])
    step = timedelta(seconds=step_seconds)
    source = "raw"
    for name in ("day", "hour", "minute"):
        if step >= SIZES[name] and step % SIZES[name] == timedelta(0):
            source = name
            break
    first = floor(start, step)
    buckets: dict[datetime, Aggregate] = {}
    for part_source, part_start, part_end in _tiers(session, source, first, end):
        for at, aggregate in _read(session, check_id, part_source, part_start, part_end):
            buckets.setdefault(floor(at, step), Aggregate()).add(aggregate)
    points_out = []
    at = first
    while at < end:
        agg = buckets.get(at, Aggregate())
        points_out.append(
            HistoryPoint(
                at=at,
                runs=agg.runs,
                failures=agg.failures,
                uptime=None if agg.runs == 0 else round(1 - agg.failures / agg.runs, 4),
                p50_ms=agg.quantile(0.5),
                p95_ms=agg.quantile(0.95),
                max_ms=agg.latency_max_ms,
            )
        )
        at += step
    return HistoryRead(
        check_id=check_id,
        start=first,
        end=end,
        step_seconds=step_seconds,
        source=source,
        points=points_out,
    )


def _tiers(
    session: Session, source: str, start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime]]:
    """(source, from, to) parts: the coarse source up to where it is rolled up, finer after."""
    if source == "raw":
        return [("raw", start, end)]
    mark = session.scalar(select(RollupMark.done_until).where(RollupMark.name == MARK))
    minutes_done = floor(mark, MINUTE) if mark is not None else start
    edges = {"minute": minutes_done, "hour": floor(minutes_done, HOUR)}
    edges["day"] = floor(minutes_done, DAY)
    order = ["day", "hour", "minute"]
    parts = []
    cursor = start
    for name in order[order.index(source) :]:
        edge = min(max(edges[name], cursor), end)
        if edge > cursor:
            parts.append((name, cursor, edge))
            cursor = edge
    if cursor < end:
        parts.append(("raw", cursor, end))
    return parts


def _read(
    session: Session, check_id: int, source: str, start: datetime, end: datetime
) -> Iterable[tuple[datetime, Aggregate]]:
    if source == "raw":
        rows = session.execute(
            select(
                CheckResult.started_at, CheckResult.ok, CheckResult.latency_ms, CheckResult.grade
            ).where(
                CheckResult.check_id == check_id,
                CheckResult.started_at >= start,
                CheckResult.started_at < end,
            )
        )
        for started_at, ok, latency, grade in rows:
            one = Aggregate()
            one.add_run(ok, latency, grade)
            yield started_at, one
        return
    query = select(CheckRollup).where(
        CheckRollup.check_id == check_id,
        CheckRollup.resolution == source,
        CheckRollup.bucket_at >= start,
        CheckRollup.bucket_at < end,
    )
    for row in session.scalars(query):
        one = Aggregate()
        one.add(row)
        yield row.bucket_at, one


def window_p95(
    session: Session, check_id: int, start: datetime, end: datetime
) -> tuple[float | None, int]:
    """The p95 latency and the number of timed runs between two instants, from hour
    aggregates where rolled up and finer data after."""
    total = Aggregate()
    for part_source, part_start, part_end in _tiers(session, "hour", floor(start, HOUR), end):
        for _, aggregate in _read(session, check_id, part_source, part_start, part_end):
            total.add(aggregate)
    return total.quantile(0.95), sum(total.histogram)


def raw_p95(
    session: Session, check_id: int, start: datetime, end: datetime
) -> tuple[float | None, int]:
    rows = session.scalars(
        select(CheckResult.latency_ms).where(
            CheckResult.check_id == check_id,
            CheckResult.started_at >= start,
            CheckResult.started_at < end,
            CheckResult.latency_ms.is_not(None),
        )
    )
    latencies = sorted(v for v in rows if v is not None)
    return percentile(latencies, 0.95), len(latencies)
