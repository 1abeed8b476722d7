"""Behaviour of `solve` and `replan` on hand-made cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from devday.planning.solver import (
    Block,
    check_plan,
    lower_bound,
    problem_from_json,
    replan,
    solve,
)
from devday.planning.solver.timeline import minutes_between
from tests.planning.solver.solver_factories import problem, problem_json, task

DAY = "2026-03-02T{}:00+01:00"


def test_it_solves_the_reference_problem() -> None:
    p = problem()
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert plan.missed_deadline_weight == 0
    assert {b.task_id for b in plan.blocks} == {"a", "b", "c"}


def test_it_explains_an_overload_with_an_interval_argument() -> None:
    p = problem(
        tasks=[
            task("a", 150, importance=4, deadline=DAY.format("13:00")),
            task("b", 120, importance=1, deadline=DAY.format("13:00")),
        ]
    )
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert plan.missed_deadline_weight == 1
    (late,) = plan.late
    assert late.task_id == "b"
    assert (
        "'A' and 'B' need 4.5 h between Mon 09:00 and Mon 13:00; only 3 h are free" in late.reason
    )
    assert "add 1.5 h of working time before Mon 13:00" in late.reason


def test_it_explains_an_unsplittable_task_that_never_fits() -> None:
    p = problem(tasks=[task("a", 300, splittable=False)])
    plan = solve(p)
    (unscheduled,) = plan.unscheduled
    assert unscheduled.reason.startswith("needs 5 h in one block")
    assert check_plan(p, plan) == []


def test_it_unschedules_the_dependents_of_an_unscheduled_task() -> None:
    p = problem(tasks=[task("a", 600, splittable=False), task("b", 30, depends_on=["a"])])
    plan = solve(p)
    reasons = {u.task_id: u.reason for u in plan.unscheduled}
    assert reasons["b"] == "depends on 'A', which is unscheduled"
    assert check_plan(p, plan) == []


def test_it_places_dependent_work_after_its_dependency() -> None:
    p = problem(tasks=[task("b", 60, depends_on=["a"]), task("a", 60)])
    plan = solve(p)
    ends = {b.task_id: b.end for b in plan.blocks}
    starts = {b.task_id: b.start for b in plan.blocks}
    assert starts["b"] >= ends["a"]


def test_it_reaches_the_lower_bound_when_everything_splits() -> None:
    tasks = [
        task(
            f"t{i}",
            30 * (1 + i % 5),
            importance=1 + i % 4,
            min_chunk_minutes=5,
            deadline=DAY.format(f"{10 + i % 7}:00"),
        )
        for i in range(20)
    ]
    p = problem(tasks=tasks, busy=[])
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert plan.missed_deadline_weight == lower_bound(p) > 0


def test_it_puts_kinds_in_their_windows_when_that_costs_nothing() -> None:
    p = problem(
        tasks=[task("a", 60, kind="review"), task("b", 60, kind="coding")],
        preferences={"kind_windows": {"review": [["14:00", "15:00"]]}},
    )
    plan = solve(p)
    (review,) = [b for b in plan.blocks if b.task_id == "a"]
    assert review.start.astimezone(ZoneInfo("Europe/Berlin")).hour == 14


def test_it_never_places_work_before_now_and_keeps_pinned_blocks() -> None:
    pinned = [{"task_id": "a", "start": DAY.format("08:00"), "end": DAY.format("09:00")}]
    p = problem(now=DAY.format("10:07"), pinned=pinned)
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert (
        Block(
            "a",
            datetime.fromisoformat(DAY.format("08:00")),
            datetime.fromisoformat(DAY.format("09:00")),
        )
        in plan.blocks
    )
    assert all(b.start >= p.now for b in plan.blocks if b.start.hour != 8)


def dst_problem(day: str) -> dict[str, Any]:
    return problem_json(
        now=f"{day}T00:00:00+01:00",
        horizon_days=1,
        working_hours={"sun": [["00:00", "24:00"]]},
        routine=[],
        busy=[],
        tasks=[task("long", 60 * 26, min_chunk_minutes=5)],
    )


def test_it_follows_the_spring_daylight_saving_change() -> None:
    p = problem_from_json(dst_problem("2026-03-29"))
    plan = solve(p)
    assert check_plan(p, plan) == []
    # Berlin's last Sunday of March has 23 hours: 23 h fit, the 26-hour task does not.
    assert [u.task_id for u in plan.unscheduled] == ["long"]
    fits = problem_from_json({**dst_problem("2026-03-29"), "tasks": [task("x", 23 * 60)]})
    placed = solve(fits)
    assert check_plan(fits, placed) == []
    assert sum(minutes_between(b.start, b.end) for b in placed.blocks) == 23 * 60


def test_it_follows_the_autumn_daylight_saving_change() -> None:
    data = {**dst_problem("2026-10-25"), "now": "2026-10-25T00:00:00+02:00"}
    data["tasks"] = [task("x", 25 * 60, min_chunk_minutes=5)]
    p = problem_from_json(data)
    plan = solve(p)
    # The last Sunday of October has 25 hours in Berlin.
    assert plan.unscheduled == ()
    assert check_plan(p, plan) == []


def test_it_keeps_local_working_hours_across_the_change() -> None:
    data = problem_json(
        now="2026-03-27T09:00:00+01:00",
        horizon_days=4,
        busy=[],
        tasks=[task(f"t{i}", 240, splittable=False) for i in range(4)],
    )
    p = problem_from_json(data)
    plan = solve(p)
    assert check_plan(p, plan) == []
    local = [b.start.astimezone(ZoneInfo("Europe/Berlin")) for b in plan.blocks]
    assert {(t.hour, t.minute) for t in local} <= {(9, 0), (13, 0)}
    assert {t.utcoffset() for t in local} == {timedelta(hours=1), timedelta(hours=2)}


def test_it_is_deterministic() -> None:
    p = problem()
    assert solve(p) == solve(p)


def test_it_replans_after_an_overrun_without_moving_tomorrow() -> None:
    tasks = [task(f"t{i}", 120, importance=2) for i in range(5)]
    p = problem(tasks=tasks, busy=[])
    first = solve(p)
    tomorrow = [b for b in first.blocks if b.start.day == 3]
    assert tomorrow
    # 30 minutes later than planned: t0 ran over, and its first hour is done and pinned.
    done = {"task_id": "t0", "start": DAY.format("09:00"), "end": DAY.format("10:00")}
    later = problem(tasks=tasks, busy=[], now=DAY.format("10:30"), pinned=[done])
    plan = replan(later, first)
    assert check_plan(later, plan) == []
    assert all(b in plan.blocks for b in tomorrow)


def test_it_moves_tomorrow_when_a_deadline_forces_it() -> None:
    tasks = [task(f"t{i}", 180) for i in range(4)]
    p = problem(tasks=tasks, busy=[])
    first = solve(p)
    kept_blocks = [b for b in first.blocks if b.start.day == 3]
    assert kept_blocks
    # All 600 free minutes before Tuesday noon are needed by the urgent task.
    urgent = task("u", 600, importance=4, deadline="2026-03-03T12:00:00+01:00")
    later = problem(tasks=[*tasks, urgent], busy=[])
    plan = replan(later, first)
    assert check_plan(later, plan) == []
    assert "u" not in {x.task_id for x in plan.late}
    assert not all(b in plan.blocks for b in kept_blocks)


def test_it_says_when_a_deadline_had_already_passed() -> None:
    p = problem(tasks=[task("a", 60, deadline="2026-02-27T17:00:00+01:00")])
    (late,) = solve(p).late
    assert late.reason == "its deadline (Fri 27 Feb 17:00) had passed before the plan starts"


def test_it_explains_a_single_task_that_is_too_big_for_its_deadline() -> None:
    p = problem(tasks=[task("a", 240, deadline=DAY.format("12:00"))], busy=[])
    (late,) = solve(p).late
    assert late.reason.startswith("'A' needs 4 h between Mon 09:00 and Mon 12:00; only 3 h")
    assert "cut the estimate of 'A' by 1 h" in late.reason


def test_it_moves_only_the_blocks_a_deadline_forces() -> None:
    # Half a day each: t2 has Tuesday morning, t3 the afternoon, t4 and t5 Wednesday.
    tasks = [task(f"t{i}", 210) for i in range(6)]
    p = problem(tasks=tasks, busy=[], horizon_days=5)
    first = solve(p)
    starts = {t["id"]: min(b.start for b in first.blocks if b.task_id == t["id"]) for t in tasks}
    noon = datetime.fromisoformat(TUE_NOON)
    assert starts["t2"] < noon <= starts["t3"] < starts["t4"]
    # Monday 16:00: an urgent task needs 2 h by Tuesday noon, and only 1 h of Monday is left.
    urgent = task("u", 120, importance=4, deadline=TUE_NOON)
    later = problem(tasks=[*tasks, urgent], busy=[], horizon_days=5, now=DAY.format("16:00"))
    plan = replan(later, first)
    assert check_plan(later, plan) == []
    assert plan.missed_deadline_weight == 0
    # t2's morning had to go; t3, t4 and t5 start after the deadline and keep their blocks.
    assert any(b not in plan.blocks for b in first.blocks if b.task_id == "t2")
    assert all(b in plan.blocks for b in first.blocks if b.task_id in ("t3", "t4", "t5"))


TUE_NOON = "2026-03-03T12:00:00+01:00"
