"""Constructive list scheduler: place tasks one by one, in a given order, as early as the hard
rules allow. Everything here works in epoch minutes (see `timeline`).

The scheduler never breaks a hard rule: a task that cannot be placed whole is left out, with a
reason code that `explain` turns into words, and so is every task that depends on it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from devday.planning.solver.model import Problem
from devday.planning.solver.timeline import (
    Interval,
    grid_ceil,
    horizon,
    local_days,
    local_minute,
    minutes_between,
    normalise,
    to_minute,
    to_minute_ceil,
)


@dataclass(slots=True)
class Job:
    """A task as the scheduler sees it; `index` is its position in `problem.tasks`. Treated as
    read-only (not frozen only because a frozen dataclass is slow to build, and a problem of
    1,000 tasks builds 1,000 of these per solve)."""

    index: int
    task_id: str
    title: str
    remaining: int  # minutes still to place (estimate minus pinned)
    weight: int
    importance: int
    deadline: int | None
    release: int  # on the local grid, not before now
    deps: tuple[int, ...]
    splittable: bool
    min_chunk: int  # effective: on the grid and at most `remaining`
    kind: str
    pinned_end: int | None
    rank: int | None = None  # a goal's `first_rank`


# (missed deadline weight, weighted tardiness, weighted unplaced minutes of tasks without a
# deadline, how late important work starts, preferences): smaller is better, lexicographically.
Score = tuple[int, int, int, int, int]


@dataclass
class Placement:
    """Result of one list-scheduling run. `finish` holds placed tasks only."""

    blocks: dict[int, list[Interval]] = field(default_factory=dict)
    finish: dict[int, int] = field(default_factory=dict)
    unscheduled: dict[int, tuple[str, int]] = field(default_factory=dict)
    score: Score = (0, 0, 0, 0, 0)
    trace: Trace | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Snapshot:
    """The list scheduler's state after the first `done` jobs of an order (never mutated)."""

    done: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    blocks: dict[int, list[Interval]]
    finish: dict[int, int]
    unscheduled: dict[int, tuple[str, int]]


@dataclass(frozen=True)
class Trace:
    """The repaired order a placement was built from and snapshots along it, so that another
    order with the same prefix can resume from there instead of placing the prefix again."""

    order: tuple[int, ...]
    snapshots: tuple[Snapshot, ...]


