"""Baselines, run in the same process and scored with the same rules as the solver.

Each baseline picks an order; the solver's own list scheduler places it, so every baseline plan
obeys the hard rules and the comparison is about the decisions, not about placement details.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devday.planning.solver.model import Problem
from devday.planning.solver.schedule import Job, Placement, build_jobs, kind_intervals, place, score
from devday.planning.solver.search import forced_late
from devday.planning.solver.timeline import Axis, free_intervals, horizon

FAR = 1 << 62


def edf(jobs: list[Job], raw: list[dict[str, Any]], now: int) -> list[int]:
    """Plain earliest-deadline-first."""
    return sorted(range(len(jobs)), key=lambda i: (jobs[i].deadline or FAR, i))


def priority_first(jobs: list[Job], raw: list[dict[str, Any]], now: int) -> list[int]:
    """Motion/Reclaim style: most important first, then earliest deadline."""
    return sorted(range(len(jobs)), key=lambda i: (-jobs[i].importance, jobs[i].deadline or FAR))


def taskwarrior(jobs: list[Job], raw: list[dict[str, Any]], now: int) -> list[int]:
    """Taskwarrior's default urgency: priority H 6.0 / M 3.9 / L 1.8, due 12.0 (scaled 0.2..1
    over -14..+7 days), age 2.0 (over 365 days), blocking 8.0, blocked -5.0."""
    blocking = {d for j in jobs for d in j.deps}
    prio = {4: 6.0, 3: 3.9, 2: 1.8, 1: 0.0}

    def urgency(i: int) -> float:
        j = jobs[i]
        u = prio[j.importance]
        if j.deadline is not None:
            days_left = (j.deadline - now) / 1440
            if days_left <= -7:
                due = 1.0
            elif days_left >= 14:
                due = 0.2
            else:
                due = ((14 - days_left) * 0.8 / 21) + 0.2
            u += 12.0 * due
        age: float = raw[i].get("age_days", 0)
        u += 2.0 * min(1.0, age / 365)
        u += 8.0 if i in blocking else 0.0
        u += -5.0 if j.deps else 0.0
        return u

    return sorted(range(len(jobs)), key=lambda i: (-urgency(i), i))


BASELINES: dict[str, Callable[[list[Job], list[dict[str, Any]], int], list[int]]] = {
    "EDF": edf,
    "priority": priority_first,
    "taskwarrior": taskwarrior,
}


def run_baseline(
    name: str, problem: Problem, raw: list[dict[str, Any]]
) -> tuple[Placement, tuple[int, int, int]]:
    jobs = build_jobs(problem)
    free = free_intervals(problem)
    start, end = horizon(problem)
    order = BASELINES[name](jobs, raw, start)
    placement = place(jobs, order, free)
    return placement, score(jobs, placement, end, kind_intervals(problem))


def cpsat_missed(problem: Problem, time_limit_s: float = 20.0) -> tuple[int, bool] | None:
    """CP-SAT optimum of the missed weight on the working-time axis: on-time flags x_j for the
    tasks with a deadline, and for every deadline D, sum of p_j x_j over d_j <= D is at most the
    free time before D; jobs late in every plan are fixed late. This is the exact optimum for
    split-anywhere instances and the same relaxation as our lower bound otherwise, solved
    independently. Returns (value, proven optimal) or None without ortools."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    every = build_jobs(problem)
    axis = Axis.of(free_intervals(problem))
    doomed = forced_late(every, axis)
    # Only tasks with a deadline can miss one; the others do not enter the missed weight.
    jobs = [j for j in every if j.remaining > 0 and j.deadline is not None]
    due = [min(axis.length, axis.position(j.deadline)) for j in jobs if j.deadline is not None]
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(jobs))]
    for limit in sorted(set(due)):
        members = [i for i in range(len(jobs)) if due[i] <= limit]
        model.add(sum(jobs[i].remaining * x[i] for i in members) <= limit)
    for i, j in enumerate(jobs):
        if j.index in doomed:
            model.add(x[i] == 0)  # late in every plan (see forced_late)
    fixed = sum(j.weight for j in every if j.remaining == 0 and j.index in doomed)
    model.minimize(fixed + sum(jobs[i].weight * (1 - x[i]) for i in range(len(jobs))))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return round(solver.objective_value), status == cp_model.OPTIMAL
