"""Evidence-based scheduling: velocities from the history, the Monte Carlo over the plan, the
calibration per kind, and what would raise a chance."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devday.planning.solver import (
    PRIOR_VELOCITIES,
    Block,
    History,
    Plan,
    Problem,
    UnscheduledTask,
    calibration,
    forecast,
    on_time_probabilities,
    solve,
    velocities,
)
from devday.planning.solver.timeline import Axis, free_intervals, to_datetime, to_minute
from tests.planning.solver.solver_factories import problem, task

DAY = "2026-03-02T{}:00+01:00"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(DAY.format(hhmm))


def history(kind: str, estimate: int, actual: int, count: int, start: int = 0) -> list[History]:
    return [
        History(kind, estimate, actual, EPOCH + timedelta(days=start + i)) for i in range(count)
    ]


def one_task(deadline: str, minutes: int = 240) -> tuple[Problem, Plan]:
    """Monday 09:00-12:00 and 13:00-17:00 free; one task planned from 09:00."""
    p = problem(horizon_days=1, busy=[], tasks=[task("a", minutes, deadline=DAY.format(deadline))])
    return p, solve(p)


def test_it_divides_the_work_by_the_velocity() -> None:
    # Four hours of work, due at 11:00 (two free hours away).
    p, plan = one_task("11:00")
    fast = velocities(history("", 60, 30, 10))  # velocity 2: the work takes half its estimate
    assert on_time_probabilities(p, plan, fast) == {"a": 1.0}
    p, plan = one_task("17:00", minutes=240)
    slow = velocities(history("", 30, 60, 10))  # velocity 0.5: twice the estimate, 8 h
    assert on_time_probabilities(p, plan, slow) == {"a": 0.0}
    exact = velocities(history("", 60, 60, 10))
    assert on_time_probabilities(p, plan, exact) == {"a": 1.0}


def test_it_draws_a_velocity_for_each_future() -> None:
    # Half the history at velocity 1 (one hour, on time at 10:30), half at 0.5 (two hours, late).
    p = problem(horizon_days=1, busy=[], tasks=[task("a", 60, deadline=DAY.format("10:30"))])
    plan = solve(p)
    mixed = velocities(history("", 60, 60, 10) + history("", 60, 120, 10, start=100))
    chance = on_time_probabilities(p, plan, mixed, futures=2000, seed=1)["a"]
    assert 0.45 <= chance <= 0.55
    assert on_time_probabilities(p, plan, mixed, futures=2000, seed=1)["a"] == chance


def test_it_leaves_out_tasks_without_a_deadline_and_appends_the_unscheduled() -> None:
    p = problem(
        horizon_days=1,
        busy=[],
        tasks=[
            task("free", 60),
            task("dated", 60, deadline=DAY.format("17:00")),
            task("left", 60, deadline=DAY.format("16:00")),
        ],
    )
    plan = Plan(
        blocks=(Block("free", at("09:00"), at("10:00")), Block("dated", at("10:00"), at("11:00"))),
        late=(),
        unscheduled=(UnscheduledTask("left", "no room"),),
    )
    exact = velocities(history("", 60, 60, 10))
    chances = on_time_probabilities(p, plan, exact)
    assert set(chances) == {"dated", "left"}
    # 'left' comes after the planned work: 11:00-12:00, on time for 16:00.
    assert chances == {"dated": 1.0, "left": 1.0}
    slow = velocities(history("", 60, 180, 10))  # everything takes three times as long
    chances = on_time_probabilities(p, plan, slow)
    # 'free' and 'dated' take 09:00-12:00 and 13:00-16:00; 'left' would end at 19:00.
    assert chances == {"dated": 1.0, "left": 0.0}


def test_it_uses_a_kind_of_its_own_all_kinds_or_the_prior() -> None:
    assert velocities([]).source("coding").basis == "prior"
    assert velocities([]).for_kind("coding") == PRIOR_VELOCITIES
    few = velocities(history("coding", 60, 30, 9))
    assert few.source("coding").basis == "prior"
    mixed = velocities(history("coding", 60, 30, 9) + history("review", 60, 60, 3, start=50))
    assert mixed.source("coding").basis == "all"
    assert mixed.source("coding").n == 12
    own = velocities(history("coding", 60, 30, 10) + history("review", 60, 60, 3, start=50))
    assert own.source("coding").basis == "kind"
    assert set(own.for_kind("coding")) == {2.0}
    assert own.source("review").basis == "all"


def test_it_takes_the_most_recent_fifty() -> None:
    old = history("", 60, 120, 60)  # velocity 0.5, long ago
    recent = history("", 60, 60, 50, start=1000)  # velocity 1, the latest fifty
    used = velocities(old + recent)
    assert used.source("").n == 50
    assert set(used.everyone) == {1.0}


def test_it_ignores_tasks_without_logged_time() -> None:
    used = velocities(history("", 60, 0, 20) + history("", 60, 60, 10, start=100))
    assert used.source("").n == 10


def test_it_says_how_estimates_run_per_kind() -> None:
    found = calibration(
        history("coding", 60, 84, 5) + history("review", 60, 30, 3, start=10), recent=50
    )
    assert found["coding"].ratio == 1.4
    assert found["coding"].n == 5
    assert found["coding"].describe() == "your coding estimates run 1.4x short"
    assert found["review"].describe() == "your review estimates run 2.0x long"
    assert found[""].n == 8
    assert (
        calibration(history("x", 60, 61, 1))["x"].describe() == "your x estimates are about right"
    )


def test_it_says_what_would_raise_a_chance_to_eighty_percent() -> None:
    p = problem(
        horizon_days=1,
        busy=[],
        tasks=[task("backlog", 120, importance=1), task("due", 120, deadline=DAY.format("13:30"))],
    )
    # The backlog goes first (as a user might have pinned it); 'due' needs 11:00-12:00, 13:00-14:00.
    plan = Plan(
        blocks=(
            Block("backlog", at("09:00"), at("11:00")),
            Block("due", at("11:00"), at("12:00")),
            Block("due", at("13:00"), at("14:00")),
        ),
        late=(),
    )
    used = velocities(history("", 60, 60, 10) + history("", 60, 90, 10, start=100))
    found = forecast(p, plan, used)
    assert found["due"].probability < 0.8
    extra = found["due"].extra_minutes
    assert extra is not None and extra > 0
    assert found["due"].movable == (("backlog", 120),)
    # With that much more free time before the deadline, the chance is 80% at least.
    axis = Axis.of(free_intervals(p))
    later = axis.to_time(axis.position(to_minute(at("13:30"))) + extra)
    moved = replace(
        p, tasks=(p.tasks[0], replace(p.tasks[1], deadline=to_datetime(later, ZoneInfo("UTC"))))
    )
    assert on_time_probabilities(moved, plan, used)["due"] >= 0.8
    # And with one minute less, it is not.
    earlier = to_datetime(
        axis.to_time(axis.position(to_minute(at("13:30"))) + extra - 1), ZoneInfo("UTC")
    )
    short = replace(p, tasks=(p.tasks[0], replace(p.tasks[1], deadline=earlier)))
    assert on_time_probabilities(short, plan, used)["due"] < 0.8


def test_it_names_no_tasks_to_move_when_no_small_move_would_do() -> None:
    # Four half-hour tasks go first, then three hours of 'due', which is due at 13:30: the work
    # takes five of the free hours (09:00-12:00, 13:00-15:00), so 90 more free minutes before
    # the deadline would make it, as moving three of the small tasks after it would.
    small = [task(f"s{i}", 30, importance=1) for i in range(4)]
    p = problem(horizon_days=1, busy=[], tasks=[*small, task("due", 180, deadline=at_("13:30"))])
    blocks = tuple(
        Block(
            f"s{i}",
            at("09:00") + timedelta(minutes=30 * i),
            at("09:30") + timedelta(minutes=30 * i),
        )
        for i in range(4)
    )
    plan = Plan(blocks=(*blocks, Block("due", at("13:00"), at("16:00"))), late=())
    exact = velocities(history("", 60, 60, 10))
    found = forecast(p, plan, exact)
    assert found["due"].probability == 0.0
    assert found["due"].extra_minutes == 90
    assert found["due"].movable == (("s0", 30), ("s1", 30), ("s2", 30))
    # Two hours more would take all four: more than a hint should ask of anyone.
    later = replace(p, tasks=(*p.tasks[:4], replace(p.tasks[4], estimate_minutes=210)))
    plan = replace(plan, blocks=(*blocks, Block("due", at("13:00"), at("16:30"))))
    found = forecast(later, plan, exact)
    assert found["due"].extra_minutes == 120
    assert found["due"].movable == ()


def at_(hhmm: str) -> str:
    return DAY.format(hhmm)
