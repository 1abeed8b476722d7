"""`replan`: a new plan from `problem.now` that keeps the blocks nothing forces to move, and is
never worse than starting over.

Candidates: the plan that keeps the previous blocks of tasks planned wholly after today (as pins
for the solve); the fresh plan, `solve(problem)` with the same seed and iterations, built unless
the kept plan is perfect and moves nothing; and, when the fresh plan is better,
the plan that lets go of the kept blocks that stand in the way (of a late task, or of heavier
work without a deadline that was left out). The best by (missed weight, weighted tardiness,
weighted unplaced minutes, blocks moved) wins, so a re-plan is never worse than a fresh build
from the same moment.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from devday.planning.solver.model import Block, PinnedBlock, Plan, Problem, Task
from devday.planning.solver.solve import REPLAN_BUDGET_MS, solve
from devday.planning.solver.timeline import free_intervals, local_minute, to_minute

# The plans that keep blocks place few tasks, around pins: a short search is enough for them.
KEPT_ITERATIONS = 2


def blocks_moved(previous: Plan, plan: Plan, *, since: datetime | None = None) -> int:
    """How many blocks of `previous` (those starting at or after `since`, when given) are not in
    `plan` with the same task, start and end."""
    present = {(b.task_id, b.start, b.end) for b in plan.blocks}
    return sum(
        1
        for b in previous.blocks
        if (since is None or b.start >= since) and (b.task_id, b.start, b.end) not in present
    )


def replan(
    problem: Problem,
    previous: Plan,
    *,
    time_budget_ms: int = REPLAN_BUDGET_MS,
    seed: int = 0,
    iterations: int | None = None,
) -> Plan:
    """Re-plan from `problem.now` (after an overrun, a new task, a finished one...).

    Keeps the problem's pinned blocks. Tasks whose previous blocks all lie after today (local)
    and still fit keep them, unless that makes the plan worse than `solve(problem, seed=seed,
    iterations=iterations)`, which it builds unless the kept plan misses nothing, is late
    nowhere, leaves nothing out and moves nothing. The best plan on (missed weight, weighted
    tardiness, weighted unplaced minutes) wins, compared in that order, so it never misses more
    deadline weight than the fresh plan, nor, missing as much, runs later; among equal plans,
    the one that moves the fewest of `previous`'s blocks (counted from `problem.now`, see
    `blocks_moved`). Goals (tasks with `first_rank`) are never held back by kept blocks:
    nothing is kept on a goal's day from its earliest start on.

    `time_budget_ms` is the wall-clock cap (see `solve`): the plans that keep blocks share it,
    and the fresh plan gets all of it, as a fresh build does.
    """
    stop = time.perf_counter() + time_budget_ms / 1000

    def left() -> int:
        return max(1, round((stop - time.perf_counter()) * 1000))

    kept_iterations = KEPT_ITERATIONS if iterations is None else iterations

    def keeping(keep: list[PinnedBlock]) -> Plan | None:
        plan = solve(
            replace(problem, pinned=problem.pinned + tuple(keep)),
            time_budget_ms=left(),
            seed=seed,
            iterations=kept_iterations,
        )
        kept = {b.task_id for b in keep}
        return _own_reasons(plan, previous, kept) if _kept_in_order(problem, plan, kept) else None

    since = problem.now
    keep = _keepable(problem, previous)
    stable = keeping(keep) if keep else None
    if (
        stable is not None
        and _cost(stable) == (0, 0, 0)
        and blocks_moved(previous, stable, since=since) == 0
    ):
        return stable  # nothing can beat it
    # The fresh plan gets the whole cap, as a fresh build does: it must be that plan.
    fresh = solve(problem, time_budget_ms=time_budget_ms, seed=seed, iterations=iterations)
    if stable is None:
        return fresh
    candidates = [stable, fresh]
    if _cost(fresh) < _cost(stable):
        # Keeping everything costs something against starting over: let go of just enough kept
        # work before each late task's deadline; when that frees nothing, of everything kept
        # before where the late tasks finish.
        fewer = _room_for_the_late(problem, stable, keep, until_finish=False)
        if len(fewer) == len(keep):
            fewer = _room_for_the_late(problem, stable, keep, until_finish=True)
        if fewer and len(fewer) < len(keep) and (middle := keeping(fewer)) is not None:
            candidates.append(middle)
    return min(
        candidates, key=lambda plan: (*_cost(plan), blocks_moved(previous, plan, since=since))
    )


def _own_reasons(plan: Plan, previous: Plan, kept: set[str]) -> Plan:
    """A kept task that is late was solved as pinned work; its reason is the one the previous
    plan gave (the same blocks, the same deadline), not "its pinned blocks end after it"."""
    before = {x.task_id: x.reason for x in previous.late}
    if not any(x.task_id in kept and x.task_id in before for x in plan.late):
        return plan
    late = tuple(
        replace(x, reason=before[x.task_id]) if x.task_id in kept and x.task_id in before else x
        for x in plan.late
    )
    return replace(plan, late=late)


def _cost(plan: Plan) -> tuple[int, int, int]:
    return (
        plan.missed_deadline_weight,
        plan.weighted_tardiness_minutes,
        plan.unplaced_weighted_minutes,
    )


def _room_for_the_late(
    problem: Problem, plan: Plan, keep: list[PinnedBlock], *, until_finish: bool
) -> list[PinnedBlock]:
    """`keep` without the kept tasks that stand in the way of the tasks that were not kept.

    For each such task that misses its deadline: by default just enough kept work before that
    deadline to make room for its work after the deadline (all of its work if it is
    unscheduled), the work with the most slack first (no deadline, then the latest deadline,
    the lightest, the latest); `until_finish`: every kept task that starts before the latest
    finish (or deadline) of those tasks, and everything when one of them is unscheduled. And
    when work without a deadline that was not kept is left out: the lighter kept tasks without
    a deadline, latest first, until they free as many minutes."""
    tasks = {t.id: t for t in problem.tasks}
    mine: dict[str, list[PinnedBlock]] = {}
    spans: dict[str, list[tuple[int, int]]] = {}  # kept blocks in epoch minutes
    for b in keep:
        mine.setdefault(b.task_id, []).append(b)
        spans.setdefault(b.task_id, []).append((to_minute(b.start), to_minute(b.end)))
    starts = {t: min(b.start for b in blocks) for t, blocks in mine.items()}
    dropped: set[str] = set()
    late = [x for x in plan.late if x.task_id not in mine]
    if late and until_finish:
        if any(x.finish is None for x in late):
            return []
        limit = max(max(x.deadline, x.finish or x.deadline) for x in late)
        dropped |= {t for t, start in starts.items() if start < limit}
    elif late:
        after: dict[str, int] = {}  # each late task's planned minutes after its deadline
        deadlines = {x.task_id: to_minute(x.deadline) for x in late}
        for block in plan.blocks:
            due = deadlines.get(block.task_id)
            if due is not None and to_minute(block.end) > due:
                minutes = to_minute(block.end) - max(to_minute(block.start), due)
                after[block.task_id] = after.get(block.task_id, 0) + minutes
        # The work with the most slack first: no deadline, then the latest, the lightest, the
        # latest to start.
        slack = sorted(
            mine,
            key=lambda t: (
                tasks[t].deadline is not None,
                -(tasks[t].deadline or problem.now).timestamp(),
                tasks[t].weight,
                -starts[t].timestamp(),
            ),
        )
        for x in sorted(late, key=lambda x: x.deadline):
            due = deadlines[x.task_id]
            # Its work after the deadline (all of it, unscheduled) must find room before it.
            need = after.get(x.task_id, 0)
            if x.finish is None:
                need = tasks[x.task_id].estimate_minutes
            for t in slack:
                if need <= 0:
                    break
                if t in dropped or not _later(tasks[t], x.deadline):
                    continue
                before = sum(max(0, min(e, due) - s) for s, e in spans[t])
                if before > 0:
                    dropped.add(t)
                    need -= before
    left_out = [
        tasks[u.task_id]
        for u in plan.unscheduled
        if u.task_id not in mine and tasks[u.task_id].deadline is None
    ]
    if left_out:
        heaviest = max(t.weight for t in left_out)
        need = sum(t.estimate_minutes for t in left_out if t.weight == heaviest)
        lighter = sorted(
            (
                t
                for t in mine
                if t not in dropped and tasks[t].deadline is None and tasks[t].weight < heaviest
            ),
            key=lambda t: starts[t],
            reverse=True,
        )
        for t in lighter:
            if need <= 0:
                break
            dropped.add(t)
            need -= tasks[t].estimate_minutes
    return [b for b in keep if b.task_id not in dropped]


def _later(task: Task, deadline: datetime) -> bool:
    """Whether `task` can give up time before `deadline`: it has none, or a later one."""
    return task.deadline is None or task.deadline > deadline


def _keepable(problem: Problem, previous: Plan) -> list[PinnedBlock]:
    """The previous blocks of tasks planned wholly after today that still fit, as pins; none
    of a goal, nor of a task with a block on a goal's day from the goal's earliest start on."""
    zone = ZoneInfo(problem.timezone)
    today = problem.now.astimezone(zone).date()
    tomorrow = local_minute(today + timedelta(days=1), 0, zone)
    free = free_intervals(problem)
    free_starts = [a for a, _ in free]
    pinned_ids = {p.task_id for p in problem.pinned}
    goal_windows = []
    for t in problem.tasks:
        if t.first_rank is not None:
            begin = max(problem.now, t.earliest_start or problem.now)
            day = begin.astimezone(zone).date()
            goal_windows.append((to_minute(begin), local_minute(day + timedelta(days=1), 0, zone)))
    by_task: dict[str, list[Block]] = {}
    for b in previous.blocks:
        by_task.setdefault(b.task_id, []).append(b)

    def fits(start: int, end: int) -> bool:
        at = bisect_right(free_starts, start) - 1
        return at >= 0 and free[at][0] <= start and end <= free[at][1]

    def in_goal_time(start: int) -> bool:
        return any(a <= start < b for a, b in goal_windows)

    keep: list[PinnedBlock] = []
    for task in problem.tasks:
        mine = by_task.get(task.id, [])
        if not mine or task.id in pinned_ids or task.first_rank is not None:
            continue
        spans = [(to_minute(b.start), to_minute(b.end)) for b in mine]
        total = sum(e - s for s, e in spans)
        chunk = min(task.min_chunk_minutes, task.estimate_minutes)
        if (
            total == task.estimate_minutes
            and min(s for s, _ in spans) >= tomorrow
            and (task.splittable or len(spans) == 1)
            and all(e - s >= chunk and fits(s, e) and not in_goal_time(s) for s, e in spans)
        ):
            keep += [PinnedBlock(b.task_id, b.start, b.end) for b in mine]
    return keep


def _kept_in_order(problem: Problem, plan: Plan, kept: set[str]) -> bool:
    """Whether the kept tasks still start after their earliest start and after everything they
    depend on has finished in `plan`: the rules a block kept from before could now break (the
    solver keeps every other rule around pins)."""
    unscheduled = {u.task_id for u in plan.unscheduled}
    starts: dict[str, datetime] = {}
    ends: dict[str, datetime] = {}
    for b in plan.blocks:
        starts[b.task_id] = min(starts.get(b.task_id, b.start), b.start)
        ends[b.task_id] = max(ends.get(b.task_id, b.end), b.end)
    for task in problem.tasks:
        if task.id not in kept:
            continue
        start = starts[task.id]
        if task.earliest_start is not None and start < task.earliest_start:
            return False
        for dep in task.depends_on:
            if dep in unscheduled or (dep in ends and ends[dep] > start):
                return False
    return True
