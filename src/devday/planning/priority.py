"""The duty list: every open task's priority score, with an explanation of each term.

Pure: a solver Problem (for the free time ahead and the tasks) and a few facts per task in,
ordered items out. The clock is the problem's ``now``.

Terms, each a named function:
- importance: 2^(importance-1), the same weight the planner gives a missed deadline;
- deadline: the task's own pressure, its remaining work against the free time before its own
  deadline (10 points when it needs all of that time, capped at 12; overdue is 12). Other tasks'
  work does not enter it, so identical tasks score the same;
- blocking: 1.5 for each open task waiting on this one (at most 6);
- blocked: -3 when it waits on an open task;
- age: 0.05 a day since it was created (at most 2);
- boosts: the user's own, by tag, project or kind;
- order: at equal importance a task due earlier never ranks below one due later. Where age,
  boosts, blocking or a larger task's pressure would put a later one above it, the earlier task is
  raised to that task's score (and listed first, ties going to the earlier deadline); the term
  names the task it keeps ahead of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

from devday.planning.solver import Problem, Task
from devday.planning.solver.timeline import (
    Axis,
    free_intervals,
    horizon,
    minutes_between,
    to_minute,
)

LABELS = {4: "P1 (critical)", 3: "P2 (high)", 2: "P3 (normal)", 1: "P4 (low)"}


@dataclass(frozen=True)
class Term:
    name: str
    points: float
    explanation: str


@dataclass(frozen=True)
class TaskFacts:
    """What the score needs beyond the solver task: its age and the boosts that match it."""

    created_at: datetime
    boosts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DutyItem:
    task: Task
    score: float
    terms: tuple[Term, ...] = field(default=())


def hours(minutes: float) -> str:
    value = minutes / 60
    return f"{value:.0f} h" if abs(value - round(value)) < 0.05 else f"{value:.1f} h"


@lru_cache(maxsize=4096)
def local_when(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` as the terms show it, e.g. "Tue 16:00". Remembered: a thousand tasks share a
    few hundred deadlines, and each deadline is shown by its own task's term and again by the
    order terms of the tasks kept ahead of it; formatting each anew was a tenth of the list."""
    return moment.astimezone(zone).strftime("%a %H:%M")


def importance_term(task: Task) -> Term:
    return _importance_term(task.importance)


@lru_cache(maxsize=8)
def _importance_term(importance: int) -> Term:
    """One term per importance, shared (a ``Term`` is frozen): spelled once, not per task."""
    points = float(2 ** (importance - 1))
    return Term("importance", points, f"{LABELS[importance]}: +{points:.1f}")


def deadline_term(
    task: Task, work_minutes: int, free_minutes: int, now: datetime, zone: ZoneInfo
) -> Term | None:
    """The task's own deadline pressure: `work_minutes` (its remaining work) against the
    `free_minutes` before its deadline."""
    if task.deadline is None:
        return None
    when = local_when(task.deadline, zone)
    if task.deadline <= now:
        return Term("deadline", 12.0, f"overdue since {when}: +12.0")
    if free_minutes <= 0:
        return Term(
            "deadline", 12.0, f"deadline {when}, no free working time left before it: +12.0"
        )
    points = round(min(12.0, 10.0 * work_minutes / free_minutes), 1)
    return Term(
        "deadline",
        points,
        f"deadline {when}, {hours(work_minutes)} of work and {hours(free_minutes)} free "
        f"before it: +{points:.1f}",
    )


def blocking_term(waiting: list[Task]) -> Term | None:
    if not waiting:
        return None
    points = min(6.0, 1.5 * len(waiting))
    names = ", ".join(f"'{t.title}'" for t in waiting[:3]) + (" ..." if len(waiting) > 3 else "")
    return Term("blocking", points, f"{len(waiting)} waiting on it ({names}): +{points:.1f}")


def blocked_term(open_dependencies: list[Task]) -> Term | None:
    if not open_dependencies:
        return None
    names = ", ".join(f"'{t.title}'" for t in open_dependencies[:3])
    return Term("blocked", -3.0, f"waits on {names}: -3.0")


def age_term(created_at: datetime, now: datetime) -> Term | None:
    days = (now - created_at).total_seconds() / 86400
    if days < 1:
        return None
    points = round(min(2.0, 0.05 * days), 1)
    return Term("age", points, f"open {days:.0f} days: +{points:.1f}") if points else None


