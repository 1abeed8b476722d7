"""The hard rules, one function each, and `check_plan`, which runs them all.

Pinned blocks are the problem's own facts: they are exempt from the rules about where new work may
go (after now, on the grid, in working hours, clear of routine and busy time, minimum chunk) but
count towards their task's estimate and finish, and must come back unchanged.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from devday.planning.solver.model import Block, Plan, Problem, Task, Violation
from devday.planning.solver.timeline import (
    busy_intervals,
    horizon,
    is_on_grid,
    minutes_between,
    routine_intervals,
    to_minute,
    to_minute_ceil,
    working_intervals,
)


@dataclass
class Context:
    """What every rule needs, computed once per check."""

    problem: Problem
    plan: Plan
    zone: ZoneInfo
    end: int
    tasks: dict[str, Task]
    unscheduled: set[str]
    pinned: set[tuple[str, datetime, datetime]]
    own: dict[str, list[Block]] = field(default_factory=dict)  # non-pinned blocks per task
    every: dict[str, list[Block]] = field(default_factory=dict)  # all blocks per task
    finishes: dict[str, int] = field(default_factory=dict)  # memo of `finish`

    def is_pinned(self, b: Block) -> bool:
        return (b.task_id, b.start, b.end) in self.pinned

    def new_blocks(self) -> list[Block]:
        return [b for b in self.plan.blocks if not self.is_pinned(b)]

    def finish(self, task_id: str) -> int | None:
        """End of the task's last block, or None when it is unscheduled."""
        if task_id in self.unscheduled or not self.every.get(task_id):
            return None
        if task_id not in self.finishes:
            self.finishes[task_id] = max(to_minute_ceil(b.end) for b in self.every[task_id])
        return self.finishes[task_id]

    def pinned_minutes(self, task_id: str) -> int:
        return sum(_minutes(b) for b in self.every.get(task_id, []) if self.is_pinned(b))


def _minutes(b: Block) -> int:
    return minutes_between(b.start, b.end)


def _show(b: Block) -> str:
    return f"'{b.task_id}' {b.start.isoformat()}..{b.end.isoformat()}"


def _overlaps(b: Block, intervals: list[tuple[int, int]]) -> bool:
    """True when the block meets one of `intervals` (sorted and disjoint, as `normalise` gives)."""
    s, e = to_minute(b.start), to_minute_ceil(b.end)
    k = bisect.bisect_left(intervals, (e,))  # intervals[:k] start before e
    return k > 0 and intervals[k - 1][1] > s


def _inside(s: int, e: int, intervals: list[tuple[int, int]]) -> bool:
    """True when [s, e) lies within one of `intervals` (sorted and disjoint)."""
    k = bisect.bisect_right(intervals, (s, 1 << 62))  # intervals[:k] start at or before s
    return k > 0 and intervals[k - 1][0] <= s and e <= intervals[k - 1][1]


def starts_after_now(c: Context) -> list[Violation]:
    return [
        Violation("starts_after_now", f"{_show(b)} starts before now")
        for b in c.new_blocks()
        if b.start < c.problem.now
    ]


def within_horizon(c: Context) -> list[Violation]:
    return [
        Violation("within_horizon", f"{_show(b)} ends after the horizon")
        for b in c.new_blocks()
        if to_minute_ceil(b.end) > c.end
    ]


def on_grid(c: Context) -> list[Violation]:
    grid = c.problem.grid_minutes
    out = []
    for b in c.new_blocks():
        ok = b.start < b.end and b.start.second == b.end.second == 0
        ok = ok and b.start.microsecond == b.end.microsecond == 0
        if not ok or not all(is_on_grid(to_minute(t), c.zone, grid) for t in (b.start, b.end)):
            out.append(Violation("on_grid", f"{_show(b)} is not on the {grid}-minute grid"))
    return out


