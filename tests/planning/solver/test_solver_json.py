"""`problem_from_json` names the field of every bad input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devday.planning.solver import ProblemError, plan_from_json, problem_from_json
from tests.planning.solver.solver_factories import problem_json, task


def field_of(data: dict[str, Any]) -> str:
    with pytest.raises(ProblemError) as info:
        problem_from_json(data)
    return info.value.field


def test_it_accepts_the_reference_problem() -> None:
    assert len(problem_from_json(problem_json()).tasks) == 3


def test_it_names_an_unknown_timezone() -> None:
    assert field_of(problem_json(timezone="Mars/Olympus")) == "timezone"


def test_it_names_a_bad_working_hours_time() -> None:
    data = problem_json(working_hours={"mon": [["9am", "17:00"]]})
    assert field_of(data) == "working_hours.mon[0][0]"


def test_it_names_a_bad_routine_time() -> None:
    data = problem_json(routine=[{"title": "x", "days": ["mon"], "start": "25:00", "end": "26:00"}])
    assert field_of(data) == "routine[0].start"


def test_it_names_a_bad_instant() -> None:
    assert field_of(problem_json(now="yesterday")) == "now"
    assert field_of(problem_json(now="2026-03-02T09:00:00")) == "now"


def test_it_names_a_negative_estimate() -> None:
    assert field_of(problem_json(tasks=[task("a", -30)])) == "tasks[0].estimate_minutes"


def test_it_names_an_estimate_off_the_grid() -> None:
    assert field_of(problem_json(tasks=[task("a", 7)])) == "tasks[0].estimate_minutes"


def test_it_names_an_unknown_dependency() -> None:
    data = problem_json(tasks=[task("a", 30), task("b", 30, depends_on=["a", "zz"])])
    assert field_of(data) == "tasks[1].depends_on[1]"


def test_it_names_a_dependency_cycle() -> None:
    data = problem_json(
        tasks=[
            task("a", 30, depends_on=["c"]),
            task("b", 30, depends_on=["a"]),
            task("c", 30, depends_on=["b"]),
        ]
    )
    assert field_of(data).endswith(".depends_on")


def test_it_names_a_duplicate_task_id() -> None:
    assert field_of(problem_json(tasks=[task("a", 30), task("a", 30)])) == "tasks[1].id"


def test_it_names_a_bad_importance() -> None:
    assert field_of(problem_json(tasks=[task("a", 30, importance=5)])) == "tasks[0].importance"


def test_it_names_a_pinned_block_of_an_unknown_task() -> None:
    pinned = [
        {"task_id": "zz", "start": "2026-03-02T08:00:00+01:00", "end": "2026-03-02T09:00:00+01:00"}
    ]
    assert field_of(problem_json(pinned=pinned)) == "pinned[0].task_id"


def test_it_names_a_missing_field() -> None:
    data = problem_json()
    del data["horizon_days"]
    assert field_of(data) == "horizon_days"


def test_it_names_a_bad_grid() -> None:
    assert field_of(problem_json(grid_minutes=7)) == "grid_minutes"


def test_it_names_a_bad_plan_field() -> None:
    with pytest.raises(ProblemError) as info:
        plan_from_json({"blocks": [{"task_id": "a", "start": "x", "end": "y"}]})
    assert info.value.field == "blocks[0].start"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5000) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_it_raises_only_problem_errors_on_mangled_input(data: st.DataObject) -> None:
    raw = problem_json()
    where = data.draw(st.sampled_from(paths(raw)[1:]))
    target: Any = raw
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = data.draw(JSON_VALUES)
    try:
        problem_from_json(raw)
    except ProblemError as error:
        assert error.field
