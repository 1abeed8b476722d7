"""Goals (tasks with `first_rank`) are the first work of their day, in rank order, unless a
deadline needs that time; then the plan says why."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings

from devday.planning.solver import (
    Plan,
    ProblemError,
    check_plan,
    plan_to_json,
    problem_from_json,
    problem_to_json,
    replan,
    solve,
)
from tests.planning.solver.solver_factories import problem, problem_json, task
from tests.planning.solver.test_solver_properties import problems

TUE = "2026-03-03T{}:00+01:00"


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(TUE.format(hhmm))


def evening(*tasks: dict[str, Any]) -> Any:
    """Monday 21:00, after the evening reflection; Tuesday and Wednesday to plan."""
    return problem(now="2026-03-02T21:00:00+01:00", busy=[], tasks=list(tasks))


def goal(task_id: str, minutes: int, rank: int, **fields: Any) -> dict[str, Any]:
    return task(task_id, minutes, first_rank=rank, earliest_start=TUE.format("09:00"), **fields)


def starts(plan: Plan) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for b in plan.blocks:
        out[b.task_id] = min(out.get(b.task_id, b.start), b.start)
    return out


def test_it_puts_the_goals_first_in_their_order() -> None:
    p = evening(
        task("backlog", 240, importance=4),
        task("review", 60, importance=3, deadline="2026-03-04T17:00:00+01:00"),
        goal("third", 30, 3, importance=1),
        goal("first", 60, 1, importance=1),
        goal("second", 45, 2, importance=1),
    )
    plan = solve(p)
    assert check_plan(p, plan) == []
    first = starts(plan)
    assert first["first"] == at("09:00")
    assert first["second"] == at("10:00")
    assert first["third"] == at("10:45")
    assert min(first.values()) == at("09:00")
    assert plan.deferred == ()


def test_a_deadline_that_needs_the_morning_goes_before_the_goal_and_says_so() -> None:
    p = evening(
        task("checkout", 180, title="Fix checkout", importance=2, deadline=TUE.format("12:00")),
        goal("learn", 60, 1, importance=1),
        goal("write", 30, 2, importance=1),
    )
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert plan.missed_deadline_weight == 0
    first = starts(plan)
    assert first["checkout"] == at("09:00")
    # Right after lunch, in their order: as early as the deadline allows.
    assert first["learn"] == at("13:00")
    assert first["write"] == at("14:00")
    reasons = {d.task_id: d.reason for d in plan.deferred}
    assert set(reasons) == {"learn", "write"}
    assert "after 'Fix checkout' (due Tue 12:00), which needs the time" in reasons["learn"]
    assert plan_to_json(plan)["deferred"][0]["task_id"] == "learn"


def test_a_goal_is_never_placed_before_its_earliest_start() -> None:
    p = evening(
        task("other", 120, importance=4),
        task("late_goal", 60, first_rank=1, earliest_start=TUE.format("10:00")),
    )
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert starts(plan)["late_goal"] == at("10:00")
    assert plan.deferred == ()


def test_a_goal_that_no_deadline_needs_moves_nothing_due_later() -> None:
    # The deadline is Wednesday: Tuesday morning is the goal's.
    p = evening(
        task("checkout", 180, importance=4, deadline="2026-03-04T12:00:00+01:00"),
        goal("learn", 60, 1, importance=1),
    )
    plan = solve(p)
    assert starts(plan)["learn"] == at("09:00")
    assert plan.missed_deadline_weight == 0


def test_a_replan_does_not_hold_a_new_goal_behind_kept_blocks() -> None:
    base = evening(task("a", 180), task("b", 180))
    previous = solve(replace(base, now=datetime.fromisoformat("2026-03-02T17:00:00+01:00")))
    assert min(starts(previous).values()) == at("09:00")
    later = evening(task("a", 180), task("b", 180), goal("learn", 60, 1))
    plan = replan(later, previous)
    assert check_plan(later, plan) == []
    assert starts(plan)["learn"] == at("09:00")


def test_it_reads_and_writes_first_rank() -> None:
    data = problem_json(tasks=[task("g", 30, first_rank=2)])
    p = problem_from_json(data)
    assert p.tasks[0].first_rank == 2
    assert problem_from_json(problem_to_json(p)) == p
    with pytest.raises(ProblemError) as info:
        problem_from_json(problem_json(tasks=[task("g", 30, first_rank=0)]))
    assert info.value.field == "tasks[0].first_rank"


@settings(max_examples=40, deadline=None)
@given(problems())
def test_goals_never_cost_a_deadline(data: dict[str, Any]) -> None:
    data["preferences"] = {}  # no preference pass: the two plans share their search
    plain = problem_from_json(data)
    ranked = replace(
        plain,
        tasks=tuple(
            replace(t, first_rank=k + 1) if k % 2 == 0 else t for k, t in enumerate(plain.tasks)
        ),
    )
    without, with_goals = solve(plain), solve(ranked)
    assert check_plan(ranked, with_goals) == []
    assert with_goals.missed_deadline_weight <= without.missed_deadline_weight
    assert with_goals.weighted_tardiness_minutes <= without.weighted_tardiness_minutes
