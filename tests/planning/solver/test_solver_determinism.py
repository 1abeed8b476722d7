"""The search stops on a count of evaluations, not on the clock: a slow machine gives the same
plan as a fast one."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from devday.planning.solver import Problem, problem_from_json, solve
from devday.planning.solver.search import Evaluator
from tests.planning.solver.solver_factories import problem_json

DAYS = ("mon", "tue", "wed", "thu", "fri")


def overloaded(seed: int = 7) -> Problem:
    """A week with half again as much work as free time: unsplittable tasks, minimum chunks and
    deadlines, where the search keeps finding better orders for a long while."""
    rng = random.Random(seed)
    tasks: list[dict[str, Any]] = []
    for i in range(40):
        t: dict[str, Any] = {
            "id": f"t{i}",
            "title": f"Task {i}",
            "estimate_minutes": rng.choice((30, 45, 60, 90, 120, 180, 240)),
            "importance": rng.choice((1, 2, 2, 3, 4)),
            "splittable": rng.random() > 0.35,
            "min_chunk_minutes": rng.choice((15, 30, 60)),
        }
        if rng.random() < 0.85:
            t["deadline"] = (
                f"2026-03-0{rng.randint(2, 6)}T{rng.choice(('11', '13', '15', '17'))}:00:00+01:00"
            )
        tasks.append(t)
    return problem_from_json(
        problem_json(
            horizon_days=5, working_hours={d: [["09:00", "17:00"]] for d in DAYS}, tasks=tasks
        )
    )


class Counting:
    """Wraps `Evaluator.__call__`: counts evaluations, and sleeps in each when slow."""

    def __init__(self, sleep: float) -> None:
        self.sleep = sleep
        self.count = 0
        self.original = Evaluator.__call__

    def __call__(self, evaluator: Evaluator, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        if self.sleep:
            time.sleep(self.sleep)
        return self.original(evaluator, *args, **kwargs)


def run(monkeypatch: pytest.MonkeyPatch, p: Problem, sleep: float, **options: Any) -> Any:
    counting = Counting(sleep)
    with monkeypatch.context() as patch:
        patch.setattr(Evaluator, "__call__", lambda self, *a, **k: counting(self, *a, **k))
        plan = solve(p, **options)
    return plan, counting.count


def test_it_gives_the_same_plan_on_a_slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    p = overloaded()
    iterations = 60
    # A generous cap: the iteration budget is what binds, at either speed.
    fast, fast_count = run(monkeypatch, p, 0.0, iterations=iterations, time_budget_ms=60_000)
    # The same, with every evaluation 3 ms slower (a loaded machine): a search that stopped on
    # the clock would make far fewer evaluations here and end elsewhere.
    slow, slow_count = run(monkeypatch, p, 0.003, iterations=iterations, time_budget_ms=60_000)
    assert slow == fast
    assert slow_count == fast_count
    # The budget bound (the search had not converged): more iterations would change the plan.
    assert fast_count >= iterations
    better, _ = run(monkeypatch, p, 0.0, iterations=4 * iterations, time_budget_ms=60_000)
    assert better != fast


def test_it_stops_at_the_cap_when_the_budget_is_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = overloaded()
    started = time.perf_counter()
    plan, count = run(monkeypatch, p, 0.01, iterations=10_000, time_budget_ms=300)
    # The cap is a safety net: construction always finishes, the search stops soon after it.
    assert time.perf_counter() - started < 3
    assert count < 100
    assert plan.blocks
