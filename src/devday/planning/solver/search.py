"""Order search: start from the exact core's order, then improve it with seeded local search.

A candidate is a task order; the list scheduler turns it into a placement, and placements are
compared on their `Score`, lexicographically. The search is deterministic: its moves are seeded
and it stops on a count of evaluations (`Evaluator.limit`). The wall clock is only a cap
(`Evaluator.cap`, a `time.perf_counter` value) against a pathological case: as long as the cap
does not bind, one problem gives one plan, on a loaded machine as on an idle one.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Sequence

from devday.planning.solver.core import lawler_moore
from devday.planning.solver.schedule import Job, Placement, place, score, topological
from devday.planning.solver.timeline import Axis, Interval


class Evaluator:
    """Places an order and scores it; counts evaluations against a budget.

    `limit` is the evaluation count at which the search phases stop (the caller moves it for
    each phase); `cap` is a wall-clock safety net (a `time.perf_counter` value)."""

    def __init__(
        self,
        jobs: Sequence[Job],
        free: Sequence[Interval],
        horizon_end: int,
        kinds: dict[str, list[Interval]],
        *,
        limit: int = 1 << 62,
        cap: float = float("inf"),
    ) -> None:
        self.jobs, self.free, self.horizon_end, self.kinds = jobs, free, horizon_end, kinds
        self.count = 0
        self.limit = limit
        self.cap = cap
        # While `record` is on (the local search), placements keep a trace, and an order resumes
        # from the trace of the best placement seen; constructions do without.
        self.record = False
        self.best: Placement | None = None

    def __call__(
        self, order: Sequence[int], windows: dict[int, list[Interval]] | None = None
    ) -> Placement:
        self.count += 1
        resume = None if self.best is None else self.best.trace
        placement = place(
            self.jobs, order, self.free, windows=windows, resume=resume, record=self.record
        )
        placement.score = score(self.jobs, placement, self.horizon_end, self.kinds)
        if placement.trace is not None and (self.best is None or placement.score < self.best.score):
            self.best = placement
        return placement

    def spent(self) -> bool:
        """Whether the budget is used up (the count, or the wall-clock cap as a safety net)."""
        return self.count >= self.limit or time.perf_counter() >= self.cap

    def allow(self, evaluations: int) -> None:
        """Give the next phase `evaluations` more evaluations from now."""
        self.limit = self.count + max(0, evaluations)


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

    Only jobs with a deadline can miss, so only they enter the core. On-time jobs come first in
    EDD order (ties: more important first), late ones after in WSPT order, which minimises their
    weighted tardiness when they are all past due anyway; jobs without a deadline come last,
    heaviest first, filling what time is left (each minute of theirs is worth its weight).
    """
    dated = [j for j in jobs if j.remaining > 0 and j.deadline is not None]
    d = [due[j.index] for j in dated]
    core = lawler_moore([j.remaining for j in dated], d, [j.weight for j in dated])
    on_time = sorted(core.on_time, key=lambda k: (d[k], -dated[k].weight, k))
    late = sorted(core.late, key=lambda k: (dated[k].remaining / dated[k].weight, d[k], k))
    order = [dated[k].index for k in on_time + late]
    undated = [j for j in jobs if j.remaining > 0 and j.deadline is None]
    order += [j.index for j in sorted(undated, key=lambda j: (-j.weight, j.index))]
    order += [j.index for j in jobs if j.remaining == 0]
    return order, core.late_weight, {dated[k].index for k in on_time}