def inside_working_hours(c: Context) -> list[Violation]:
    work = working_intervals(c.problem)
    out = []
    for b in c.new_blocks():
        s, e = to_minute(b.start), to_minute_ceil(b.end)
        if not _inside(s, e, work):
            out.append(Violation("inside_working_hours", f"{_show(b)} is outside working hours"))
    return out


def no_routine_overlap(c: Context) -> list[Violation]:
    routine = routine_intervals(c.problem)
    return [
        Violation("no_routine_overlap", f"{_show(b)} overlaps a routine block")
        for b in c.new_blocks()
        if _overlaps(b, routine)
    ]


def no_busy_overlap(c: Context) -> list[Violation]:
    busy = busy_intervals(c.problem)
    return [
        Violation("no_busy_overlap", f"{_show(b)} overlaps a busy event")
        for b in c.new_blocks()
        if _overlaps(b, busy)
    ]


def no_block_overlap(c: Context) -> list[Violation]:
    blocks = sorted(c.plan.blocks, key=lambda b: b.start)
    out = []
    latest: Block | None = None  # the block reaching furthest so far
    for b in blocks:
        if latest is not None and b.start < latest.end:
            if not (c.is_pinned(b) and c.is_pinned(latest)):
                out.append(Violation("no_block_overlap", f"{_show(b)} overlaps {_show(latest)}"))
        if latest is None or b.end > latest.end:
            latest = b
    return out


def estimate_met(c: Context) -> list[Violation]:
    out = []
    for t in c.problem.tasks:
        placed = sum(_minutes(b) for b in c.every.get(t.id, []))
        if t.id in c.unscheduled:
            if c.own.get(t.id):
                out.append(Violation("estimate_met", f"'{t.id}' is unscheduled but has blocks"))
        elif placed != t.estimate_minutes:
            out.append(
                Violation(
                    "estimate_met", f"'{t.id}' has {placed} min of {t.estimate_minutes} planned"
                )
            )
    return out


def unsplittable_one_block(c: Context) -> list[Violation]:
    return [
        Violation("unsplittable_one_block", f"'{t.id}' is unsplittable but has {n} blocks")
        for t in c.problem.tasks
        if not t.splittable and (n := len(c.own.get(t.id, []))) > 1
    ]


def min_chunk(c: Context) -> list[Violation]:
    out = []
    for t in c.problem.tasks:
        if not t.splittable:
            continue
        least = min(t.min_chunk_minutes, t.estimate_minutes - c.pinned_minutes(t.id))
        out += [
            Violation("min_chunk", f"{_show(b)} is shorter than {least} min")
            for b in c.own.get(t.id, [])
            if _minutes(b) < least
        ]
    return out


def earliest_start(c: Context) -> list[Violation]:
    return [
        Violation("earliest_start", f"{_show(b)} starts before the task's earliest start")
        for t in c.problem.tasks
        if t.earliest_start is not None
        for b in c.own.get(t.id, [])
        if b.start < t.earliest_start
    ]


def dependencies(c: Context) -> list[Violation]:
    out = []
    for t in c.problem.tasks:
        own = c.own.get(t.id, [])
        done = t.estimate_minutes == c.pinned_minutes(t.id)
        for dep in t.depends_on:
            finish = c.finish(dep)
            if finish is None:
                if not done and t.id not in c.unscheduled:
                    out.append(
                        Violation("dependencies", f"'{t.id}' is placed but '{dep}' is unscheduled")
                    )
                continue
            out += [
                Violation("dependencies", f"{_show(b)} starts before '{dep}' finishes")
                for b in own
                if to_minute(b.start) < finish
            ]
    return out


def tasks_accounted(c: Context) -> list[Violation]:
    out = []
    ids = [u.task_id for u in c.plan.unscheduled]
    for task_id in sorted({*ids, *(b.task_id for b in c.plan.blocks)} - set(c.tasks)):
        out.append(Violation("tasks_accounted", f"'{task_id}' is not a task of the problem"))
    if len(ids) != len(set(ids)):
        out.append(Violation("tasks_accounted", "a task is listed as unscheduled twice"))
    out += [
        Violation("tasks_accounted", f"'{u.task_id}' is unscheduled without a reason")
        for u in c.plan.unscheduled
        if not u.reason.strip()
    ]
    return out


