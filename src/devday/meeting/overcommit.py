"""Overcommitment across a team: late tasks that a teammate with free time could take.

Pure over the solver's types: each member's problem and plan come in, suggestions go out. For a
late task of member A, every teammate B's problem is solved again with the task added; B is a
candidate when the task is on time in B's plan and B misses no deadline they would have met
without it. The best candidate adds the least weighted tardiness to B, then finishes first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from devday.planning import solver

#: Each re-solve searches this long; the exact core and one construction always run first.
#: At most this many late tasks are looked at per meeting, the most important first.
MAX_LATE_TASKS = 10
GRID = 5


@dataclass(frozen=True)
class MemberPlan:
    """A member's planning problem from now, and the solver's plan for it."""

    user_id: int
    name: str
    problem: solver.Problem
    plan: solver.Plan
    movable: frozenset[str]  # ids of the late tasks that may change hands (team tasks)
    titles: dict[str, str]
    available: bool = True  # False for a member on leave: they take nothing on


@dataclass(frozen=True)
class Suggestion:
    task_id: int
    title: str
    deadline: datetime
    from_user_id: int
    from_name: str
    to_user_id: int
    to_name: str
    finish: datetime  # when the task would be done in the teammate's plan
    saved: int  # how many of the giver's other late tasks would then be on time
    reason: str


def suggest(members: list[MemberPlan]) -> list[Suggestion]:
    """At most one suggestion per late task, for tasks some teammate can take without harm."""
    late = [
        (giver, item)
        for giver in members
        for item in giver.plan.late
        if item.task_id in giver.movable and _free_standing(giver.problem, item.task_id)
    ]
    late.sort(
        key=lambda pair: (-_task(pair[0].problem, pair[1].task_id).importance, pair[1].deadline)
    )
    out: list[Suggestion] = []
    # Suggestions build on each other: a teammate who takes one task has less time for the next.
    current = {m.user_id: m for m in members}
    for giver, item in late[:MAX_LATE_TASKS]:
        moved = _as_moved(giver.problem, item.task_id)
        best: tuple[tuple[int, datetime, str], MemberPlan, datetime] | None = None
        for taker in current.values():
            if taker.user_id == giver.user_id or not taker.available:
                continue
            fit = _fits(taker, moved)
            if fit is None:
                continue
            finish, grown, taken = fit
            key = (grown, finish, taker.name)
            if best is None or key < best[0]:
                best = (key, taken, finish)
        if best is None:
            continue
        _, taker, finish_at = best
        current[taker.user_id] = taker
        saved = _saved(giver, item.task_id)
        zone = giver.problem.timezone
        out.append(
            Suggestion(
                task_id=int(item.task_id),
                title=moved.title,
                deadline=item.deadline,
                from_user_id=giver.user_id,
                from_name=giver.name,
                to_user_id=taker.user_id,
                to_name=taker.name,
                finish=finish_at,
                saved=saved,
                reason=_reason(giver, taker, item, finish_at, saved, zone),
            )
        )
    return out


def _task(problem: solver.Problem, task_id: str) -> solver.Task:
    return next(t for t in problem.tasks if t.id == task_id)


def _free_standing(problem: solver.Problem, task_id: str) -> bool:
    # A task tied to its owner's other tasks by dependencies stays with them: moving it alone
    # would break the order the plan keeps.
    task = _task(problem, task_id)
    return not task.depends_on and not any(task_id in t.depends_on for t in problem.tasks)


def _as_moved(problem: solver.Problem, task_id: str) -> solver.Task:
    """The task as a teammate would get it: only the work not yet done in pinned blocks."""
    task = _task(problem, task_id)
    done = sum(
        int((p.end - p.start).total_seconds() // 60) for p in problem.pinned if p.task_id == task_id
    )
    rest = max(GRID, task.estimate_minutes - done)
    rest = -(-rest // GRID) * GRID
    chunk = min(task.min_chunk_minutes, rest)
    return replace(task, estimate_minutes=rest, min_chunk_minutes=chunk)


def _fits(taker: MemberPlan, task: solver.Task) -> tuple[datetime, int, MemberPlan] | None:
    """(finish, added weighted tardiness, the taker with the task) when ``taker`` can take
    ``task`` without harm, else None."""
    problem = replace(taker.problem, tasks=(*taker.problem.tasks, task))
    try:
        plan = solver.solve(problem)
    except solver.ProblemError:
        return None
    late_now = {item.task_id for item in plan.late}
    late_before = {item.task_id for item in taker.plan.late}
    if task.id in late_now or not late_now <= late_before:
        return None
    ends = [b.end for b in plan.blocks if b.task_id == task.id]
    if not ends:
        return None
    grown = plan.weighted_tardiness_minutes - taker.plan.weighted_tardiness_minutes
    taken = replace(
        taker,
        problem=problem,
        plan=plan,
        titles={**taker.titles, task.id: task.title},
    )
    return max(ends), max(0, grown), taken


def _saved(giver: MemberPlan, task_id: str) -> int:
    """How many of the giver's other late tasks are on time once ``task_id`` is gone."""
    problem = replace(
        giver.problem,
        tasks=tuple(t for t in giver.problem.tasks if t.id != task_id),
        pinned=tuple(p for p in giver.problem.pinned if p.task_id != task_id),
    )
    try:
        plan = solver.solve(problem)
    except solver.ProblemError:
        return 0
    before = {item.task_id for item in giver.plan.late} - {task_id}
    after = {item.task_id for item in plan.late}
    return len(before - after)


def _reason(
    giver: MemberPlan,
    taker: MemberPlan,
    item: solver.LateTask,
    finish: datetime,
    saved: int,
    zone: str,
) -> str:
    local = finish.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")
    due = item.deadline.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")
    text = (
        f"{giver.name}'s plan misses it (due {due}); {taker.name} has the free time to finish "
        f"it by {local} without missing any of their own deadlines"
    )
    if saved:
        text += f", and {giver.name} would then meet {saved} more deadline" + (
            "" if saved == 1 else "s"
        )
    return text + "."
