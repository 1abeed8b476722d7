"""The single-machine weighted tardiness search against brute force."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from devday.planning.solver import weighted_tardiness_sequence
from devday.planning.solver.wt import weighted_tardiness


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[int], list[int], list[int]]:
    n = draw(st.integers(1, 7))
    p = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    w = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    d = draw(st.lists(st.integers(0, sum(p)), min_size=n, max_size=n))
    return p, w, d


@settings(max_examples=50, deadline=None)
@given(instances())
def test_it_finds_the_optimum_of_small_instances(
    case: tuple[list[int], list[int], list[int]],
) -> None:
    p, w, d = case
    seq, cost = weighted_tardiness_sequence(p, w, d, time_budget_ms=200)
    assert sorted(seq) == list(range(len(p)))
    assert cost == weighted_tardiness(seq, p, w, d)
    best = min(weighted_tardiness(s, p, w, d) for s in itertools.permutations(range(len(p))))
    assert cost == best


def test_it_stops_at_zero_cost() -> None:
    seq, cost = weighted_tardiness_sequence([3, 2, 1], [1, 1, 1], [6, 6, 6])
    assert cost == 0
    assert sorted(seq) == [0, 1, 2]