def tighten(
    evaluate: Evaluator,
    axis: Axis,
    due: dict[int, int],
    on_time: set[int],
    order: list[int],
    best: Placement,
    *,
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
        if not changed or evaluate.spent():
            break
        cand, _, on_time = core_order(evaluate.jobs, due)
        evaluate.count += 1  # the core costs about one evaluation: it counts against the budget
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
    # longest[k]: the longest free interval from the k-th on (for unsplittable jobs).
    longest = [0] * (len(axis.starts) + 1)
    for k in range(len(axis.starts) - 1, -1, -1):
        longest[k] = max(longest[k + 1], axis.ends[k] - axis.starts[k])

    def fits_whole(job: Job) -> bool:
        # The interval holding the release (cut there), or any later one whole.
        k = bisect.bisect_right(axis.starts, job.release)
        if longest[k] >= job.remaining:
            return True
        return k > 0 and axis.ends[k - 1] - max(axis.starts[k - 1], job.release) >= job.remaining

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
            or (not job.splittable and not fits_whole(job))
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
    seed: int = 0,
    lower_bound: int = 0,
    focus: set[int] | frozenset[int] = frozenset(),
) -> tuple[list[int], Placement]:
    """First-improvement local search with insert and swap moves, until the evaluator's budget
    is spent.

    `focus` (the exact core's on-time set) names the missed jobs to try first: the relaxation
    has room for them, so the placement lost them to gaps, chunks or dependencies. Jobs without
    a deadline that are left out get turns only when no job misses its deadline.

    Moves aimed at late or unscheduled jobs come first (pull a late job forward to where its
    deadline falls, swap it with an earlier job); random insert/swap moves follow. Stops early
    when the first three terms of the score reach (`lower_bound`, 0, 0), or after a long run
    without improvement.
    """
    rng = random.Random(seed)
    n = len(order)
    stale = cursor = 0
    jobs = evaluate.jobs
    evaluate.record = True
    while not evaluate.spent() and n > 1 and best.score[:3] > (lower_bound, 0, 0):
        # One missed job per round, heaviest first, rotating so every missed job gets its turn:
        # pull it to where its deadline falls, then give it a gap it fits in, then an ejection
        # chain, then trade it for a large job of no more weight; random insert/swap moves
        # follow.
        late = sorted(
            (j for j in order if _misses(jobs[j], best)),
            key=lambda k: (k not in focus, -jobs[k].weight),
        )
        lost = [k for k in late if k in focus]  # while there are any, only these get turns
        left_out = sorted(
            (j for j in best.unscheduled if jobs[j].deadline is None),
            key=lambda k: (-jobs[k].weight, k),
        )
        pool = lost or late or left_out
        moves: list[tuple[str, int, int]] = []
        j = pool[cursor % len(pool)] if pool else -1
        cursor += 1
        if pool:
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
            moves += slot_moves(evaluate, order, best, j, rng)
        improved = _first_better(evaluate, order, best, moves)
        if improved is None and pool and not evaluate.spent():
            improved = eject_chain(evaluate, order, best, j, rng)
        if improved is None and pool:
            improved = _first_better(evaluate, order, best, trade_moves(evaluate, order, best, j))
        if improved is None:
            randoms = []
            for _ in range(8):
                a, b = rng.randrange(n), rng.randrange(n)
                if a != b:
                    randoms.append((rng.choice(("insert", "swap")), a, b))
            improved = _first_better(evaluate, order, best, randoms)
        if improved is not None:
            order, best = improved
        stale = 0 if improved else stale + 1
        if stale > 2 * n + 20:
            break
    return order, best


def _first_better(
    evaluate: Evaluator,
    order: list[int],
    best: Placement,
    moves: list[tuple[str, int, int]],
) -> tuple[list[int], Placement] | None:
    """The first move that improves on `best`, applied, or None."""
    for move in moves:
        if evaluate.spent():
            return None
        cand = _moved(order, move)
        result = evaluate(cand)
        if result.score < best.score:
            return cand, result
    return None


def slot_moves(
    evaluate: Evaluator,
    order: list[int],
    best: Placement,
    j: int,
    rng: random.Random,
    *,
    limit: int = 4,
) -> list[tuple[str, int, int]]:
    """Insert moves that give a missed job a free interval it fits in: for a few (seeded choice)
    of the free intervals that could take its smallest piece before its deadline (any, when it
    is unscheduled), move it just before the first job, in the order, that has work there.

    This is what unsplittable work and minimum chunks need: a whole gap, not just enough free
    minutes before the deadline, so the job must come before whoever fragments that gap."""
    job = evaluate.jobs[j]
    if job.remaining == 0:
        return []
    piece = job.min_chunk if job.splittable else job.remaining
    due = evaluate.horizon_end
    if j not in best.unscheduled and job.deadline is not None:
        due = job.deadline
    where = {k: x for x, k in enumerate(order)}
    pos = where[j]
    spans = sorted((s, where[k]) for k, blocks in best.blocks.items() for s, _ in blocks)
    starts = [s for s, _ in spans]
    targets: set[int] = set()
    for a, b in evaluate.free:
        a = max(a, job.release)
        if b - a < piece or a + piece > due:
            continue
        lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        target = min((x for _, x in spans[lo:hi]), default=pos)
        if target < pos:
            targets.add(target)
    chosen = sorted(targets)
    if len(chosen) > limit:
        chosen = sorted(rng.sample(chosen, limit))
    return [("insert", pos, target) for target in reversed(chosen)]


