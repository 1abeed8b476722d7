"""A re-plan is never worse than starting over, and keeps what nothing forces to move."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devday.planning.solver import (
    Block,
    LateTask,
    Plan,
    blocks_moved,
    check_plan,
    problem_from_json,
    replan,
    solve,
)
from devday.planning.solver.replan import _own_reasons
from tests.planning.solver.solver_factories import problem, task
from tests.planning.solver.test_solver_properties import problems

DAY = "2026-03-0{}T{}:00+01:00"


def at(day: int, hhmm: str) -> datetime:
    return datetime.fromisoformat(DAY.format(day, hhmm))


def whole_day(task_id: str, day: int) -> list[Block]:
    return [
        Block(task_id, at(day, "09:00"), at(day, "12:00")),
        Block(task_id, at(day, "13:00"), at(day, "17:00")),
    ]


def finish(plan: Plan, task_id: str) -> datetime | None:
    ends = [b.end for b in plan.blocks if b.task_id == task_id]
    return max(ends) if ends else None


def test_it_does_not_push_a_late_p1_behind_kept_work_a_fresh_plan_finishes_earlier() -> None:
    # Monday 16:00. The plan from this morning gave Tuesday to a P4 reading task (due Friday)
    # and Wednesday to Friday to three days of backlog without a deadline. Now a P1 fix of 6 h,
    # due today at 17:00, comes in: it will be late whatever happens, but a fresh plan finishes
    # it on Tuesday; keeping the reading and the backlog would leave it no time at all.
    tasks: list[dict[str, Any]] = [
        task("reading", 420, importance=1, deadline=DAY.format(6, "17:00")),
        *(task(f"backlog{i}", 420, importance=3) for i in range(3)),
    ]
    previous = Plan(
        blocks=tuple(
            b
            for task_id, day in (("reading", 3), ("backlog0", 4), ("backlog1", 5), ("backlog2", 6))
            for b in whole_day(task_id, day)
        )
    )
    fix = task("fix", 360, importance=4, deadline=DAY.format(2, "17:00"))
    later = problem(
        tasks=[fix, *tasks], busy=[], routine=[], horizon_days=5, now=DAY.format(2, "16:00")
    )
    later = replace(
        later,
        working_hours={d: ((540, 720), (780, 1020)) for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    fresh = solve(later)
    plan = replan(later, previous)
    assert check_plan(later, plan) == []
    assert plan.missed_deadline_weight <= fresh.missed_deadline_weight
    assert plan.weighted_tardiness_minutes <= fresh.weighted_tardiness_minutes
    done, fresh_done = finish(plan, "fix"), finish(fresh, "fix")
    assert done is not None and fresh_done is not None
    assert done <= fresh_done <= at(3, "17:00")


def test_it_counts_the_blocks_that_moved() -> None:
    previous = Plan(blocks=(*whole_day("a", 3), *whole_day("b", 4)))
    moved = Plan(blocks=(*whole_day("a", 3), *whole_day("b", 5)))
    assert blocks_moved(previous, previous) == 0
    assert blocks_moved(previous, moved) == 2
    assert blocks_moved(previous, moved, since=at(5, "00:00")) == 0
    # The same instant in another offset is the same block.
    utc = Plan(blocks=tuple(replace(b, start=b.start, end=b.end) for b in previous.blocks))
    assert blocks_moved(previous, utc) == 0


def test_it_keeps_tomorrow_when_nothing_forces_a_move() -> None:
    tasks = [task(f"t{i}", 120) for i in range(5)]
    p = problem(tasks=tasks, busy=[])
    first = solve(p)
    done = {"task_id": "t0", "start": DAY.format(2, "09:00"), "end": DAY.format(2, "10:00")}
    later = problem(tasks=tasks, busy=[], now=DAY.format(2, "10:30"), pinned=[done])
    plan = replan(later, first)
    assert check_plan(later, plan) == []
    tomorrow = [b for b in first.blocks if b.start.day == 3]
    assert tomorrow
    assert blocks_moved(first, plan, since=at(3, "00:00")) == 0


@settings(max_examples=30, deadline=None)
@given(problems(), st.integers(0, 600))
def test_it_is_never_worse_than_a_fresh_plan(data: dict[str, Any], minutes: int) -> None:
    first_problem = problem_from_json(data)
    previous = solve(first_problem)
    later = replace(first_problem, now=first_problem.now + timedelta(minutes=minutes))
    plan = replan(later, previous)
    fresh = solve(later)
    assert check_plan(later, plan) == []
    # Never worse on the objective, compared in its order: no more missed weight, and missing
    # as much, no more tardiness.
    assert (plan.missed_deadline_weight, plan.weighted_tardiness_minutes) <= (
        fresh.missed_deadline_weight,
        fresh.weighted_tardiness_minutes,
    )
    if (plan.missed_deadline_weight, plan.weighted_tardiness_minutes) == (
        fresh.missed_deadline_weight,
        fresh.weighted_tardiness_minutes,
    ):
        assert plan.unplaced_weighted_minutes <= fresh.unplaced_weighted_minutes
        assert blocks_moved(previous, plan, since=later.now) <= blocks_moved(
            previous, fresh, since=later.now
        )


def test_a_kept_late_task_keeps_the_reason_it_had() -> None:
    deadline, finish = at(4, "12:00"), at(4, "17:00")
    before = Plan(blocks=(), late=(LateTask("k", deadline, finish, "the review needs Wed"),))
    pinned = Plan(blocks=(), late=(LateTask("k", deadline, finish, "its pinned blocks end"),))
    assert _own_reasons(pinned, before, {"k"}).late[0].reason == "the review needs Wed"
    assert _own_reasons(pinned, before, set()).late[0].reason == "its pinned blocks end"
