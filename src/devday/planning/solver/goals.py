"""Goals first: tasks with a `first_rank` (the evening reflection's goals for a day) are the first
new work from their earliest start, in rank order, unless a deadline needs that time.

Works on the order the search found: each goal, in rank order, moves to the front (just after the
goal before it), and when that would make the missed weight or the weighted tardiness worse than
the plan without goals first, to the earliest place in the order where it does not. The jobs it
then comes after are the ones whose deadlines need the time; `reasons` names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from devday.planning.solver.explain import when
from devday.planning.solver.schedule import Job, Placement
from devday.planning.solver.search import Evaluator


def goal_allowance(jobs: Sequence[Job]) -> int:
    """Evaluations the goal pass may need: a binary search over the order per goal."""
    goals = sum(1 for j in jobs if j.rank is not None and j.remaining > 0)
    return goals * (len(jobs).bit_length() + 2)


def goals_first(
    evaluate: Evaluator, order: list[int], best: Placement
) -> tuple[list[int], Placement, dict[int, tuple[int, ...]]]:
    """(order, placement, ahead): the order with every goal as early as the deadlines allow, and
    for each goal that could not go first, the jobs that had to go before it (or before a goal
    ranked above it) in the order.

    The first two terms of the score (missed weight, weighted tardiness) never get worse than
    `best`'s; the others may, since a goal comes before work without a deadline."""
    jobs = evaluate.jobs
    goals = sorted(
        (j for j in order if jobs[j].rank is not None and jobs[j].remaining > 0),
        key=lambda j: (jobs[j].rank, j),
    )
    limit = (best.score[0], best.score[1])
    ahead: dict[int, tuple[int, ...]] = {}
    forced: list[int] = []  # jobs that had to go before a goal, and so before the later ones
    front = 0  # the first place the next goal may take: after the goals already placed
    for g in goals:
        pos = order.index(g)
        rest = order[:pos] + order[pos + 1 :]
        lo = min(front, pos)
        cand = _at(rest, lo, g)
        result = evaluate(cand)
        if _kept(result, limit):
            order, best, front = cand, result, lo + 1
            if forced:
                ahead[g] = tuple(forced)
            continue
        # Binary search for the earliest place that keeps the deadlines; `pos` (where the search
        # left the goal) always does, and only a place that was tried and kept is taken.
        good, good_result = pos, best
        left, right = lo + 1, pos
        while left < right and not evaluate.spent():
            mid = (left + right) // 2
            trial = evaluate(_at(rest, mid, g))
            if _kept(trial, limit):
                good, good_result, right = mid, trial, mid
            else:
                left = mid + 1
        if good != pos:
            order, best = _at(rest, good, g), good_result
        forced += rest[lo:good]
        ahead[g] = tuple(forced)
        front = good + 1
    return order, best, ahead


def reasons(
    jobs: Sequence[Job],
    placement: Placement,
    ahead: dict[int, tuple[int, ...]],
    zone: ZoneInfo,
    now: int,
) -> dict[int, str]:
    """Why each goal in `ahead` is not the first work from its earliest start: the jobs with a
    deadline that the plan puts before it, in that time."""
    out: dict[int, str] = {}
    for g, before in ahead.items():
        spans = placement.blocks.get(g)
        if not spans:
            continue  # unscheduled: the plan's unscheduled reason says why
        start = spans[0][0]
        release = jobs[g].release
        needing = [
            k
            for k in before
            if jobs[k].deadline is not None
            and any(release <= s < start for s, _ in placement.blocks.get(k, []))
        ]
        if not needing:
            # Nothing with a deadline sits in that time: the goal still starts at its place.
            if all(
                not any(release <= s < start for s, _ in placement.blocks.get(k, []))
                for k in before
            ):
                continue
            out[g] = (
                f"starts {when(start, zone, now)}, after work that must come first for the "
                "deadlines to be kept"
            )
            continue
        needing.sort(key=lambda k: (jobs[k].deadline or 0, k))
        shown = [
            f"'{jobs[k].title}' (due {when(jobs[k].deadline or 0, zone, now)})" for k in needing
        ]
        if len(shown) > 3:
            listed = ", ".join(shown[:3]) + f" and {len(shown) - 3} more"
        else:
            listed = _join(shown)
        verb = "needs" if len(needing) == 1 else "need"
        out[g] = (
            f"starts {when(start, zone, now)}, after {listed}, which {verb} the time before it "
            "to finish on time"
        )
    return out


def _kept(placement: Placement, limit: tuple[int, int]) -> bool:
    """No more missed weight and no more weighted tardiness than `limit`, each on its own."""
    return placement.score[0] <= limit[0] and placement.score[1] <= limit[1]


def _at(rest: list[int], place: int, g: int) -> list[int]:
    return [*rest[:place], g, *rest[place:]]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
