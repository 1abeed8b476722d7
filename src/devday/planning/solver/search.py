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


def axis_due(jobs: Sequence[Job], axis: Axis) -> dict[int, int]:
    """Each open job's deadline on the axis (the horizon end without one; 0 if late anyway)."""
    limit = axis.length
    doomed = forced_late(jobs, axis)
    return {
        j.index: 0
        if j.index in doomed
        else (limit if j.deadline is None else min(limit, axis.position(j.deadline)))
        for j in jobs
        if j.remaining > 0
    }


def core_order(jobs: Sequence[Job], due: dict[int, int]) -> tuple[list[int], int, set[int]]:
    """(order, least missed weight of the open jobs, on-time set) from the Lawler-Moore core,
    for the axis deadlines `due` (see `axis_due`).

    On-time jobs come first in EDD order (ties: more important first), late ones after in WSPT
    order, which minimises their weighted tardiness when they are all past due anyway.
    """
    open_jobs = [j for j in jobs if j.remaining > 0]
    if not open_jobs:
        return [j.index for j in jobs], 0, set()
    d = [due[j.index] for j in open_jobs]
    core = lawler_moore([j.remaining for j in open_jobs], d, [j.weight for j in open_jobs])
    on_time = sorted(core.on_time, key=lambda k: (d[k], -open_jobs[k].weight, k))
    late = sorted(core.late, key=lambda k: (open_jobs[k].remaining / open_jobs[k].weight, d[k], k))
    order = [open_jobs[k].index for k in on_time + late]
    order += [j.index for j in jobs if j.remaining == 0]
    return order, core.late_weight, {open_jobs[k].index for k in on_time}


def tighten(
    evaluate: Evaluator,
    axis: Axis,
    due: dict[int, int],
    on_time: set[int],
    order: list[int],
    best: Placement,
    *,
    deadline: float,
    rounds: int = 4,
) -> tuple[list[int], Placement]:
    """Deadline tightening: a job the core counts on time but the placement makes late (lost to
    minimum chunks, unsplittable gaps or dependencies) gets its axis deadline moved earlier by
    its overshoot, and the core runs again. Keeps the best placement seen."""
    due = dict(due)
    placement = best
    for _ in range(rounds):
        changed = False
        for j in on_time:
            job = evaluate.jobs[j]
            finish = placement.finish.get(j)
            if job.deadline is None or (finish is not None and finish <= job.deadline):
                continue
            over = job.remaining if finish is None else axis.free_between(job.deadline, finish)
            due[j] = max(0, due[j] - max(over, 1))
            changed = True
        if not changed or time.perf_counter() >= deadline:
            break
        cand, _, on_time = core_order(evaluate.jobs, due)
        placement = evaluate(cand)
        if placement.score < best.score:
            order, best = cand, placement
    return order, best


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
    stale = cursor = 0
    while time.perf_counter() < deadline and n > 1 and best.score[:2] > lower_bound:
        jobs = evaluate.jobs
        late = [j for j in order if _misses(jobs[j], best)]
        moves: list[tuple[str, int, int]] = []
        # Late jobs by weight, a few per round, rotating so every late job gets its turn.
        late.sort(key=lambda k: -jobs[k].weight)
        for k in range(min(4, len(late))):
            j = late[(cursor + k) % len(late)]
            pos = order.index(j)
            deadline_j = jobs[j].deadline
            due = -1 if deadline_j is None else deadline_j
            target = next(
                (x for x, other in enumerate(order) if best.finish.get(other, 1 << 62) > due), 0
            )
            for to in sorted({target, target - 1, target // 2, 0}, reverse=True):
                if 0 <= to < pos:
                    moves.append(("insert", pos, to))
            if target < pos:
                moves.append(("swap", pos, target))
        cursor += 4
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


def _misses(job: Job, placement: Placement) -> bool:
    if job.index in placement.unscheduled:
        return True
    finish = placement.finish.get(job.index)
    return job.deadline is not None and finish is not None and finish > job.deadline


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
