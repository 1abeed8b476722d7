"""The objective: only tasks with a deadline can miss one; work without a deadline that is left
out is the third term, and never costs a deadline that could be kept."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devday.planning.solver import (
    Block,
    Plan,
    UnscheduledTask,
    check,
    check_plan,
    lower_bound,
    plan_from_json,
    plan_to_json,
    problem_from_json,
    solve,
)
from devday.planning.solver.check import context
from tests.planning.solver.solver_factories import problem, task

DAY = "2026-03-02T{}:00+01:00"


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(DAY.format(hhmm))


def test_it_keeps_a_low_deadline_before_placing_important_work_without_one() -> None:
    # Monday 09:00-12:00 and 13:00-17:00: 7 h free. Open work is larger than that: a P1 refactor
    # of 7 h without a deadline, and a P4 report of 1 h due at 17:00. The report must be on time;
    # the refactor, which no longer fits whole, is what is left out.
    p = problem(
        horizon_days=1,
        busy=[],
        tasks=[
            task("refactor", 420, importance=4),
            task("report", 60, importance=1, deadline=DAY.format("17:00")),
        ],
    )
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert plan.late == ()
    assert plan.missed_deadline_weight == 0
    assert [u.task_id for u in plan.unscheduled] == ["refactor"]
    assert plan.unplaced_weighted_minutes == 8 * 420


def test_it_fills_the_rest_with_the_most_important_work_without_a_deadline() -> None:
    p = problem(
        horizon_days=1,
        busy=[],
        tasks=[
            task("p4", 180, importance=1),
            task("p1", 180, importance=4),
            task("due", 120, importance=2, deadline=DAY.format("12:00")),
            task("p2", 180, importance=3),
        ],
    )
    plan = solve(p)
    assert check_plan(p, plan) == []
    # 7 h free: the deadline's 2 h and the P1's 3 h fit; the 2 h left are too few for the P2 or
    # the P4 (3 h each).
    assert {b.task_id for b in plan.blocks} == {"due", "p1"}
    assert {u.task_id for u in plan.unscheduled} == {"p2", "p4"}
    assert plan.missed_deadline_weight == 0
    assert plan.unplaced_weighted_minutes == 4 * 180 + 1 * 180


def test_objective_reported_kept_for_work_left_out() -> None:
    p = problem(tasks=[task("x", 60, importance=3)])
    plan = Plan(
        blocks=(),
        unscheduled=(UnscheduledTask("x", "no room"),),
        unplaced_weighted_minutes=4 * 60,
    )
    assert [v.message for v in check.objective_reported(context(p, plan))] == []


def test_objective_reported_broken_for_work_left_out() -> None:
    p = problem(tasks=[task("x", 60, importance=3)])
    # The old definition: an unscheduled task without a deadline counted as a missed deadline.
    plan = Plan(blocks=(), unscheduled=(UnscheduledTask("x", "no room"),), missed_deadline_weight=4)
    messages = [v.message for v in check.objective_reported(context(p, plan))]
    assert "missed weight is 0, the plan says 4" in messages
    assert "weighted unplaced minutes is 240, the plan says 0" in messages


def test_it_does_not_count_a_placed_task_without_a_deadline() -> None:
    p = problem(tasks=[task("x", 60)])
    plan = Plan(blocks=(Block("x", at("09:00"), at("10:00")),))
    assert check_plan(p, plan) == []


def test_it_writes_and_reads_the_new_plan_fields() -> None:
    p = problem(horizon_days=1, busy=[], tasks=[task("big", 600, importance=4)])
    plan = solve(p)
    data = plan_to_json(plan)
    assert data["unplaced_weighted_minutes"] == 8 * 600
    assert data["deferred"] == []
    assert plan_from_json(data) == plan
    old = {k: v for k, v in data.items() if k not in ("unplaced_weighted_minutes", "deferred")}
    assert plan_from_json(old).unplaced_weighted_minutes == 0


def by_every_order(p: list[int], d: list[int | None], w: list[int]) -> int:
    """Least missed weight over all orders of the tasks with a deadline, run back to back (late
    ones just run late); tasks without a deadline never miss and can always go last."""
    dated = [j for j in range(len(p)) if d[j] is not None]
    best = sum(w[j] for j in dated)
    for order in itertools.permutations(dated):
        t = missed = 0
        for j in order:
            t += p[j]
            due = d[j]
            if due is not None and t > due:
                missed += w[j]
        best = min(best, missed)
    return best


@st.composite
def mixed_jobs(draw: st.DrawFn) -> tuple[list[int], list[int | None], list[int]]:
    n = draw(st.integers(1, 8))
    p = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    d = draw(st.lists(st.none() | st.integers(0, 40), min_size=n, max_size=n))
    w = draw(st.lists(st.sampled_from((1, 2, 4, 8)), min_size=n, max_size=n))
    return p, d, w


@settings(max_examples=60, deadline=None)
@given(mixed_jobs())
def test_it_solves_the_split_anywhere_case_exactly_with_work_without_deadlines(
    case: tuple[list[int], list[int | None], list[int]],
) -> None:
    # One working hour a day (15-minute units, 4 a day) over 10 days: 40 units, while the tasks
    # need up to 96, so heavy work without a deadline competes with light work that has one.
    p, d, w = case
    start = datetime.fromisoformat("2026-03-02T09:00:00+00:00")

    def due(units: int) -> str:
        days, rest = divmod(units, 4)
        if rest == 0:
            return (start + timedelta(days=days - 1, hours=1)).isoformat()
        return (start + timedelta(days=days, minutes=15 * rest)).isoformat()

    tasks: list[dict[str, Any]] = [
        {
            "id": f"t{i}",
            "estimate_minutes": 15 * p[i],
            "importance": w[i].bit_length(),
            "deadline": None if (units := d[i]) is None else due(units),
            "min_chunk_minutes": 5,
        }
        for i in range(len(p))
    ]
    data = {
        "now": start.isoformat(),
        "timezone": "UTC",
        "horizon_days": 10,
        "working_hours": {day: [["09:00", "10:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": [["09:00", "10:00"]], "sun": [["09:00", "10:00"]]},
        "tasks": tasks,
    }
    problem_ = problem_from_json(data)
    plan = solve(problem_)
    assert check_plan(problem_, plan) == []
    assert plan.missed_deadline_weight == lower_bound(problem_) == by_every_order(p, d, w)
