"""Property tests: every plan is valid, the exact core is exact, JSON round-trips."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devday.planning.solver import (
    check_plan,
    lower_bound,
    plan_from_json,
    plan_to_json,
    problem_from_json,
    problem_to_json,
    replan,
    solve,
)
from devday.planning.solver.core import brute_force_late_weight, lawler_moore

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC")
FAST = settings(max_examples=60, deadline=None)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def windows(draw: st.DrawFn) -> list[list[str]]:
    count = draw(st.integers(0, 2))
    cuts = sorted(draw(st.lists(st.integers(0, 96), min_size=2 * count, max_size=2 * count)))
    out: list[list[str]] = []
    for a, b in itertools.pairwise(cuts[::1]):
        if len(out) < count and b > a:
            out.append([hhmm(a * 15), hhmm(b * 15)])
    return out[::2]


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(ZONES))
    grid = draw(st.sampled_from((5, 15)))
    # Around the spring daylight-saving change in Europe and the US, with seconds in `now`.
    base = datetime.fromisoformat("2026-03-06T00:00:00+00:00")
    now = base + timedelta(seconds=draw(st.integers(0, 3 * 86400)))
    horizon_days = draw(st.integers(1, 4))

    def instant(hours: int) -> str:
        return (now + timedelta(minutes=hours * 15)).isoformat()

    n = draw(st.integers(1, 8))
    tasks = []
    for i in range(n):
        t: dict[str, Any] = {
            "id": f"t{i}",
            "title": f"Task {i}",
            "estimate_minutes": grid * draw(st.integers(1, 24)),
            "importance": draw(st.integers(1, 4)),
            "splittable": draw(st.booleans()),
            "min_chunk_minutes": draw(st.sampled_from((5, 15, 30, 60))),
            "kind": draw(st.sampled_from(("", "coding", "review"))),
        }
        if draw(st.booleans()):
            t["deadline"] = instant(draw(st.integers(-4, 400)))
        if draw(st.integers(0, 3)) == 0:
            t["earliest_start"] = instant(draw(st.integers(-4, 200)))
        if i and draw(st.integers(0, 2)) == 0:
            t["depends_on"] = sorted({f"t{draw(st.integers(0, i - 1))}"})
        tasks.append(t)
    data: dict[str, Any] = {
        "now": now.isoformat(),
        "timezone": zone,
        "horizon_days": horizon_days,
        "grid_minutes": grid,
        "working_hours": {d: draw(windows()) or [["09:00", "17:00"]] for d in DAYS},
        "routine": [{"title": "Lunch", "days": list(DAYS[:5]), "start": "12:00", "end": "13:00"}]
        if draw(st.booleans())
        else [],
        "busy": [
            {"title": "Meeting", "start": instant(k), "end": instant(k + draw(st.integers(1, 8)))}
            for k in draw(st.lists(st.integers(-8, 300), max_size=3))
        ],
        "tasks": tasks,
        "preferences": {"kind_windows": {"coding": [["09:00", "12:00"]]}},
    }
    if draw(st.booleans()):
        data["pinned"] = [
            {
                "task_id": "t0",
                "start": instant(-4),
                "end": (now + timedelta(minutes=-60 + grid)).isoformat(),
            }
        ]
        tasks[0]["estimate_minutes"] += grid
    return data


@FAST
@given(problems())
def test_it_returns_only_valid_plans(data: dict[str, Any]) -> None:
    problem = problem_from_json(data)
    plan = solve(problem, time_budget_ms=20)
    assert check_plan(problem, plan) == []
    assert plan.missed_deadline_weight >= lower_bound(problem)


@settings(max_examples=40, deadline=None)
@given(problems(), st.integers(0, 600))
def test_it_replans_into_valid_plans(data: dict[str, Any], minutes: int) -> None:
    problem = problem_from_json(data)
    plan = solve(problem, time_budget_ms=10)
    later = replace(problem, now=problem.now + timedelta(minutes=minutes))
    assert check_plan(later, replan(later, plan, time_budget_ms=10)) == []


@FAST
@given(problems())
def test_it_round_trips_problems_and_plans_through_json(data: dict[str, Any]) -> None:
    problem = problem_from_json(data)
    assert problem_from_json(problem_to_json(problem)) == problem
    plan = solve(problem, time_budget_ms=5)
    assert plan_from_json(plan_to_json(plan)) == plan


@st.composite
def jobs(draw: st.DrawFn, most: int) -> tuple[list[int], list[int], list[int]]:
    n = draw(st.integers(1, most))
    p = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    d = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    w = draw(st.lists(st.sampled_from((1, 2, 4, 8)), min_size=n, max_size=n))
    return p, d, w


def by_every_order(p: list[int], d: list[int], w: list[int]) -> int:
    """Least missed weight over all n! orders run back to back (late jobs just run late)."""
    best = sum(w)
    for order in itertools.permutations(range(len(p))):
        t = missed = 0
        for j in order:
            t += p[j]
            if t > d[j]:
                missed += w[j]
        best = min(best, missed)
    return best


@settings(max_examples=40, deadline=None)
@given(jobs(8))
def test_it_matches_a_brute_force_over_all_orders(
    case: tuple[list[int], list[int], list[int]],
) -> None:
    p, d, w = case
    core = lawler_moore(p, d, w)
    assert core.late_weight == by_every_order(p, d, w) == brute_force_late_weight(p, d, w)
    t = 0
    for j in sorted(core.on_time, key=lambda k: d[k]):
        t += p[j]
        assert t <= d[j]


@FAST
@given(jobs(8))
def test_it_solves_the_split_anywhere_case_exactly(
    case: tuple[list[int], list[int], list[int]],
) -> None:
    # One working hour a day, 09:00-10:00 UTC, so axis minute x is easy to place on the calendar.
    p, d, w = case
    start = datetime.fromisoformat("2026-03-02T09:00:00+00:00")

    def due(units: int) -> str:
        # Axis unit k (15 free minutes, 4 a day) ends at 09:15 + 15 * (k % 4 - 1) on day k // 4;
        # a multiple of 4 ends at 10:00 the day before.
        days, rest = divmod(units, 4)
        if rest == 0:
            return (start + timedelta(days=days - 1, hours=1)).isoformat()
        return (start + timedelta(days=days, minutes=15 * rest)).isoformat()

    tasks = [
        {
            "id": f"t{i}",
            "estimate_minutes": 15 * p[i],
            "importance": w[i].bit_length(),
            "deadline": due(d[i])
            if d[i] % 4
            else (start + timedelta(days=d[i] // 4 - 1, hours=1)).isoformat(),
            "min_chunk_minutes": 5,
        }
        for i in range(len(p))
    ]
    data = {
        "now": start.isoformat(),
        "timezone": "UTC",
        "horizon_days": 40,
        "working_hours": {day: [["09:00", "10:00"]] for day in DAYS},
        "tasks": tasks,
    }
    problem = problem_from_json(data)
    plan = solve(problem, time_budget_ms=50)
    assert check_plan(problem, plan) == []
    assert plan.missed_deadline_weight == by_every_order(p, d, w)
