"""A full CP-SAT model of the planning problem, the optimal reference of the benchmark.

Bench only: `ortools` is optional (`.venv/bin/pip install ortools`); without it `available()` is
False and the benchmark says so. The model states the same rules as `check_plan`, on the solver's
own time grid (units of `grid_minutes` from the start of the horizon):

- Each task with work left is placed whole (`x`) or unscheduled. Its work is one interval if it is
  unsplittable, else up to K optional chunk intervals, each at least the minimum chunk (or all the
  work, if that is less), adding up to the work left, in order (chunk k+1 after chunk k).
- Every chunk is a single block of real time: all chunks and fixed intervals covering the time
  that is not free (outside working hours, routine, busy events, pinned blocks, before now) go
  into one NoOverlap, so a chunk lies inside one free interval and never spans a gap.
- No chunk before the task's earliest start; a task starts after every dependency has finished
  (pinned work included), and a task whose dependency is unscheduled is unscheduled too. Tasks
  late in every plan (the solver's `forced_late`: earliest start or dependency chain too late,
  unsplittable and longer than every free interval) are fixed late, as in our lower bound.
- The objective is the solver's: stage 1 minimises the missed weight, the sum of 2^(importance-1)
  over tasks with a deadline that are unscheduled or finish after it (a task without a deadline
  never counts). Stage 2 fixes it and minimises their weighted tardiness in minutes (an
  unscheduled task finishes at the horizon end); stage 3 fixes both and minimises the weighted
  minutes of tasks without a deadline left unscheduled.

Redundant energy cuts (the on-time tasks released at or after r and due by D need no more work
than the free time between r and D) only speed up the proof; stage 0 solves those cuts alone (a
relaxation) and adds its proven bound to stage 1. The one restriction is K: a task uses at most
`max_chunks` blocks, or as many as the hint's plan gives it, so on a task that needs more pieces
the model's optimum can be above the real one (never below). Every solution is turned into a
`Plan`, which the caller checks with `check_plan`. Limits are deterministic time (see `_limit`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from devday.planning.solver.model import Plan, Problem
from devday.planning.solver.schedule import Placement, build_jobs, kind_intervals, score
from devday.planning.solver.search import forced_late
from devday.planning.solver.solve import build_plan
from devday.planning.solver.timeline import Axis, free_intervals, horizon, to_minute


def available() -> bool:
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class CpResult:
    """`missed` is stage 1's best value, `proven` whether CP-SAT proved it optimal; `tardiness`
    is stage 2's best (None if stage 2 did not run), `tardiness_proven` likewise; `plan` is the
    best solution as a plan (checked by the caller); `seconds` is the wall time of all stages;
    `optimum` is stage 1's proven optimum: from stage 1, or from stage 0 where that is exact;
    `unplaced` is stage 3's best (None if it did not run)."""

    missed: int | None
    proven: bool
    tardiness: int | None
    tardiness_proven: bool
    plan: Plan | None
    seconds: float
    bound: int  # stage 1's proven lower bound
    optimum: int | None = None  # the proven optimum of stage 1, if known
    unplaced: int | None = None


