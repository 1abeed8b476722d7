"""How likely each deadline is: evidence-based scheduling over the current plan. Pure.

Velocity = estimate / actual, over the user's finished tasks with logged time (`velocities`). A
seeded Monte Carlo (`forecast`) lays the plan's remaining work on the free working time again and
again, each task's remaining minutes DIVIDED by a velocity drawn from that history (a velocity of
2 halves the work, 0.5 doubles it), and counts the futures in which each task with a deadline
finishes by it.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from devday.planning.solver.model import Plan, Problem, Task
from devday.planning.solver.timeline import (
    Axis,
    free_intervals,
    minutes_between,
    to_minute,
    to_minute_ceil,
)

RECENT = 50  # the most recent finished tasks that count
ENOUGH = 10  # a kind needs this many of its own; fewer in all and the prior is used
# The stated prior: velocities typical of developer estimates when there is too little history.
# Work takes 1.3 times its estimate on average (the median task 1.2 times), one task in five
# twice its estimate or more, one in ten two and a half times; one in ten is done in two thirds
# of its estimate. Ten values, each as likely.
PRIOR_VELOCITIES: tuple[float, ...] = (1.5, 1.2, 1.0, 1.0, 0.9, 0.8, 0.75, 0.67, 0.5, 0.4)
ON_TIME_TARGET = 0.8  # below this chance a task is at risk (see `TaskForecast.extra_minutes`)


@dataclass(frozen=True)
class History:
    """One finished task: its estimate, the time logged on it, and when it was finished."""

    kind: str
    estimate_minutes: int
    actual_minutes: int
    finished_at: datetime


@dataclass(frozen=True)
class VelocitySource:
    """What a kind's velocities come from: "kind" (its own history), "all" (every kind's) or
    "prior" (`PRIOR_VELOCITIES`), and how many values that is."""

    basis: str
    n: int


@dataclass(frozen=True)
class Velocities:
    """Velocity samples: a kind's own where it has `ENOUGH`, else `everyone` (all kinds, or the
    prior when there are fewer than `ENOUGH` finished tasks in all)."""

    by_kind: dict[str, tuple[float, ...]]
    everyone: tuple[float, ...]
    everyone_basis: str  # "all" or "prior"

    def for_kind(self, kind: str) -> tuple[float, ...]:
        return self.by_kind.get(kind, self.everyone)

    def source(self, kind: str) -> VelocitySource:
        if kind in self.by_kind:
            return VelocitySource("kind", len(self.by_kind[kind]))
        return VelocitySource(self.everyone_basis, len(self.everyone))


def _usable(history: Iterable[History]) -> list[History]:
    """Finished tasks with an estimate and logged time, most recent first."""
    return sorted(
        (h for h in history if h.estimate_minutes > 0 and h.actual_minutes > 0),
        key=lambda h: h.finished_at,
        reverse=True,
    )


def velocities(
    history: Iterable[History], *, recent: int = RECENT, enough: int = ENOUGH
) -> Velocities:
    """Velocity samples (estimate / actual) from the `recent` most recent finished tasks: per
    kind where that kind has at least `enough` of its own (its `recent` most recent), else all
    kinds together, or `PRIOR_VELOCITIES` when there are fewer than `enough` in all."""
    done = _usable(history)
    by_kind: dict[str, list[float]] = {}
    for h in done:
        mine = by_kind.setdefault(h.kind, [])
        if len(mine) < recent:
            mine.append(h.estimate_minutes / h.actual_minutes)
    kinds = {k: tuple(v) for k, v in by_kind.items() if len(v) >= enough}
    latest = [h.estimate_minutes / h.actual_minutes for h in done[:recent]]
    if len(latest) >= enough:
        return Velocities(kinds, tuple(latest), "all")
    return Velocities(kinds, PRIOR_VELOCITIES, "prior")


@dataclass(frozen=True)
class Calibration:
    """How a kind's estimates compare with the time logged: `ratio` is the median of actual /
    estimate over its `n` most recent finished tasks ("" stands for all kinds)."""

    kind: str
    ratio: float
    n: int

    def describe(self) -> str:
        """'your coding estimates run 1.4x short', '... run 1.3x long', '... are about right'."""
        what = f"your {self.kind} estimates" if self.kind else "your estimates"
        if abs(self.ratio - 1) < 0.05:
            return f"{what} are about right"
        if self.ratio > 1:
            return f"{what} run {self.ratio:.1f}x short"
        return f"{what} run {1 / self.ratio:.1f}x long"


def calibration(history: Iterable[History], *, recent: int = RECENT) -> dict[str, Calibration]:
    """Per kind (and "" for all kinds together), the median of actual / estimate over the
    `recent` most recent finished tasks with logged time; kinds with no such task are absent."""
    done = _usable(history)
    ratios: dict[str, list[float]] = {"": []}
    for h in done:
        ratio = h.actual_minutes / h.estimate_minutes
        if len(ratios[""]) < recent:
            ratios[""].append(ratio)
        mine = ratios.setdefault(h.kind, [])
        if len(mine) < recent:
            mine.append(ratio)
    return {
        kind: Calibration(kind, statistics.median(values), len(values))
        for kind, values in ratios.items()
        if values
    }


# A hint names at most this many tasks to move; more would not be advice a person can take.
MOVABLE_AT_MOST = 3


@dataclass(frozen=True)
class TaskForecast:
    """A task with a deadline: its chance of finishing on time, and for a task below the target
    chance (`ON_TIME_TARGET`, 80%), what would raise it there: `extra_minutes` more free working
    time before its deadline (in 8 of 10 futures it is late by no more than that), for example by
    moving the work ahead of it listed in `movable` (tasks without a deadline or with a later
    one, least important first, with their planned minutes, until they add up to
    `extra_minutes`; empty when that takes more than `MOVABLE_AT_MOST` tasks, since no small
    move would do), or by adding working time."""

    task_id: str
    probability: float
    extra_minutes: int | None = None
    movable: tuple[tuple[str, int], ...] = ()


def on_time_probabilities(
    problem: Problem, plan: Plan, velocities: Velocities, *, futures: int = 1000, seed: int = 0
) -> dict[str, float]:
    """The chance that each task with a deadline finishes by it, over `futures` futures of the
    current plan (see `forecast`). Tasks without a deadline are absent."""
    found = forecast(problem, plan, velocities, futures=futures, seed=seed, explain=False)
    return {task_id: f.probability for task_id, f in found.items()}


def forecast(
    problem: Problem,
    plan: Plan,
    velocities: Velocities,
    *,
    futures: int = 1000,
    seed: int = 0,
    target: float = ON_TIME_TARGET,
    explain: bool = True,
) -> dict[str, TaskForecast]:
    """A seeded Monte Carlo over the current plan, for every task with a deadline.

    The work is each task's planned minutes from `problem.now` on, in the plan's order (its
    blocks by start), then the tasks with a deadline the plan leaves unscheduled, in deadline
    order, with their estimate less the minutes already in blocks. In each future a task's work
    is divided by a velocity drawn for it from its kind's samples, and the work is laid back to
    back on the free working time (working hours less routine and busy time, extended past the
    horizon when it runs over), never before a task's earliest start. The chance is the share of
    futures in which the task's last minute comes by its deadline.

    Each kind's velocities are drawn once (`futures` values), and each task reads them from its
    own offset (distinct offsets where there are fewer tasks than futures): every future then
    holds independent draws for its tasks, at a fraction of the cost of drawing for every task.
    Without `explain`, only the chances are computed.
    """
    tasks = {t.id: t for t in problem.tasks}
    axis = _axis(problem)
    items = _work(problem, plan, tasks)
    rng = random.Random(seed)
    pools: dict[str, list[float]] = {}
    order = list(dict.fromkeys(task_id for task_id, _ in items))
    offsets = (
        rng.sample(range(futures), len(order))
        if len(order) <= futures
        else [rng.randrange(futures) for _ in order]
    )
    factors: dict[str, list[float]] = {}
    for task_id, offset in zip(order, offsets, strict=True):
        kind = tasks[task_id].kind
        if kind not in pools:
            pools[kind] = [1 / v for v in rng.choices(velocities.for_kind(kind), k=futures)]
        pool = pools[kind]
        factors[task_id] = pool[offset:] + pool[:offset]
    cursor: list[float] = [0.0] * futures
    finish: dict[str, list[float]] = {}
    # Work after the last piece of the last task with a deadline changes no chance: stop there.
    last = max((k for k, (t, _) in enumerate(items) if tasks[t].deadline is not None), default=-1)
    for task_id, minutes in items[: last + 1]:
        task = tasks[task_id]
        m = float(minutes)
        scale = factors[task_id]
        start = 0.0
        if task.earliest_start is not None:
            start = float(axis.position(to_minute_ceil(task.earliest_start)))
        # List comprehensions: the fastest plain-Python loop over the futures.
        if start > min(cursor):
            cursor = [
                (c if c > start else start) + f * m for c, f in zip(cursor, scale, strict=True)
            ]
        else:
            cursor = [c + f * m for c, f in zip(cursor, scale, strict=True)]
        finish[task_id] = cursor
    out: dict[str, TaskForecast] = {}
    for task in problem.tasks:
        if task.deadline is None:
            continue
        due = float(axis.position(to_minute(task.deadline)))
        ends = finish.get(task.id)
        if ends is None:  # nothing left to do: decided by its blocks
            done = max((b.end for b in plan.blocks if b.task_id == task.id), default=None)
            out[task.id] = TaskForecast(task.id, 1.0 if done and done <= task.deadline else 0.0)
            continue
        chance = len([e for e in ends if e <= due]) / futures
        if chance >= target or not explain:
            out[task.id] = TaskForecast(task.id, chance)
            continue
        # In a `target` share of futures it is late by no more than this many free minutes.
        lateness = sorted(ends)[max(0, math.ceil(target * futures) - 1)] - due
        extra = max(0, math.ceil(lateness))
        out[task.id] = TaskForecast(task.id, chance, extra, _movable(task, items, tasks, extra))
    return out


def _axis(problem: Problem) -> Axis:
    """Free working time from the start of the horizon, over twice the horizon and at least two
    more weeks (so that work running past the horizon still lands somewhere)."""
    days = min(366, max(2 * problem.horizon_days, problem.horizon_days + 14))
    # Pinned blocks are work in the plan's order, not time taken from it.
    return Axis.of(free_intervals(replace(problem, horizon_days=days, pinned=())))


def _work(problem: Problem, plan: Plan, tasks: dict[str, Task]) -> list[tuple[str, int]]:
    """(task id, minutes) in the plan's order from `problem.now` on, consecutive pieces of one
    task merged; then the unscheduled tasks with a deadline, in deadline order."""
    items: list[tuple[str, int]] = []
    planned: dict[str, int] = {}
    for b in sorted(plan.blocks, key=lambda b: (b.start, b.task_id)):
        planned[b.task_id] = planned.get(b.task_id, 0) + minutes_between(b.start, b.end)
        if b.end <= problem.now or b.task_id not in tasks:
            continue
        minutes = minutes_between(max(b.start, problem.now), b.end)
        if items and items[-1][0] == b.task_id:
            items[-1] = (b.task_id, items[-1][1] + minutes)
        else:
            items.append((b.task_id, minutes))
    left_out = [
        tasks[u.task_id]
        for u in plan.unscheduled
        if u.task_id in tasks and tasks[u.task_id].deadline is not None
    ]
    for task in sorted(left_out, key=lambda t: (t.deadline, t.id)):
        rest = task.estimate_minutes - planned.get(task.id, 0)
        if rest > 0:
            items.append((task.id, rest))
    return items


def _movable(
    task: Task, items: list[tuple[str, int]], tasks: dict[str, Task], extra: int
) -> tuple[tuple[str, int], ...]:
    """Work ahead of `task`'s last piece that could go after its deadline: tasks without a
    deadline or with a later one, least important first, until their minutes reach `extra`;
    none when more than `MOVABLE_AT_MOST` tasks would be needed."""
    last = max(k for k, (task_id, _) in enumerate(items) if task_id == task.id)
    ahead: dict[str, int] = {}
    for task_id, minutes in items[:last]:
        other = tasks[task_id]
        if task.deadline is not None and (other.deadline is None or other.deadline > task.deadline):
            ahead[task_id] = ahead.get(task_id, 0) + minutes
    out: list[tuple[str, int]] = []
    total = 0
    for task_id in sorted(ahead, key=lambda t: (tasks[t].importance, -ahead[t], t)):
        if total >= extra:
            break
        if len(out) == MOVABLE_AT_MOST:
            return ()
        out.append((task_id, ahead[task_id]))
        total += ahead[task_id]
    return tuple(out)
