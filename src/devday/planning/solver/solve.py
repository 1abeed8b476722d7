"""Public entry points: `solve` and `replan`.

Pipeline: free time -> working-time axis -> exact core (lower bound and starting order) -> list
scheduler -> seeded local search on the order -> preference pass -> plan with reasons.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from devday.planning.solver.explain import Explainer
from devday.planning.solver.model import (
    Block,
    LateTask,
    PinnedBlock,
    Plan,
    Problem,
    UnscheduledTask,
)
from devday.planning.solver.schedule import Job, Placement, build_jobs, kind_intervals
from devday.planning.solver.search import (
    Evaluator,
    axis_due,
    core_order,
    edd_order,
    improve,
    prefer_windows,
    tighten,
)
from devday.planning.solver.timeline import (
    Axis,
    free_intervals,
    horizon,
    local_minute,
    to_datetime,
    to_minute,
)

DEFAULT_BUDGET_MS = 150
# A re-plan answers a click in the day view: it searches for 6 ms in all, a third of it for the
# plan that keeps tomorrow's blocks and the rest for a fresh plan when one is needed (the exact
# core and the constructive schedule come first, so a short search still keeps every rule).
REPLAN_BUDGET_MS = 6


def lower_bound(problem: Problem) -> int:
    """Missed weight no plan can beat: the exact core on the working-time axis, with the tasks
    that are late in every plan fixed late. It is the optimum when every task is splittable down
    to the grid, with no dependencies and no earliest starts."""
    jobs = build_jobs(problem)
    axis = Axis.of(free_intervals(problem))
    _, bound, _ = core_order(jobs, axis_due(jobs, axis))
    return bound + _fixed_missed(jobs)


def _fixed_missed(jobs: list[Job]) -> int:
    # Fully pinned tasks are done: their lateness is already decided.
    return sum(
        j.weight
        for j in jobs
        if j.remaining == 0 and j.deadline is not None and (j.pinned_end or 0) > j.deadline
    )


def solve(problem: Problem, *, time_budget_ms: int = DEFAULT_BUDGET_MS, seed: int = 0) -> Plan:
    """Plan `problem`. The result always passes `check_plan`.

    Objective, lexicographic: missed-deadline weight, then weighted tardiness, then preferences.
    The search stops after about `time_budget_ms` (it is at least the time of one construction);
    for a given seed the moves tried are always the same.
    """
    started = time.perf_counter()
    stop = started + time_budget_ms / 1000
    jobs = build_jobs(problem)
    free = free_intervals(problem)
    axis = Axis.of(free)
    start, end = horizon(problem)
    kinds = kind_intervals(problem)
    evaluate = Evaluator(jobs, free, end, kinds)
    due = axis_due(jobs, axis)
    order, bound, on_time = core_order(jobs, due)
    bound += _fixed_missed(jobs)
    best_order, best = order, evaluate(order)
    alt_order = edd_order(jobs)
    alt = evaluate(alt_order)
    if alt.score < best.score:
        best_order, best = alt_order, alt
    # Three quarters of the budget for the objective, the rest for preferences.
    search_stop = started + (stop - started) * 0.75
    if best.score[0] > bound:
        best_order, best = tighten(
            evaluate, axis, due, on_time, best_order, best, deadline=search_stop
        )
    best_order, best = improve(
        evaluate,
        best_order,
        best,
        deadline=search_stop,
        seed=seed,
        lower_bound=(bound, 0),
        focus=on_time,
    )
    if kinds:
        best = prefer_windows(evaluate, best_order, best, deadline=stop)
    return build_plan(problem, jobs, best, axis, start, end)


def build_plan(
    problem: Problem, jobs: list[Job], placement: Placement, axis: Axis, start: int, end: int
) -> Plan:
    """Turn a placement into a `Plan`: blocks (pinned ones included), late list, reasons."""
    zone = ZoneInfo(problem.timezone)
    explainer = Explainer(jobs, placement, axis, zone, start, end)
    blocks = [
        Block(p.task_id, p.start.astimezone(zone), p.end.astimezone(zone)) for p in problem.pinned
    ]
    for j, spans in placement.blocks.items():
        blocks += [
            Block(jobs[j].task_id, to_datetime(s, zone), to_datetime(e, zone)) for s, e in spans
        ]
    blocks.sort(key=lambda b: (b.start, b.task_id))
    unscheduled = [
        UnscheduledTask(jobs[j].task_id, explainer.unscheduled(j, code))
        for j, code in sorted(placement.unscheduled.items())
    ]
    late = []
    for job, task in zip(jobs, problem.tasks, strict=True):
        if task.deadline is None or job.deadline is None:
            continue
        finish = placement.finish.get(job.index)
        if finish is None:
            reason = explainer.unscheduled(job.index, placement.unscheduled[job.index])
            late.append(LateTask(job.task_id, task.deadline.astimezone(zone), None, reason))
        elif finish > job.deadline:
            late.append(
                LateTask(
                    job.task_id,
                    task.deadline.astimezone(zone),
                    to_datetime(finish, zone),
                    explainer.late(job.index),
                )
            )
    missed, tardy, _ = placement.score
    return Plan(
        blocks=tuple(blocks),
        late=tuple(late),
        unscheduled=tuple(unscheduled),
        missed_deadline_weight=missed,
        weighted_tardiness_minutes=tardy,
    )


def replan(
    problem: Problem,
    previous: Plan,
    *,
    time_budget_ms: int = REPLAN_BUDGET_MS,
    seed: int = 0,
) -> Plan:
    """Re-plan from `problem.now` (after an overrun, or with a new urgent task).

    Keeps the problem's pinned blocks. Tasks whose previous blocks all lie after today (local)
    and still fit keep those blocks, unless a deadline forces a move: when keeping them leaves
    a task late, the kept blocks before its deadline are let go and the rest kept; if that still
    misses a deadline or runs late, the plan is compared with a fresh one, which wins only when
    it misses less weight or less weighted tardiness.
    """
    keep = _keepable(problem, previous)
    if not keep:
        return solve(problem, time_budget_ms=time_budget_ms, seed=seed)
    third = max(1, time_budget_ms // 3)
    best: Plan | None = None
    for _ in range(2):
        stable = solve(
            replace(problem, pinned=problem.pinned + tuple(keep)), time_budget_ms=third, seed=seed
        )
        if not _kept_in_order(problem, stable, {b.task_id for b in keep}):
            break
        if best is None or _cost(stable) < _cost(best):
            best = stable
        if _cost(stable) == (0, 0):
            return stable
        fewer = _room_for_the_late(stable, keep)
        if not fewer or len(fewer) == len(keep):
            break  # nothing kept, or the same pins again: the fresh plan is the other choice
        keep = fewer
    fresh = solve(problem, time_budget_ms=time_budget_ms - third, seed=seed)
    return fresh if best is None or _cost(fresh) < _cost(best) else best


def _cost(plan: Plan) -> tuple[int, int]:
    return plan.missed_deadline_weight, plan.weighted_tardiness_minutes


def _room_for_the_late(plan: Plan, keep: list[PinnedBlock]) -> list[PinnedBlock]:
    """`keep` without the blocks of tasks that start before the latest deadline a task placed
    around them misses; nothing when such a task could not be placed at all."""
    kept = {b.task_id for b in keep}
    if any(u.task_id not in kept for u in plan.unscheduled):
        return []
    late = [t.deadline for t in plan.late if t.task_id not in kept]
    if not late:
        return []
    limit = max(late)
    starts: dict[str, datetime] = {}
    for b in keep:
        starts[b.task_id] = min(starts.get(b.task_id, b.start), b.start)
    return [b for b in keep if starts[b.task_id] >= limit]


def _keepable(problem: Problem, previous: Plan) -> list[PinnedBlock]:
    """The previous blocks of tasks planned wholly after today that still fit, as pins."""
    zone = ZoneInfo(problem.timezone)
    today = problem.now.astimezone(zone).date()
    tomorrow = local_minute(today + timedelta(days=1), 0, zone)
    free = free_intervals(problem)
    free_starts = [a for a, _ in free]
    pinned_ids = {p.task_id for p in problem.pinned}
    by_task: dict[str, list[Block]] = {}
    for b in previous.blocks:
        by_task.setdefault(b.task_id, []).append(b)

    def fits(start: int, end: int) -> bool:
        at = bisect_right(free_starts, start) - 1
        return at >= 0 and free[at][0] <= start and end <= free[at][1]

    keep: list[PinnedBlock] = []
    for task in problem.tasks:
        mine = by_task.get(task.id, [])
        if not mine or task.id in pinned_ids:
            continue
        spans = [(to_minute(b.start), to_minute(b.end)) for b in mine]
        total = sum(e - s for s, e in spans)
        chunk = min(task.min_chunk_minutes, task.estimate_minutes)
        if (
            total == task.estimate_minutes
            and min(s for s, _ in spans) >= tomorrow
            and (task.splittable or len(spans) == 1)
            and all(e - s >= chunk and fits(s, e) for s, e in spans)
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