def solve_cpsat(
    problem: Problem,
    *,
    hint: Plan | None = None,
    time_limit_s: float = 10.0,
    stage2_limit_s: float = 3.0,
    max_chunks: int = 4,
    workers: int = 2,
    check_hint: bool = False,
) -> CpResult | None:
    """Both stages; None when no solution was found in time (unless stage 0 alone gives the
    optimum: then `missed` and `plan` are None and `optimum` is set)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    g = problem.grid_minutes
    jobs = build_jobs(problem)
    free = free_intervals(problem)
    axis = Axis.of(free)
    origin, end = horizon(problem)

    def unit(minute: int) -> int:
        assert (minute - origin) % g == 0, "the free time is on the grid"
        return (minute - origin) // g

    h = (end - origin) // g  # grid units in the horizon (free time ends on the grid before it)
    spans = [(unit(a), unit(b)) for a, b in free]
    gaps: list[tuple[int, int]] = []
    cursor = 0
    for a, b in spans:
        if a > cursor:
            gaps.append((cursor, a))
        cursor = b
    if cursor < h:
        gaps.append((cursor, h))

    doomed = forced_late(jobs, axis)
    hinted = _hint_blocks(problem, hint, origin, g) if hint is not None else {}
    model = cp_model.CpModel()
    intervals = [model.new_fixed_size_interval_var(a, b - a, f"gap{a}") for a, b in gaps]
    fixed_missed = 0
    placed: dict[int, Any] = {}  # job index -> presence literal (open jobs only)
    on_time: dict[int, Any] = {}
    finish: dict[int, Any] = {}  # job index -> finish in units (open jobs)
    chunks: dict[int, list[tuple[Any, Any, Any, Any]]] = {}  # (present, start, size, end)
    due_unit: dict[int, int] = {}  # last on-time finish in units
    tardy_terms = []
    tardy: dict[int, Any] = {}
    first_free: dict[int, tuple[int, int]] = {}  # (start, end) domain minima, for hints
    for job in jobs:
        j = job.index
        if job.remaining == 0:
            late = job.deadline is not None and (job.pinned_end or 0) > job.deadline
            fixed_missed += job.weight if late else 0
            continue
        p = job.remaining // g
        m = job.min_chunk // g if job.splittable else p
        m = max(1, min(m, p))
        release = unit(job.release) if job.release >= origin else 0
        fits = [(a, b) for a, b in spans if b - max(a, release) >= m]
        x = model.new_bool_var(f"x{j}")
        placed[j] = x
        if not fits:
            model.add(x == 0)
        # At most K blocks, or as many as the hint uses, so that the hint is a solution.
        k_max = max(min(max_chunks, p // m), len(hinted.get(job.task_id, [])))
        k_max = 1 if not job.splittable or m >= p else max(1, k_max)
        start_dom = cp_model.Domain.from_intervals([[max(a, release), b - m] for a, b in fits])
        end_dom = cp_model.Domain.from_intervals([[max(a, release) + m, b] for a, b in fits])
        if not fits:
            start_dom = end_dom = cp_model.Domain(0, 0)
        first_free[j] = (start_dom.min(), end_dom.min())
        mine = []
        for k in range(k_max):
            present = x if k == 0 else model.new_bool_var(f"y{j}_{k}")
            s = model.new_int_var_from_domain(start_dom, f"s{j}_{k}")
            e = model.new_int_var_from_domain(end_dom, f"e{j}_{k}")
            size = model.new_int_var(0 if k else m, p, f"l{j}_{k}")
            if k:
                model.add(size >= m).only_enforce_if(present)
                model.add(size == 0).only_enforce_if(~present)
                model.add_implication(present, mine[-1][0])
                model.add(s >= mine[-1][3]).only_enforce_if(present)
            intervals.append(model.new_optional_interval_var(s, size, e, present, f"c{j}_{k}"))
            mine.append((present, s, size, e))
        if k_max == 1:
            model.add(mine[0][2] == p)
        else:
            model.add(sum(c[2] for c in mine) == p).only_enforce_if(x)
        chunks[j] = mine
        f = model.new_int_var(0, h, f"f{j}")
        for present, _, _, e in mine:
            model.add(f >= e).only_enforce_if(present)
        if job.pinned_end is not None:
            model.add(f >= -(-(job.pinned_end - origin) // g))
        finish[j] = f
        o = model.new_bool_var(f"o{j}")
        on_time[j] = o
        model.add_implication(o, x)
        if job.deadline is not None:
            d = (job.deadline - origin) // g  # finish (units) must be <= d
            due_unit[j] = d
            if j in doomed or d < 0:
                model.add(o == 0)
            else:
                model.add(f <= d).only_enforce_if(o)
            # Tardiness in minutes: finish when placed, the horizon end when not.
            t = model.new_int_var(0, max(0, end - job.deadline), f"t{j}")
            model.add(t >= g * f + origin - job.deadline).only_enforce_if(x)
            model.add(t >= end - job.deadline).only_enforce_if(~x)
            tardy_terms.append(job.weight * t)
            tardy[j] = t
        else:
            model.add(o == x)
            due_unit[j] = h
    for job in jobs:
        j = job.index
        if j not in placed:
            continue
        for dep in job.deps:
            if dep in placed:
                model.add_implication(placed[j], placed[dep])
                model.add(chunks[j][0][1] >= finish[dep]).only_enforce_if(placed[j])
            else:  # fully pinned dependency
                pe = jobs[dep].pinned_end or origin
                model.add(chunks[j][0][1] >= -(-(pe - origin) // g)).only_enforce_if(placed[j])
    model.add_no_overlap(intervals)
    # Redundant energy cuts on the on-time set, and stage 0: the same cuts alone are a relaxation
    # (a multiple knapsack) that CP-SAT solves fast; its proven bound is a valid lower bound of
    # the missed weight, added to the full model so that reaching it proves stage 1.
    cuts = _energy_cuts(jobs, spans, due_unit, origin, g)
    for members, cap in cuts:
        model.add(sum((jobs[j].remaining // g) * on_time[j] for j in members) <= cap)
    relax = cp_model.CpModel()
    flags = {j: relax.new_bool_var(f"o{j}") for j in on_time}
    for j in flags:
        # Late in every plan, or no free interval takes its smallest piece: off in both models.
        if j in doomed or due_unit[j] < 0 or not _fits_somewhere(jobs[j], spans, origin, g):
            relax.add(flags[j] == 0)
    for members, cap in cuts:
        relax.add(sum((jobs[j].remaining // g) * flags[j] for j in members) <= cap)
    dated = [j for j in on_time if jobs[j].deadline is not None]  # only these can miss
    relax.minimize(sum(jobs[j].weight * (1 - flags[j]) for j in dated))
    stage0 = cp_model.CpSolver()
    stage0.parameters.num_workers = workers
    _limit(stage0, min(5.0, time_limit_s / 2))
    relaxed_exact = stage0.solve(relax) == cp_model.OPTIMAL and _splits_anywhere(problem, jobs)
    relaxed = round(stage0.best_objective_bound)
    missed_expr = sum(jobs[j].weight * (1 - on_time[j]) for j in dated)
    model.add(missed_expr >= relaxed)

    if hint is not None:
        _add_hint(model, problem, hint, jobs, chunks, placed, on_time, finish, tardy, first_free,
                  origin, g, end)  # fmt: skip

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    _limit(solver, time_limit_s)
    model.minimize(missed_expr)
    if check_hint and hint is not None:  # the hint alone must be a solution
        fixed = cp_model.CpSolver()
        fixed.parameters.fix_variables_to_their_hinted_value = True
        fixed.parameters.max_time_in_seconds = 10
        assert fixed.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE), "bad hint"

    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if not relaxed_exact:
            return None
        optimum = relaxed + fixed_missed  # known, though stage 1 found no plan in time
        return CpResult(None, False, None, False, None, time.perf_counter() - started, optimum,
                        optimum)  # fmt: skip
    missed = round(solver.objective_value) + fixed_missed
    proven = status == cp_model.OPTIMAL
    bound = max(round(solver.best_objective_bound), relaxed) + fixed_missed
    optimum = missed if proven else None
    if relaxed_exact:  # stage 0 is the problem itself (see `_splits_anywhere`)
        optimum = relaxed + fixed_missed
        bound = max(bound, optimum)
    values = _values(solver, chunks, placed, finish)
    tardiness = None
    t_proven = False
    unplaced: Any = None
    if proven and stage2_limit_s > 0 and tardy_terms:
        model.add(missed_expr <= missed - fixed_missed)
        model.clear_hints()
        if hint is not None and hint.missed_deadline_weight == missed:  # ours, complete
            _add_hint(model, problem, hint, jobs, chunks, placed, on_time, finish, tardy,
                      first_free, origin, g, end)  # fmt: skip
        else:
            for i in range(len(model.proto.variables)):  # stage 1's solution, complete
                var = model.get_int_var_from_proto_index(i)
                model.add_hint(var, solver.value(var))
        model.minimize(sum(tardy_terms))
        solver2 = cp_model.CpSolver()
        solver2.parameters.num_workers = workers
        _limit(solver2, stage2_limit_s)
        status2 = solver2.solve(model)
        if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = _values(solver2, chunks, placed, finish)
            tardiness = round(solver2.objective_value)
            t_proven = status2 == cp_model.OPTIMAL
            unplaced = _stage3(model, solver2, jobs, placed, tardy_terms, tardiness, workers,
                               stage2_limit_s)  # fmt: skip
            if unplaced is not None:
                unplaced, values = unplaced[0], _values(unplaced[1], chunks, placed, finish)
    plan = _plan(problem, jobs, values, origin, g, axis, end)
    return CpResult(
        missed=missed,
        proven=proven,
        tardiness=tardiness,
        tardiness_proven=t_proven,
        plan=plan,
        seconds=time.perf_counter() - started,
        bound=bound,
        optimum=optimum,
        unplaced=unplaced,
    )


def _stage3(
    model: Any,
    previous: Any,
    jobs: list[Any],
    placed: dict[int, Any],
    tardy_terms: list[Any],
    tardiness: int,
    workers: int,
    seconds: float,
) -> tuple[int, Any] | None:
    """Stage 3: at no more missed weight and tardiness than found, the least weighted minutes of
    tasks without a deadline left out; (value, solver) or None."""
    from ortools.sat.python import cp_model

    undated = [j for j in placed if jobs[j].deadline is None]
    if not undated:
        return None
    model.add(sum(tardy_terms) <= tardiness)
    model.clear_hints()
    for i in range(len(model.proto.variables)):  # stage 2's solution, complete
        var = model.get_int_var_from_proto_index(i)
        model.add_hint(var, previous.value(var))
    model.minimize(sum(jobs[j].weight * jobs[j].remaining * (1 - placed[j]) for j in undated))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    _limit(solver, seconds)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return round(solver.objective_value), solver


def _limit(solver: Any, seconds: float) -> None:
    """A deterministic time limit (CP-SAT's work units, about seconds on an idle core), so that a
    busy machine does not change what is proven; wall time is capped at four times that."""
    solver.parameters.max_deterministic_time = seconds
    solver.parameters.max_time_in_seconds = 4 * seconds


def _values(
    solver: Any,
    chunks: dict[int, list[tuple[Any, Any, Any, Any]]],
    placed: dict[int, Any],
    finish: dict[int, Any],
) -> tuple[dict[int, bool], dict[int, list[tuple[bool, int, int, int]]]]:
    xs = {j: bool(solver.boolean_value(x)) for j, x in placed.items()}
    cs = {
        j: [
            (
                bool(solver.boolean_value(pr)),
                solver.value(s),
                solver.value(size),
                solver.value(e),
            )
            for pr, s, size, e in mine
        ]
        for j, mine in chunks.items()
    }
    return xs, cs


def _plan(
    problem: Problem,
    jobs: list[Any],
    values: tuple[dict[int, bool], dict[int, list[tuple[bool, int, int, int]]]],
    origin: int,
    g: int,
    axis: Axis,
    end: int,
) -> Plan:
    xs, cs = values
    placement = Placement()
    for job in jobs:
        j = job.index
        if job.remaining == 0:
            placement.finish[j] = job.pinned_end or job.release
            continue
        if not xs[j]:
            bad = next((d for d in job.deps if d in xs and not xs[d]), None)
            placement.unscheduled[j] = ("dep", bad) if bad is not None else ("room", 0)
            continue
        merged: list[tuple[int, int]] = []
        for present, s, size, _ in sorted(cs[j], key=lambda c: c[1]):
            if not present or size == 0:
                continue
            a, b = origin + g * s, origin + g * (s + size)
            if merged and merged[-1][1] == a:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        placement.blocks[j] = merged
        placement.finish[j] = max(merged[-1][1], job.pinned_end or 0)
    placement.score = score(jobs, placement, end, kind_intervals(problem))
    return build_plan(problem, jobs, placement, axis, horizon(problem)[0], end)


def _hint_blocks(
    problem: Problem, hint: Plan, origin: int, g: int
) -> dict[str, list[tuple[int, int]]]:
    """The hint's new blocks per task, in grid units."""
    pinned = {(p.task_id, p.start, p.end) for p in problem.pinned}
    by_task: dict[str, list[tuple[int, int]]] = {}
    for b in hint.blocks:
        if (b.task_id, b.start, b.end) not in pinned:
            by_task.setdefault(b.task_id, []).append(
                ((to_minute(b.start) - origin) // g, (to_minute(b.end) - origin) // g)
            )
    return by_task


def _add_hint(
    model: Any,
    problem: Problem,
    hint: Plan,
    jobs: list[Any],
    chunks: dict[int, list[tuple[Any, Any, Any, Any]]],
    placed: dict[int, Any],
    on_time: dict[int, Any],
    finish: dict[int, Any],
    tardy: dict[int, Any],
    first_free: dict[int, tuple[int, int]],
    origin: int,
    g: int,
    end: int,
) -> None:
    """Hint the solver with a plan (ours), every variable of the model, so the hint is a
    complete solution (the chunk count K is raised to the plan's where it uses more)."""
    by_task = _hint_blocks(problem, hint, origin, g)
    unscheduled = {u.task_id for u in hint.unscheduled}
    for job in jobs:
        j = job.index
        if j not in placed:
            continue
        blocks = sorted(by_task.get(job.task_id, []))
        ok = job.task_id not in unscheduled and bool(blocks)
        assert len(blocks) <= len(chunks[j])
        model.add_hint(placed[j], ok)
        s0, e0 = first_free[j]
        p = job.remaining // g
        for k, (present, s, size, e) in enumerate(chunks[j]):
            if ok and k < len(blocks):
                a, b = blocks[k]
                values = (True, a, b - a, b)
            elif k == 0:  # unplaced: the mandatory size of chunk 0 stays in its domain
                values = (False, s0, p if len(chunks[j]) == 1 else size.proto.domain[0], e0)
            else:
                values = (False, s0, 0, e0)
            if k:
                model.add_hint(present, values[0])
            model.add_hint(s, values[1])
            model.add_hint(size, values[2])
            model.add_hint(e, values[3])
        pinned = 0 if job.pinned_end is None else -(-(job.pinned_end - origin) // g)
        f = max(blocks[-1][1] if ok else 0, pinned)
        model.add_hint(finish[j], f)
        if job.deadline is None:
            model.add_hint(on_time[j], ok)
            continue
        late = g * f + origin - job.deadline
        model.add_hint(on_time[j], ok and late <= 0)
        model.add_hint(tardy[j], max(0, late) if ok else max(0, end - job.deadline))


def _splits_anywhere(problem: Problem, jobs: list[Any]) -> bool:
    """True when every task splits down to the grid, with no dependencies, earliest starts or
    pinned work: then stage 0 (the knapsack on the working-time axis) is exact, as the issue's
    Lawler-Moore argument says (EDD on the axis, preempting at any grid point, meets it)."""
    return not problem.pinned and all(
        j.splittable
        and j.min_chunk <= problem.grid_minutes
        and not j.deps
        and j.release <= horizon(problem)[0]
        for j in jobs
    )


def _fits_somewhere(job: Any, spans: list[tuple[int, int]], origin: int, g: int) -> bool:
    release = (job.release - origin) // g
    least = (job.min_chunk if job.splittable else job.remaining) // g
    return any(b - max(a, release) >= max(1, least) for a, b in spans)


def _energy_cuts(
    jobs: list[Any],
    spans: list[tuple[int, int]],
    due_unit: dict[int, int],
    origin: int,
    g: int,
) -> list[tuple[list[int], int]]:
    """(members, capacity): the on-time jobs released at or after r and due by D have no more
    work than the free units in [r, D); only the cuts that can bind."""

    def free_units(lo: int, hi: int) -> int:
        return sum(max(0, min(b, hi) - max(a, lo)) for a, b in spans)

    release = {j: (jobs[j].release - origin) // g for j in due_unit}
    out = []
    for r in sorted({0, *release.values()}):
        group = [j for j in due_unit if release[j] >= r]
        for limit in sorted({due_unit[j] for j in group if due_unit[j] > r}):
            members = [j for j in group if due_unit[j] <= limit]
            cap = free_units(r, limit)
            if sum(jobs[j].remaining // g for j in members) > cap:
                out.append((members, cap))
    return out
