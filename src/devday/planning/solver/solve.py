"""Public entry points: `solve` and `lower_bound` (`replan` is in `replan`).

Pipeline: free time -> working-time axis -> exact core (lower bound and starting order) -> list
scheduler -> seeded local search on the order (a count of evaluations) -> goals first ->
preference pass -> plan with reasons.
"""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from devday.planning.solver.explain import Explainer
from devday.planning.solver.goals import goal_allowance, goals_first, reasons
from devday.planning.solver.model import (
    Block,
    DeferredTask,
    LateTask,
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
from devday.planning.solver.timeline import Axis, free_intervals, horizon, to_datetime

# The search stops on a count of evaluations, so one problem gives one plan; the wall-clock budget
# is only a cap, for a case the count was not sized for (see `default_iterations`).
DEFAULT_BUDGET_MS = 1000
# The same cap for a re-plan: the fresh plan it compares with must be the one `solve` gives.
REPLAN_BUDGET_MS = DEFAULT_BUDGET_MS
# Default search size for n tasks: SEARCH_SCALE / n^2 evaluations, within limits.
SEARCH_SCALE = 150_000
SEARCH_MOST = 100
SEARCH_LEAST = 6


def default_iterations(tasks: int) -> int:
    """The default search budget, in evaluations, for a problem with `tasks` tasks.

    An evaluation lays out every task, so its cost grows with n; the count falls with n^2 so
    that a small problem gets a thorough search (100 evaluations up to 38 tasks, 60 at 50) and
    a large one little more than its construction (the floor of 6 from about 150 tasks on), which
    keeps a plan of 200 tasks fast enough to be rebuilt inside a re-plan (see `replan`)."""
    return max(SEARCH_LEAST, min(SEARCH_MOST, SEARCH_SCALE // max(1, tasks) ** 2))


def lower_bound(problem: Problem) -> int:
    """Missed weight no plan can beat: the exact core on the working-time axis over the tasks
    with a deadline, with the tasks that are late in every plan fixed late. It is the optimum
    when every task is splittable down to the grid, with no dependencies and no earliest
    starts."""
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


def solve(
    problem: Problem,
    *,
    time_budget_ms: int = DEFAULT_BUDGET_MS,
    seed: int = 0,
    iterations: int | None = None,
) -> Plan:
    """Plan `problem`. The result always passes `check_plan`.

    Objective, lexicographic: missed-deadline weight over the tasks with a deadline, their
    weighted tardiness, the weighted minutes of tasks without a deadline left out, how early
    important work starts, then preferences (kinds in their windows, few splits). Goals (tasks
    with `first_rank`) come first where the deadlines allow (see `Plan.deferred`).

    The search makes `iterations` evaluations (default: `default_iterations`), three quarters
    for the objective and the rest for preferences, plus what the goals need; for a given seed
    the moves tried are always the same. `time_budget_ms` is only a wall-clock cap: while it
    does not bind, the plan does not depend on the machine's speed or load.
    """
    started = time.perf_counter()
    jobs = build_jobs(problem)
    free = free_intervals(problem)
    axis = Axis.of(free)
    start, end = horizon(problem)
    kinds = kind_intervals(problem)
    cap = started + time_budget_ms / 1000
    evaluate = Evaluator(jobs, free, end, kinds, cap=cap)
    if iterations is None:
        iterations = default_iterations(len(jobs))
    due = axis_due(jobs, axis)
    order, bound, on_time = core_order(jobs, due)
    bound += _fixed_missed(jobs)
    best_order, best = order, evaluate(order)
    alt_order = edd_order(jobs)
    alt = evaluate(alt_order)
    if alt.score < best.score:
        best_order, best = alt_order, alt
    preferences = iterations // 4 if kinds else 0
    evaluate.allow(iterations - preferences)
    if best.score[0] > bound:
        best_order, best = tighten(evaluate, axis, due, on_time, best_order, best)
    best_order, best = improve(
        evaluate, best_order, best, seed=seed, lower_bound=bound, focus=on_time
    )
    evaluate.allow(goal_allowance(jobs))
    best_order, best, ahead = goals_first(evaluate, best_order, best)
    if kinds:
        evaluate.allow(preferences)
        best = prefer_windows(evaluate, best_order, best)
    return build_plan(problem, jobs, best, axis, start, end, ahead=ahead)


def build_plan(
    problem: Problem,
    jobs: list[Job],
    placement: Placement,
    axis: Axis,
    start: int,
    end: int,
    *,
    ahead: dict[int, tuple[int, ...]] | None = None,
) -> Plan:
    """Turn a placement into a `Plan`: blocks (pinned ones included), late list, reasons, and
    the goals that do not come first (`ahead`: the jobs each such goal comes after)."""
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
    why_unscheduled = {
        j: explainer.unscheduled(j, code) for j, code in sorted(placement.unscheduled.items())
    }
    unscheduled = [UnscheduledTask(jobs[j].task_id, text) for j, text in why_unscheduled.items()]
    late = []
    for job, task in zip(jobs, problem.tasks, strict=True):
        if task.deadline is None or job.deadline is None:
            continue
        finish = placement.finish.get(job.index)
        if finish is None:
            late.append(
                LateTask(
                    job.task_id, task.deadline.astimezone(zone), None, why_unscheduled[job.index]
                )
            )
        elif finish > job.deadline:
            late.append(
                LateTask(
                    job.task_id,
                    task.deadline.astimezone(zone),
                    to_datetime(finish, zone),
                    explainer.late(job.index),
                )
            )
    deferred_text = reasons(jobs, placement, ahead or {}, zone, start)
    for j, text in why_unscheduled.items():
        if jobs[j].rank is not None:
            deferred_text[j] = f"unscheduled: {text}"
    deferred = [
        DeferredTask(jobs[j].task_id, deferred_text[j])
        for j in sorted(deferred_text, key=lambda j: (jobs[j].rank or 0, j))
    ]
    missed, tardy, unplaced, _, _ = placement.score
    return Plan(
        blocks=tuple(blocks),
        late=tuple(late),
        unscheduled=tuple(unscheduled),
        missed_deadline_weight=missed,
        weighted_tardiness_minutes=tardy,
        unplaced_weighted_minutes=unplaced,
        deferred=tuple(deferred),
    )
