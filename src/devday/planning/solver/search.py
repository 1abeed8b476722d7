"""Order search: start from the exact core's order, then improve it with seeded local search.

A candidate is a task order; the list scheduler turns it into a placement, and placements are
compared on (missed weight, weighted tardiness, preference penalty), lexicographically. The
search is deterministic for a given amount of work (seeded moves, no wall-clock randomness);
`deadline` (a `time.perf_counter` value) only decides when it stops.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from devday.planning.solver.core import lawler_moore
from devday.planning.solver.schedule import Job, Placement, place, score, topological
from devday.planning.solver.timeline import Axis, Interval


class Evaluator:
    """Places an order and scores it; counts evaluations."""

    def __init__(
        self,
        jobs: Sequence[Job],
        free: Sequence[Interval],
        horizon_end: int,
        kinds: dict[str, list[Interval]],
    ) -> None:
        self.jobs, self.free, self.horizon_end, self.kinds = jobs, free, horizon_end, kinds
        self.count = 0

    def __call__(
        self, order: Sequence[int], windows: dict[int, list[Interval]] | None = None
    ) -> Placement:
        self.count += 1
        placement = place(self.jobs, order, self.free, windows=windows)
        placement.score = score(self.jobs, placement, self.horizon_end, self.kinds)
        return placement


def core_order(jobs: Sequence[Job], axis: Axis) -> tuple[list[int], int]:
    """(order, lower bound on the missed weight of the open jobs) from the Lawler-Moore core.

    On-time jobs come first in EDD order (ties: more important first), late ones after in WSPT
    order, which minimises their weighted tardiness when they are all past due anyway.
    """
    open_jobs = [j for j in jobs if j.remaining > 0]
    if not open_jobs:
        return [], 0
    limit = axis.length
    doomed = forced_late(jobs, axis)
    due = []
    for j in open_jobs:
        d = limit if j.deadline is None else min(limit, axis.position(j.deadline))
        if j.index in doomed:
            d = 0
        due.append(d)
    core = lawler_moore([j.remaining for j in open_jobs], due, [j.weight for j in open_jobs])
    on_time = sorted(core.on_time, key=lambda k: (due[k], -open_jobs[k].weight, k))
    late = sorted(
        core.late, key=lambda k: (open_jobs[k].remaining / open_jobs[k].weight, due[k], k)
    )
    order = [open_jobs[k].index for k in on_time + late]
    return order + [j.index for j in jobs if j.remaining == 0], core.late_weight


def forced_late(jobs: Sequence[Job], axis: Axis) -> set[int]:
    """Jobs that miss in every plan: already late through pinned blocks, unable to finish by
    their deadline even alone (earliest start, dependency chain), unsplittable and longer than
    every free interval, or depending on such a job. Excluding them keeps the core a valid
    lower bound and makes it tighter."""
    limit = axis.length
    earliest: dict[int, int] = {}  # earliest finish on the axis, ignoring other work
    doomed: set[int] = set()
    impossible: set[int] = set()  # can never be placed, so neither can its dependents
    for i in topological(range(len(jobs)), jobs):
        job = jobs[i]
        pinned_late = job.deadline is not None and (job.pinned_end or 0) > job.deadline
        if job.remaining == 0:
            earliest[i] = axis.position(job.pinned_end or 0)
            if pinned_late:
                doomed.add(i)
            continue
        start = max([axis.position(job.release), *(earliest[d] for d in job.deps)])
        earliest[i] = start + job.remaining
        due = limit if job.deadline is None else min(limit, axis.position(job.deadline))
        if (
            earliest[i] > limit
            or any(d in impossible for d in job.deps)
            or (
                not job.splittable
                and not any(
                    e - max(s, job.release) >= job.remaining
                    for s, e in zip(axis.starts, axis.ends, strict=True)
                )
            )
        ):
            impossible.add(i)
        if pinned_late or earliest[i] > due or i in impossible:
            doomed.add(i)
    return doomed


def edd_order(jobs: Sequence[Job]) -> list[int]:
    """Plain earliest-deadline order, ties by weight; jobs without a deadline last."""
    far = 1 << 62
    return sorted(
        range(len(jobs)),
        key=lambda i: (jobs[i].deadline if jobs[i].deadline is not None else far, -jobs[i].weight),
    )


def improve(
    evaluate: Evaluator,
    order: list[int],
    best: Placement,
    *,
    deadline: float,
    seed: int = 0,
    lower_bound: tuple[int, int] = (0, 0),
) -> tuple[list[int], Placement]:
    """First-improvement local search with insert and swap moves, until `deadline`.

    Moves aimed at late or unscheduled jobs come first (pull a late job forward to where its
    deadline falls, swap it with an earlier job); random insert/swap moves follow. Stops early at
    `lower_bound` or after a long run without improvement.
    """
    rng = random.Random(seed)
    n = len(order)
    stale = 0
    while time.perf_counter() < deadline and n > 1 and best.score[:2] > lower_bound:
        jobs = evaluate.jobs
        late = [
            j
            for j in order
            if j in best.unscheduled
            or (jobs[j].deadline is not None and best.finish.get(j, 0) > (jobs[j].deadline or 0))
        ]
        moves: list[tuple[str, int, int]] = []
        for j in sorted(late, key=lambda k: -jobs[k].weight)[:8]:
            pos = order.index(j)
            target = next(
                (
                    k
                    for k, other in enumerate(order)
                    if best.finish.get(other, 1 << 62) > (jobs[j].deadline or 0)
                ),
                0,
            )
            if target < pos:
                moves.append(("insert", pos, target))
                moves.append(("insert", pos, max(0, target - 1)))
                moves.append(("swap", pos, target))
        for _ in range(8):
            a, b = rng.randrange(n), rng.randrange(n)
            if a != b:
                moves.append((rng.choice(("insert", "swap")), a, b))
        improved = False
        for kind, a, b in moves:
            if time.perf_counter() >= deadline:
                break
            cand = order.copy()
            if kind == "swap":
                cand[a], cand[b] = cand[b], cand[a]
            else:
                cand.insert(b, cand.pop(a))
            result = evaluate(cand)
            if result.score < best.score:
                order, best, improved = cand, result, True
                break
        stale = 0 if improved else stale + 1
        if stale > 2 * n + 20:
            break
    return order, best


def prefer_windows(
    evaluate: Evaluator,
    order: list[int],
    best: Placement,
    *,
    deadline: float,
) -> Placement:
    """Preference pass: move each job with a kind window into its window where that keeps the
    missed weight and weighted tardiness no worse (the score is lexicographic)."""
    windows: dict[int, list[Interval]] = {}
    for j in order:
        job = evaluate.jobs[j]
        if time.perf_counter() >= deadline:
            break
        if job.kind not in evaluate.kinds or j not in best.blocks:
            continue
        trial = {**windows, j: evaluate.kinds[job.kind]}
        result = evaluate(order, trial)
        if result.score < best.score:
            windows, best = trial, result
    return best
