"""The local search's moves and the list scheduler's resume-from-a-prefix."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devday.planning.solver import check_plan, problem_from_json, solve
from devday.planning.solver.schedule import build_jobs, kind_intervals, place
from devday.planning.solver.search import (
    Evaluator,
    _moved,
    eject_chain,
    improve,
    slot_moves,
    trade_moves,
)
from devday.planning.solver.timeline import free_intervals, horizon
from tests.planning.solver.solver_factories import problem, task
from tests.planning.solver.test_solver_properties import problems

DAY = "2026-03-02T{}:00+01:00"


def fragmented() -> Any:
    """One day, 09:00-12:00 and 13:00-17:00 free. 'c' is due at noon; 'a' (low weight, due at
    17:00) fits only partly before lunch, so placed early it cuts the afternoon, which 'u' (four
    hours in one block, also due at 17:00) needs whole."""
    return problem(
        horizon_days=1,
        busy=[],
        tasks=[
            task("c", 120, deadline=DAY.format("12:00")),
            task("a", 90, importance=1, deadline=DAY.format("17:00"), min_chunk_minutes=30),
            task("u", 240, splittable=False, deadline=DAY.format("17:00")),
        ],
    )


def evaluator(p: Any) -> Evaluator:
    return Evaluator(build_jobs(p), free_intervals(p), horizon(p)[1], kind_intervals(p), limit=500)


def test_the_order_c_a_u_leaves_the_block_unscheduled() -> None:
    evaluate = evaluator(fragmented())
    placement = evaluate([0, 1, 2])
    assert 2 in placement.unscheduled
    assert placement.score[0] == 2


def test_slot_moves_put_the_block_before_whoever_cuts_its_gap() -> None:
    evaluate = evaluator(fragmented())
    order = [0, 1, 2]
    best = evaluate(order)
    moves = slot_moves(evaluate, order, best, 2, random.Random(0))
    # The afternoon gap holds 'a' (position 1): 'u' moves just before it.
    assert ("insert", 2, 1) in moves
    # 'c' (due at noon) can only use the morning, where it is already first: no move.
    assert slot_moves(evaluate, order, best, 0, random.Random(0)) == []


def test_improve_trades_the_light_task_for_the_block() -> None:
    evaluate = evaluator(fragmented())
    order = [0, 1, 2]
    best = evaluate(order)
    order, best = improve(evaluate, order, best)
    assert best.score[0] == 1  # 'a' (weight 1) misses instead of 'u' (weight 2)
    assert 2 in best.blocks


def test_an_ejection_chain_starts_with_the_slot_move() -> None:
    evaluate = evaluator(fragmented())
    order = [0, 1, 2]
    start = evaluate(order)
    found = eject_chain(evaluate, order, start, 2, random.Random(0))
    assert found is not None
    better_order, better = found
    assert better.score < start.score
    assert better_order.index(2) < better_order.index(1)


def test_solve_places_the_block() -> None:
    p = fragmented()
    plan = solve(p)
    assert check_plan(p, plan) == []
    assert plan.missed_deadline_weight == 1
    assert "u" not in {u.task_id for u in plan.unscheduled}


@settings(max_examples=40, deadline=None)
@given(data=problems(), seed=st.integers(0, 1000))
def test_resuming_from_a_prefix_places_exactly_as_from_scratch(data: Any, seed: int) -> None:
    p = problem_from_json(data)
    jobs = build_jobs(p)
    free = free_intervals(p)
    rng = random.Random(seed)
    first = list(range(len(jobs)))
    rng.shuffle(first)
    reference = place(jobs, first, free, record=True)
    assert reference.trace is not None
    for _ in range(5):
        other = first.copy()
        a, b = rng.randrange(len(other)), rng.randrange(len(other))
        other.insert(b, other.pop(a))
        fresh = place(jobs, other, free)  # no trace, no resume
        resumed = place(jobs, other, free, resume=reference.trace)
        assert resumed.blocks == fresh.blocks
        assert resumed.finish == fresh.finish
        assert resumed.unscheduled == fresh.unscheduled


def test_a_trade_gives_the_block_the_place_of_a_lighter_task() -> None:
    evaluate = evaluator(fragmented())
    order = [0, 1, 2]
    best = evaluate(order)
    moves = trade_moves(evaluate, order, best, 2)
    # Donors come before 'u' and weigh no more: 'c' (2) and 'a' (1), the larger first.
    assert moves == [("trade", 2, 0), ("trade", 2, 1)]
    traded = evaluate(_moved(order, ("trade", 2, 1)))
    assert 2 in traded.blocks and traded.score[0] == 1
    assert _moved(order, ("trade", 2, 1)) == [0, 2, 1]


def test_improve_tries_the_tasks_the_core_kept_on_time_first() -> None:
    evaluate = evaluator(fragmented())
    order = [0, 1, 2]
    best = evaluate(order)
    order, best = improve(evaluate, order, best, focus=frozenset({2}))
    assert best.score[0] == 1
    assert 2 in best.blocks