def pinned_kept(c: Context) -> list[Violation]:
    present = {(b.task_id, b.start, b.end) for b in c.plan.blocks}
    return [
        Violation("pinned_kept", f"pinned block of '{p.task_id}' at {p.start.isoformat()} is gone")
        for p in c.problem.pinned
        if (p.task_id, p.start, p.end) not in present
    ]


def late_listed(c: Context) -> list[Violation]:
    expected = {
        t.id
        for t in c.problem.tasks
        if t.deadline is not None and ((f := c.finish(t.id)) is None or f > to_minute(t.deadline))
    }
    listed = {x.task_id for x in c.plan.late}
    out = [
        Violation("late_listed", f"'{i}' misses its deadline but is not listed as late")
        for i in sorted(expected - listed)
    ]
    out += [
        Violation("late_listed", f"'{i}' is listed as late but is on time")
        for i in sorted(listed - expected)
    ]
    out += [
        Violation("late_listed", f"'{x.task_id}' is late without a reason")
        for x in c.plan.late
        if not x.reason.strip()
    ]
    return out


def objective_reported(c: Context) -> list[Violation]:
    """The plan's objective terms are what its blocks give: missed weight and weighted tardiness
    over the tasks with a deadline (an unscheduled one finishes at the horizon end), and weight x
    minutes left to place of the unscheduled tasks without one."""
    missed = tardy = unplaced = 0
    for t in c.problem.tasks:
        finish = c.finish(t.id)
        if t.deadline is None:
            if finish is None:
                unplaced += t.weight * (t.estimate_minutes - c.pinned_minutes(t.id))
            continue
        deadline = to_minute(t.deadline)
        if finish is None:
            missed += t.weight
            finish = c.end
        elif finish > deadline:
            missed += t.weight
        tardy += t.weight * max(0, finish - deadline)
    out = []
    for name, actual, reported in (
        ("missed weight", missed, c.plan.missed_deadline_weight),
        ("weighted tardiness", tardy, c.plan.weighted_tardiness_minutes),
        ("weighted unplaced minutes", unplaced, c.plan.unplaced_weighted_minutes),
    ):
        if actual != reported:
            out.append(
                Violation("objective_reported", f"{name} is {actual}, the plan says {reported}")
            )
    return out


RULES: tuple[Callable[[Context], list[Violation]], ...] = (
    starts_after_now,
    within_horizon,
    on_grid,
    inside_working_hours,
    no_routine_overlap,
    no_busy_overlap,
    no_block_overlap,
    estimate_met,
    unsplittable_one_block,
    min_chunk,
    earliest_start,
    dependencies,
    tasks_accounted,
    pinned_kept,
    late_listed,
    objective_reported,
)


def context(problem: Problem, plan: Plan) -> Context:
    """Precompute what the rules share."""
    zone = ZoneInfo(problem.timezone)
    c = Context(
        problem=problem,
        plan=plan,
        zone=zone,
        end=horizon(problem)[1],
        tasks={t.id: t for t in problem.tasks},
        unscheduled={u.task_id for u in plan.unscheduled},
        pinned={(p.task_id, p.start, p.end) for p in problem.pinned},
    )
    for b in plan.blocks:
        c.every.setdefault(b.task_id, []).append(b)
        if not c.is_pinned(b):
            c.own.setdefault(b.task_id, []).append(b)
    return c


def check_plan(problem: Problem, plan: Plan) -> list[Violation]:
    """Every broken hard rule of `plan` for `problem`; an empty list means the plan is valid."""
    c = context(problem, plan)
    return [v for rule in RULES for v in rule(c)]