def boost_terms(boosts: tuple[tuple[str, float], ...]) -> list[Term]:
    return [Term("boost", weight, f"your boost {key}: {weight:+.1f}") for key, weight in boosts]


def order_term(points: float, ahead_of: Task, zone: ZoneInfo) -> Term:
    """The lift that keeps a task due earlier from ranking below `ahead_of`, due later at the
    same importance."""
    assert ahead_of.deadline is not None
    when = local_when(ahead_of.deadline, zone)
    return Term(
        "order",
        points,
        f"due before '{ahead_of.title}' (same importance, due {when}), so not below it: "
        f"+{points:.1f}",
    )


def duty_list(
    problem: Problem, facts: dict[str, TaskFacts], *, open_elsewhere: dict[str, list[Task]]
) -> list[DutyItem]:
    """Every task of ``problem`` scored and ordered: highest score, then earliest deadline.

    ``open_elsewhere`` names, per task, open dependencies that are not in the problem (another
    person's task), which block it all the same. At equal importance a task due earlier is
    never listed below one due later (the ``order`` term).
    """
    zone = ZoneInfo(problem.timezone)
    axis = Axis.of(free_intervals(problem))
    start, end = horizon(problem)
    by_id = {t.id: t for t in problem.tasks}
    waiting: dict[str, list[Task]] = {t.id: [] for t in problem.tasks}
    for task in problem.tasks:
        for dep in task.depends_on:
            if dep in waiting:
                waiting[dep].append(task)
    pinned: dict[str, int] = {}
    for p in problem.pinned:
        pinned[p.task_id] = pinned.get(p.task_id, 0) + minutes_between(p.start, p.end)

    items: dict[str, DutyItem] = {}
    free_before: dict[datetime, int] = {}  # a few hundred deadlines among a thousand tasks
    for task in problem.tasks:
        terms: list[Term | None] = [importance_term(task)]
        if task.deadline is not None:
            free = free_before.get(task.deadline)
            if free is None:
                last = min(end, max(start, to_minute(task.deadline)))
                free = free_before[task.deadline] = axis.free_between(start, last)
            work = max(0, task.estimate_minutes - pinned.get(task.id, 0))
            terms.append(deadline_term(task, work, free, problem.now, zone))
        terms.append(blocking_term(waiting[task.id]))
        deps = [by_id[d] for d in task.depends_on if d in by_id]
        terms.append(blocked_term(deps + open_elsewhere.get(task.id, [])))
        fact = facts.get(task.id)
        if fact is not None:
            terms.append(age_term(fact.created_at, problem.now))
            terms.extend(boost_terms(fact.boosts))
        kept = tuple(filter(None, terms))  # a Term is never falsy: this drops the Nones
        items[task.id] = DutyItem(task, round(sum([t.points for t in kept]), 1), kept)
    _keep_deadline_order(items, zone)
    far = problem.now.replace(year=9999)
    return sorted(items.values(), key=lambda i: (-i.score, i.task.deadline or far, i.task.id))


def _keep_deadline_order(items: dict[str, DutyItem], zone: ZoneInfo) -> None:
    """Raise, at each importance, every task with a deadline to the best score of the tasks of
    that importance due strictly later (the ``order`` term), so that sorting by score and then
    by deadline never puts a later deadline first."""
    levels: dict[int, list[DutyItem]] = {}
    for item in items.values():
        if item.task.deadline is not None:
            levels.setdefault(item.task.importance, []).append(item)
    for level in levels.values():
        level.sort(key=lambda i: i.task.deadline or datetime.max, reverse=True)
        best: DutyItem | None = None  # the highest score among those due strictly later
        for _deadline, same in groupby(level, key=lambda i: i.task.deadline):
            group = list(same)  # sorted, so the tasks due at one moment are side by side
            for item in group:
                if best is not None and best.score > item.score:
                    lift = round(best.score - item.score, 1)
                    items[item.task.id] = DutyItem(
                        item.task, best.score, (*item.terms, order_term(lift, best.task, zone))
                    )
            top = max(group, key=lambda i: i.score)
            if best is None or top.score > best.score:
                best = top