def trade_moves(
    evaluate: Evaluator, order: list[int], best: Placement, j: int, *, limit: int = 2
) -> list[tuple[str, int, int]]:
    """Trade moves for a missed job j: the largest on-time jobs of no more weight that come
    before it each give up their place to j and go to the end of the order, where they take what
    time is left. One large job missed instead of j (or of j and another) frees the room."""
    jobs = evaluate.jobs
    job = jobs[j]
    pos = order.index(j)
    donors = sorted(
        (
            k
            for k in order[:pos]
            if jobs[k].weight <= job.weight
            and jobs[k].remaining > 0
            and k in best.blocks
            and not _misses(jobs[k], best)
        ),
        key=lambda k: -jobs[k].remaining,
    )
    return [("trade", pos, order.index(k)) for k in donors[:limit]]


def _moved(order: list[int], move: tuple[str, int, int]) -> list[int]:
    kind, a, b = move
    cand = order.copy()
    if kind == "swap":
        cand[a], cand[b] = cand[b], cand[a]
    elif kind == "trade":  # a takes b's place, b goes last
        taker, giver = cand[a], cand[b]
        cand[b] = taker
        del cand[a]
        cand.append(giver)
    else:
        cand.insert(b, cand.pop(a))
    return cand


def eject_chain(
    evaluate: Evaluator,
    order: list[int],
    best: Placement,
    j: int,
    rng: random.Random,
    *,
    width: int = 3,
) -> tuple[list[int], Placement] | None:
    """A two-step ejection chain for a missed job j: give j a gap (`slot_moves`), and when that
    pushes other jobs out of theirs, give each of the (two heaviest) newly missed jobs a gap in
    turn. Returns the first chain that improves on `best`, or None."""
    jobs = evaluate.jobs
    missed = {k for k in order if _misses(jobs[k], best)}
    for move in slot_moves(evaluate, order, best, j, rng, limit=width):
        if evaluate.spent():
            return None
        first = _moved(order, move)
        result = evaluate(first)
        if result.score < best.score:
            return first, result
        pushed = sorted(
            (k for k in first if k not in missed and _misses(jobs[k], result)),
            key=lambda k: -jobs[k].weight,
        )
        for k in pushed[:2]:
            for second_move in slot_moves(evaluate, first, result, k, rng, limit=width):
                if evaluate.spent():
                    return None
                second = _moved(first, second_move)
                again = evaluate(second)
                if again.score < best.score:
                    return second, again
    return None


def _misses(job: Job, placement: Placement) -> bool:
    """Whether a job with a deadline is late or unscheduled (a job without one cannot miss)."""
    if job.deadline is None:
        return False
    finish = placement.finish.get(job.index)
    return finish is None or finish > job.deadline


def prefer_windows(
    evaluate: Evaluator,
    order: list[int],
    best: Placement,
) -> Placement:
    """Preference pass, within the evaluator's budget: move each job with a kind window into its
    window where that keeps the terms before the preferences no worse (the score is
    lexicographic). Goals keep their place (see `goals`)."""
    windows: dict[int, list[Interval]] = {}
    for j in order:
        job = evaluate.jobs[j]
        if evaluate.spent():
            break
        if job.kind not in evaluate.kinds or j not in best.blocks or job.rank is not None:
            continue
        trial = {**windows, j: evaluate.kinds[job.kind]}
        result = evaluate(order, trial)
        if result.score < best.score:
            windows, best = trial, result
    return best
