"""Public entry points: `solve` and `replan`.

Pipeline: free time -> working-time axis -> exact core (lower bound and starting order) -> list
scheduler -> seeded local search on the order -> preference pass -> plan with reasons.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from devday.planning.solver.check import check_plan
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
# A re-plan answers a click in the day view: it searches for 10 ms (the exact core and the
# constructive schedule come first, so a short search still keeps every rule).
REPLAN_BUDGET_MS = 10


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
    and still fit keep those blocks, unless keeping them would worsen the missed weight or the
    weighted tardiness compared with a fresh plan: then a deadline forces the move.
    """
    fresh = solve(problem, time_budget_ms=time_budget_ms // 2, seed=seed)
    zone = ZoneInfo(problem.timezone)
    today = problem.now.astimezone(zone).date()
    tomorrow = local_minute(today + timedelta(days=1), 0, zone)
    free = free_intervals(problem)
    pinned_ids = {p.task_id for p in problem.pinned}
    by_task: dict[str, list[Block]] = {}
    for b in previous.blocks:
        by_task.setdefault(b.task_id, []).append(b)
    keep: list[PinnedBlock] = []
    for task in problem.tasks:
        mine = by_task.get(task.id, [])
        if not mine or task.id in pinned_ids:
            continue
        spans = [(to_minute(b.start), to_minute(b.end)) for b in mine]
        total = sum(e - s for s, e in spans)
        fits = all(any(a <= s and e <= b for a, b in free) for s, e in spans)
        if total == task.estimate_minutes and fits and min(s for s, _ in spans) >= tomorrow:
            keep += [PinnedBlock(b.task_id, b.start, b.end) for b in mine]
    if not keep:
        return fresh
    stable = solve(
        replace(problem, pinned=problem.pinned + tuple(keep)),
        time_budget_ms=time_budget_ms // 2,
        seed=seed,
    )
    worse = (stable.missed_deadline_weight, stable.weighted_tardiness_minutes) > (
        fresh.missed_deadline_weight,
        fresh.weighted_tardiness_minutes,
    )
    if worse or check_plan(problem, stable):
        return fresh
    return stable
