"""Each hard rule alone: a plan that keeps it and a plan that breaks it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from devday.planning.solver import Block, Plan, Problem, UnscheduledTask, check
from devday.planning.solver.check import context
from tests.planning.solver.solver_factories import problem, task

BERLIN = "+01:00"


def at(hhmm: str, day: int = 2) -> datetime:
    return datetime.fromisoformat(f"2026-03-{day:02d}T{hhmm}:00{BERLIN}")


def good_plan() -> Plan:
    """A valid plan for `problem()`: A 09:00-11:00, B 13:00-14:30 (after lunch), C 14:30-15:00
    and 15:30-16:00 (around the 1:1)."""
    return Plan(
        blocks=(
            Block("a", at("09:00"), at("11:00")),
            Block("b", at("13:00"), at("14:30")),
            Block("c", at("14:30"), at("15:00")),
            Block("c", at("15:30"), at("16:00")),
        )
    )


def with_block(plan: Plan, index: int, block: Block) -> Plan:
    blocks = list(plan.blocks)
    blocks[index] = block
    return replace(plan, blocks=tuple(blocks))


def run(rule: str, p: Problem, plan: Plan) -> list[str]:
    return [v.message for v in getattr(check, rule)(context(p, plan))]


def test_it_accepts_the_reference_plan() -> None:
    assert check.check_plan(problem(), good_plan()) == []


def test_starts_after_now_kept() -> None:
    assert run("starts_after_now", problem(), good_plan()) == []


def test_starts_after_now_broken() -> None:
    p = problem(now="2026-03-02T09:30:00+01:00")
    assert run("starts_after_now", p, good_plan())


def test_within_horizon_kept() -> None:
    assert run("within_horizon", problem(), good_plan()) == []


def test_within_horizon_broken() -> None:
    plan = with_block(good_plan(), 1, Block("b", at("13:00", 4), at("14:30", 4)))
    assert run("within_horizon", problem(), plan)


def test_on_grid_kept() -> None:
    assert run("on_grid", problem(), good_plan()) == []


def test_on_grid_broken() -> None:
    plan = with_block(good_plan(), 0, Block("a", at("09:02"), at("11:02")))
    assert run("on_grid", problem(), plan)


def test_inside_working_hours_kept() -> None:
    assert run("inside_working_hours", problem(), good_plan()) == []


def test_inside_working_hours_broken() -> None:
    plan = with_block(good_plan(), 1, Block("b", at("16:00"), at("17:30")))
    assert run("inside_working_hours", problem(), plan)


def test_no_routine_overlap_kept() -> None:
    assert run("no_routine_overlap", problem(), good_plan()) == []


def test_no_routine_overlap_broken() -> None:
    plan = with_block(good_plan(), 1, Block("b", at("11:00"), at("12:30")))
    assert run("no_routine_overlap", problem(), plan)


def test_no_busy_overlap_kept() -> None:
    assert run("no_busy_overlap", problem(), good_plan()) == []


def test_no_busy_overlap_broken() -> None:
    plan = with_block(good_plan(), 3, Block("c", at("15:00"), at("15:30")))
    assert run("no_busy_overlap", problem(), plan)


def test_no_block_overlap_kept() -> None:
    assert run("no_block_overlap", problem(), good_plan()) == []


def test_no_block_overlap_broken() -> None:
    plan = with_block(good_plan(), 1, Block("b", at("10:30"), at("12:00")))
    assert run("no_block_overlap", problem(), plan)


def test_estimate_met_kept() -> None:
    assert run("estimate_met", problem(), good_plan()) == []


def test_estimate_met_broken() -> None:
    plan = with_block(good_plan(), 3, Block("c", at("15:30"), at("16:30")))
    assert run("estimate_met", problem(), plan)


def test_unsplittable_one_block_kept() -> None:
    assert run("unsplittable_one_block", problem(), good_plan()) == []


def test_unsplittable_one_block_broken() -> None:
    plan = with_block(good_plan(), 1, Block("b", at("13:00"), at("14:00")))
    plan = replace(plan, blocks=(*plan.blocks, Block("b", at("16:00"), at("16:30"))))
    assert run("unsplittable_one_block", problem(), plan)


def test_min_chunk_kept() -> None:
    assert run("min_chunk", problem(), good_plan()) == []


def test_min_chunk_broken() -> None:
    plan = with_block(good_plan(), 2, Block("c", at("14:30"), at("14:45")))
    plan = replace(plan, blocks=(*plan.blocks, Block("c", at("16:00"), at("16:15"))))
    assert run("min_chunk", problem(), plan)


def test_earliest_start_kept() -> None:
    assert run("earliest_start", problem(), good_plan()) == []


def test_earliest_start_broken() -> None:
    plan = with_block(good_plan(), 2, Block("c", at("11:00"), at("11:30")))
    assert run("earliest_start", problem(), plan)


def test_dependencies_kept() -> None:
    assert run("dependencies", problem(), good_plan()) == []


def test_dependencies_broken() -> None:
    plan = with_block(good_plan(), 0, Block("a", at("13:30", 3), at("15:30", 3)))
    assert run("dependencies", problem(), plan)


def test_dependencies_broken_when_the_dependency_is_unscheduled() -> None:
    plan = replace(
        good_plan(),
        blocks=good_plan().blocks[1:],
        unscheduled=(UnscheduledTask("a", "no room"),),
    )
    assert run("dependencies", problem(), plan)


def test_tasks_accounted_kept() -> None:
    assert run("tasks_accounted", problem(), good_plan()) == []


def test_tasks_accounted_broken() -> None:
    plan = replace(good_plan(), unscheduled=(UnscheduledTask("zz", "gone"),))
    assert run("tasks_accounted", problem(), plan)


def test_pinned_kept_kept() -> None:
    p = problem(
        pinned=[
            {
                "task_id": "a",
                "start": "2026-03-02T09:00:00+01:00",
                "end": "2026-03-02T10:00:00+01:00",
            }
        ]
    )
    plan = with_block(good_plan(), 0, Block("a", at("09:00"), at("10:00")))
    plan = replace(plan, blocks=(*plan.blocks, Block("a", at("10:00"), at("11:00"))))
    assert run("pinned_kept", p, plan) == []
    assert check.check_plan(p, plan) == []


def test_pinned_kept_broken() -> None:
    p = problem(
        pinned=[
            {
                "task_id": "a",
                "start": "2026-03-02T08:00:00+01:00",
                "end": "2026-03-02T09:00:00+01:00",
            }
        ]
    )
    assert run("pinned_kept", p, good_plan())


def test_late_listed_kept() -> None:
    assert run("late_listed", problem(), good_plan()) == []


def test_late_listed_broken() -> None:
    plan = with_block(good_plan(), 0, Block("a", at("09:00", 3), at("11:00", 3)))
    assert run("late_listed", problem(), plan)


def test_objective_reported_kept() -> None:
    p = problem(tasks=[task("x", 60, deadline="2026-03-02T09:30:00+01:00", importance=3)])
    plan = Plan(
        blocks=(Block("x", at("09:00"), at("10:00")),),
        missed_deadline_weight=4,
        weighted_tardiness_minutes=4 * 30,
    )
    assert run("objective_reported", p, plan) == []


def test_objective_reported_broken() -> None:
    p = problem(tasks=[task("x", 60, deadline="2026-03-02T09:30:00+01:00", importance=3)])
    plan = Plan(blocks=(Block("x", at("09:00"), at("10:00")),), missed_deadline_weight=4)
    assert run("objective_reported", p, plan)


def test_it_counts_an_unscheduled_task_as_finishing_at_the_horizon_end() -> None:
    p = problem(tasks=[task("x", 60, deadline="2026-03-03T17:00:00+01:00")])
    plan = Plan(
        blocks=(),
        unscheduled=(UnscheduledTask("x", "no room"),),
        missed_deadline_weight=2,
        weighted_tardiness_minutes=2 * int(timedelta(hours=7).total_seconds() // 60),
    )
    assert run("objective_reported", p, plan) == []
