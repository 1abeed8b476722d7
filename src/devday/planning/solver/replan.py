"""`replan`: a new plan from `problem.now` that keeps the blocks nothing forces to move, and is
never worse than starting over.

Candidates: the plan that keeps the previous blocks of tasks planned wholly after today (as pins
for the solve); the same with the kept blocks that stand in the way of a late task (or of heavier
work without a deadline that was left out) let go; and the fresh plan, `solve(problem)` with the
same seed and iterations. The fresh plan is built whenever the kept plan misses a deadline, runs
late or leaves work out; a kept plan then counts only if it misses no more weight and runs no later
than the fresh one, and the best by (missed weight, weighted tardiness, weighted unplaced minutes,
blocks moved) wins. So a re-plan is never worse than a fresh build from the same moment.
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
    and still fit keep them, unless that makes the plan worse: it never misses more deadline
    weight, and never has more weighted tardiness, than `solve(problem, seed=seed,
    iterations=iterations)`, which it builds whenever the kept plan misses a deadline, runs late
    or leaves work out. Of the plans that pass, the best on (missed weight, weighted tardiness,
    weighted unplaced minutes) wins, and among equal ones the one that moves the fewest of
    `previous`'s blocks (counted from `problem.now`, see `blocks_moved`). Goals (tasks with
    `first_rank`) are never held back by kept blocks: nothing is kept on a goal's day from its
    earliest start on. `time_budget_ms` caps the wall time of all of it (see `solve`).
    """
    stop = time.perf_counter() + time_budget_ms / 1000

    def left() -> int:
        return max(1, round((stop - time.perf_counter()) * 1000))

    keep = _keepable(problem, previous)
    candidates: list[Plan] = []
    # First let go of just enough kept work before each late task's deadline; then, if tasks are
    # still late (or that freed nothing), of everything kept before where they finish.
    steps = iter((False, True))
    while keep:
        stable = solve(
            replace(problem, pinned=problem.pinned + tuple(keep)),
            time_budget_ms=left(),
            seed=seed,
            iterations=iterations,
        )
        if not _kept_in_order(problem, stable, {b.task_id for b in keep}):
            break
        candidates.append(stable)
        if _cost(stable) == (0, 0, 0):
            return stable
        fewer = keep
        for until_finish in steps:
            fewer = _room_for_the_late(problem, stable, keep, until_finish=until_finish)
            if len(fewer) < len(keep):
                break
        if len(fewer) == len(keep):
            break
        keep = fewer
    fresh = solve(problem, time_budget_ms=left(), seed=seed, iterations=iterations)
    # Never worse than starting over on either term: a kept plan must miss no more weight AND run
    # no later than the fresh one (lexicographically better is not enough).
    fair = [
        plan
        for plan in candidates
        if plan.missed_deadline_weight <= fresh.missed_deadline_weight
        and plan.weighted_tardiness_minutes <= fresh.weighted_tardiness_minutes
    ]
    since = problem.now
    return min(
        [*fair, fresh], key=lambda plan: (*_cost(plan), blocks_moved(previous, plan, since=since))
    )


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
    for b in keep:
        mine.setdefault(b.task_id, []).append(b)
    starts = {t: min(b.start for b in blocks) for t, blocks in mine.items()}
    dropped: set[str] = set()
    late = [x for x in plan.late if x.task_id not in mine]
    if late and until_finish:
        if any(x.finish is None for x in late):
            return []
        limit = max(max(x.deadline, x.finish or x.deadline) for x in late)
        dropped |= {t for t, start in starts.items() if start < limit}
    elif late:
        for x in sorted(late, key=lambda x: x.deadline):
            due = to_minute(x.deadline)
            # Its work after the deadline is what must find room before it.
            need = (
                tasks[x.task_id].estimate_minutes
                if x.finish is None
                else sum(
                    to_minute(b.end) - max(to_minute(b.start), due)
                    for b in plan.blocks
                    if b.task_id == x.task_id and b.end > x.deadline
                )
            )
            before = {
                t: sum(max(0, min(to_minute(b.end), due) - to_minute(b.start)) for b in blocks)
                for t, blocks in mine.items()
                if t not in dropped
            }
            slack = sorted(
                (t for t, m in before.items() if m > 0 and _later(tasks[t], x.deadline)),
                key=lambda t: (
                    tasks[t].deadline is not None,
                    -(tasks[t].deadline or x.deadline).timestamp(),
                    tasks[t].weight,
                    -starts[t].timestamp(),
                ),
            )
            for t in slack:
                if need <= 0:
                    break
                dropped.add(t)
                need -= before[t]
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