def build_jobs(problem: Problem) -> list[Job]:
    """One job per task, in the order of `problem.tasks`."""
    zone = ZoneInfo(problem.timezone)
    grid = problem.grid_minutes
    start, _ = horizon(problem)
    index = {t.id: i for i, t in enumerate(problem.tasks)}
    pinned_minutes: dict[str, int] = {}
    pinned_end: dict[str, int] = {}
    for p in problem.pinned:
        pinned_minutes[p.task_id] = pinned_minutes.get(p.task_id, 0) + minutes_between(
            p.start, p.end
        )
        pinned_end[p.task_id] = max(pinned_end.get(p.task_id, 0), to_minute_ceil(p.end))
    jobs = []
    for i, t in enumerate(problem.tasks):
        remaining = t.estimate_minutes - pinned_minutes.get(t.id, 0)
        release = start
        if t.earliest_start is not None:
            release = max(release, grid_ceil(to_minute_ceil(t.earliest_start), zone, grid))
        chunk = -(-t.min_chunk_minutes // grid) * grid
        jobs.append(
            Job(
                index=i,
                task_id=t.id,
                title=t.title,
                remaining=remaining,
                weight=t.weight,
                importance=t.importance,
                deadline=None if t.deadline is None else to_minute(t.deadline),
                release=release,
                deps=tuple(index[d] for d in t.depends_on),
                splittable=t.splittable,
                min_chunk=min(chunk, remaining) if t.splittable else remaining,
                kind=t.kind,
                pinned_end=pinned_end.get(t.id),
                rank=t.first_rank,
            )
        )
    return jobs


def kind_intervals(problem: Problem) -> dict[str, list[Interval]]:
    """Preferred windows of each kind, as instants over the horizon."""
    zone = ZoneInfo(problem.timezone)
    out: dict[str, list[Interval]] = {}
    for kind, windows in problem.kind_windows.items():
        out[kind] = normalise(
            (local_minute(d, a, zone), local_minute(d, b, zone))
            for d in local_days(problem)
            for a, b in windows
        )
    return out


def topological(order: Sequence[int], jobs: Sequence[Job]) -> list[int]:
    """`order` with each job's dependencies moved just before it (stable otherwise)."""
    seen: set[int] = set()
    out: list[int] = []
    for root in order:
        if root in seen:
            continue
        if not jobs[root].deps:  # the common case: nothing to pull in front
            seen.add(root)
            out.append(root)
            continue
        stack = [root]
        while stack:
            j = stack[-1]
            pending = [d for d in jobs[j].deps if d not in seen]
            if pending:
                stack.extend(reversed(pending))
                continue
            stack.pop()
            if j not in seen:
                seen.add(j)
                out.append(j)
    return out


def _clip(s: int, e: int, windows: Sequence[Interval] | None) -> list[Interval]:
    if windows is None:
        return [(s, e)]
    out = []
    k = bisect.bisect_right(windows, (s, 1 << 62)) - 1
    k = max(k, 0)
    while k < len(windows) and windows[k][0] < e:
        a, b = max(s, windows[k][0]), min(e, windows[k][1])
        if b > a:
            out.append((a, b))
        k += 1
    return out


def _find(
    job: Job,
    ready: int,
    starts: list[int],
    ends: list[int],
    windows: Sequence[Interval] | None,
) -> list[tuple[int, int, int]] | None:
    """Chunks (segment index, start, end) for `job` from `ready` on, or None if it does not fit."""
    need = job.remaining
    m = job.min_chunk
    chunks: list[tuple[int, int, int]] = []
    i = bisect.bisect_right(ends, ready)
    if windows is None:  # the hot path of the search: no kind windows to clip to
        n = len(starts)
        if not job.splittable:
            while i < n:
                s = starts[i] if starts[i] > ready else ready
                if ends[i] - s >= need:
                    return [(i, s, s + need)]
                i += 1
            return None
        while i < n:
            s = starts[i] if starts[i] > ready else ready
            avail = ends[i] - s
            if avail >= need:
                chunks.append((i, s, s + need))
                return chunks
            take = avail if avail < need - m else need - m
            if take >= m:
                chunks.append((i, s, s + take))
                need -= take
            i += 1
        return None
    while i < len(starts):
        for s, e in _clip(max(starts[i], ready), ends[i], windows):
            avail = e - s
            if avail >= need:
                chunks.append((i, s, s + need))
                return chunks
            if not job.splittable:
                continue
            take = min(avail, need - m)
            if take >= m:
                chunks.append((i, s, s + take))
                need -= take
        i += 1
    return None


def _commit(chunks: list[tuple[int, int, int]], starts: list[int], ends: list[int]) -> None:
    # Reverse order keeps earlier segment indices valid while later segments split.
    for i, s, e in reversed(chunks):
        if s == starts[i] and e == ends[i]:
            del starts[i], ends[i]
        elif s == starts[i]:
            starts[i] = e
        elif e == ends[i]:
            ends[i] = s
        else:
            starts.insert(i + 1, e)
            ends.insert(i + 1, ends[i])
            ends[i] = s


def _free_after(ready: int, starts: list[int], ends: list[int]) -> int:
    i = bisect.bisect_right(ends, ready)
    return sum(ends[k] - max(starts[k], ready) for k in range(i, len(starts)))


def place(
    jobs: Sequence[Job],
    order: Sequence[int],
    free: Sequence[Interval],
    *,
    windows: dict[int, list[Interval]] | None = None,
    resume: Trace | None = None,
    record: bool = False,
) -> Placement:
    """List-schedule `jobs` in `order` (repaired to respect dependencies) into `free`.

    With `record` (and no windows) the placement keeps a trace: snapshots along its order. With
    `resume` (such a trace, of the same jobs and free time) the common prefix of the two orders
    is not placed again.

    `windows` maps a job to intervals it should use if it fits there entirely (kind windows).
    Reason codes in `unscheduled`: ("dep", j) for an unscheduled dependency j, ("block", 0) for an
    unsplittable job without a long enough gap, ("chunk", 0) and ("room", 0) otherwise.
    """
    sequence = topological(order, jobs)
    starts = [a for a, _ in free]
    ends = [b for _, b in free]
    result = Placement()
    snapshots: list[Snapshot] = []
    first = 0
    if resume is not None and windows is None:
        # The state after a common prefix of the two orders is the same: start from the last
        # snapshot inside that prefix.
        same = 0
        limit = min(len(sequence), len(resume.order))
        while same < limit and sequence[same] == resume.order[same]:
            same += 1
        for snap in resume.snapshots:
            if snap.done > same:
                break
            snapshots.append(snap)
        if snapshots:
            snap = snapshots[-1]
            first = snap.done
            starts, ends = list(snap.starts), list(snap.ends)
            result.blocks = dict(snap.blocks)
            result.finish = dict(snap.finish)
            result.unscheduled = dict(snap.unscheduled)
    every = max(4, len(sequence) // 24)
    for done in range(first, len(sequence)):
        if record and windows is None and done % every == 0 and done > first:
            snapshots.append(
                Snapshot(
                    done,
                    tuple(starts),
                    tuple(ends),
                    dict(result.blocks),
                    dict(result.finish),
                    dict(result.unscheduled),
                )
            )
        j = sequence[done]
        job = jobs[j]
        if job.remaining == 0:
            result.finish[j] = job.pinned_end or job.release
            continue
        bad = next((d for d in job.deps if d in result.unscheduled), None)
        if bad is not None:
            result.unscheduled[j] = ("dep", bad)
            continue
        ready = max([job.release, *(result.finish[d] for d in job.deps)])
        chunks = None
        if windows and j in windows:
            chunks = _find(job, ready, starts, ends, windows[j])
        if chunks is None:
            chunks = _find(job, ready, starts, ends, None)
        if chunks is None:
            if not job.splittable:
                code = "block"
            elif _free_after(ready, starts, ends) >= job.remaining:
                code = "chunk"
            else:
                code = "room"
            result.unscheduled[j] = (code, 0)
            continue
        _commit(chunks, starts, ends)
        spans = [(s, e) for _, s, e in chunks]
        result.blocks[j] = spans
        result.finish[j] = max(spans[-1][1], job.pinned_end or 0)
    if record and windows is None:
        result.trace = Trace(tuple(sequence), tuple(snapshots))
    return result


def score(
    jobs: Sequence[Job],
    placement: Placement,
    horizon_end: int,
    kinds: dict[str, list[Interval]],
) -> Score:
    """The objective of a placement (see `Score`). Only tasks with a deadline can miss: an
    unscheduled one misses and counts as finishing at the horizon end. An unscheduled task
    without a deadline adds its weight times its minutes to the third term."""
    missed = tardy = unplaced = early = pref = 0
    first = min((s for spans in placement.blocks.values() for s, _ in spans), default=0)
    for job in jobs:
        j = job.index
        finish = placement.finish.get(j)
        if finish is None:
            if job.deadline is None:
                unplaced += job.weight * job.remaining
            else:
                missed += job.weight
                tardy += job.weight * max(0, horizon_end - job.deadline)
            continue
        if job.deadline is not None and finish > job.deadline:
            missed += job.weight
            tardy += job.weight * (finish - job.deadline)
        spans = placement.blocks.get(j, [])
        if not spans:
            continue
        # Important work early (one point per weight-day); then few splits, kinds in windows.
        early += job.weight * ((spans[0][0] - first) // 1440)
        pref += 30 * (len(spans) - 1)
        if job.kind in kinds:
            inside = sum(b - a for s, e in spans for a, b in _clip(s, e, kinds[job.kind]))
            pref += job.remaining - inside
    return missed, tardy, unplaced, early, pref
