"""The duty list's score: a task's own deadline pressure, identical tasks alike, and never a
later deadline above an earlier one at equal importance."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from devday.planning.priority import DutyItem, TaskFacts, duty_list
from devday.planning.solver import Problem, Task

NOW = datetime.fromisoformat("2026-03-02T09:00:00+01:00")  # a Monday
WEEK: dict[str, tuple[tuple[int, int], ...]] = {
    d: ((540, 1020),) for d in ("mon", "tue", "wed", "thu", "fri")
}


def make(*tasks: Task, **fields: Any) -> Problem:
    return Problem(
        now=NOW,
        timezone="Europe/Berlin",
        horizon_days=14,
        working_hours=WEEK,
        tasks=tasks,
        **fields,
    )


def scores(items: list[DutyItem]) -> dict[str, float]:
    return {i.task.id: i.score for i in items}


def test_it_ranks_two_outages_due_in_four_hours_above_a_p1_due_tuesday() -> None:
    tuesday = Task(
        "release", "Ship the release", 600, importance=4, deadline=NOW + timedelta(days=1, hours=8)
    )
    down = [
        Task(f"down{i}", "Site is down", 60, importance=4, deadline=NOW + timedelta(hours=4))
        for i in (1, 2)
    ]
    items = duty_list(make(tuesday, *down), {}, open_elsewhere={})
    assert [i.task.id for i in items][:2] == ["down1", "down2"]
    assert scores(items)["down1"] == scores(items)["down2"]
    assert scores(items)["down1"] >= scores(items)["release"]
    # The outage's own pressure: one hour of work in four free hours.
    (deadline,) = [t for t in items[0].terms if t.name == "deadline"]
    assert deadline.points == 2.5
    assert deadline.explanation == "deadline Mon 13:00, 1 h of work and 4 h free before it: +2.5"
    (order,) = [t for t in items[0].terms if t.name == "order"]
    assert "due before 'Ship the release' (same importance, due Tue 17:00)" in order.explanation


def test_it_does_not_charge_a_task_for_other_tasks_work() -> None:
    alone = Task("a", "A", 120, importance=2, deadline=NOW + timedelta(days=2))
    before = [
        Task(f"x{i}", "X", 240, importance=2, deadline=NOW + timedelta(days=1)) for i in range(3)
    ]

    def pressure(items: list[DutyItem]) -> float:
        (a,) = [i for i in items if i.task.id == "a"]
        (deadline,) = [t for t in a.terms if t.name == "deadline"]
        return deadline.points

    by_itself = pressure(duty_list(make(alone), {}, open_elsewhere={}))
    assert by_itself == 1.2  # 2 h of work, 16 h free before Wednesday 09:00
    assert pressure(duty_list(make(alone, *before), {}, open_elsewhere={})) == by_itself


def test_an_older_or_boosted_task_due_later_does_not_pass_one_due_earlier() -> None:
    soon = Task("soon", "Soon", 30, importance=2, deadline=NOW + timedelta(days=3))
    later = Task("later", "Later", 30, importance=2, deadline=NOW + timedelta(days=5))
    facts = {"later": TaskFacts(created_at=NOW - timedelta(days=60), boosts=(("tag:x", 5.0),))}
    items = duty_list(make(soon, later), facts, open_elsewhere={})
    assert [i.task.id for i in items] == ["soon", "later"]
    assert items[0].score == items[1].score


DEADLINES = st.one_of(st.none(), st.integers(-10, 400).map(lambda h: NOW + timedelta(hours=h)))


@st.composite
def duty_problems(draw: st.DrawFn) -> tuple[Problem, dict[str, TaskFacts]]:
    n = draw(st.integers(1, 8))
    tasks = []
    facts = {}
    for i in range(n):
        deps = (
            tuple(sorted({f"t{draw(st.integers(0, i - 1))}"})) if i and draw(st.booleans()) else ()
        )
        tasks.append(
            Task(
                f"t{i}",
                f"Task {i}",
                draw(st.sampled_from((15, 60, 240, 900))),
                importance=draw(st.integers(1, 4)),
                deadline=draw(DEADLINES),
                depends_on=deps,
            )
        )
        if draw(st.booleans()):
            facts[f"t{i}"] = TaskFacts(
                created_at=NOW - timedelta(days=draw(st.integers(0, 90))),
                boosts=(("tag:x", draw(st.sampled_from((-3.0, 1.0, 5.0)))),)
                if draw(st.booleans())
                else (),
            )
    return make(*tasks), facts


@settings(max_examples=80, deadline=None)
@given(duty_problems())
def test_an_earlier_deadline_never_ranks_below_a_later_one(
    case: tuple[Problem, dict[str, TaskFacts]],
) -> None:
    problem, facts = case
    items = duty_list(problem, facts, open_elsewhere={})
    rank = {i.task.id: k for k, i in enumerate(items)}
    for a in problem.tasks:
        for b in problem.tasks:
            if (
                a.importance == b.importance
                and a.deadline
                and b.deadline
                and a.deadline < b.deadline
            ):
                assert rank[a.id] < rank[b.id]


@settings(max_examples=60, deadline=None)
@given(duty_problems())
def test_identical_tasks_score_the_same(case: tuple[Problem, dict[str, TaskFacts]]) -> None:
    problem, facts = case
    # A twin of t0: the same task, facts and dependencies; nothing waits on either.
    assume(not any("t0" in t.depends_on for t in problem.tasks))
    twin = replace(problem.tasks[0], id="twin")
    with_twin = replace(problem, tasks=(*problem.tasks, twin))
    if "t0" in facts:
        facts = {**facts, "twin": facts["t0"]}
    found = scores(duty_list(with_twin, facts, open_elsewhere={}))
    assert found["twin"] == found["t0"]
