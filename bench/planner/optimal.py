"""Our missed weight against CP-SAT's proven optimum of the full problem (see `cpsat.py`).

Run from the repository root (needs `.venv/bin/pip install ortools`; without it, it says so and
stops):

    .venv/bin/python -m bench.planner.optimal [--seeds 5] [--sizes 50x10,200x20] [--limit 10]

For each instance: our plan (default search), then CP-SAT stage 1 (missed weight) hinted with our
plan, and stages 2 (weighted tardiness at that missed weight) and 3 (weighted minutes of work
without a deadline left out, at both) when stage 1 is proven. Both plans
must pass `check_plan`; a CP-SAT plan that fails it means the model is wrong, and the run stops.
The table counts, per family, the instances where CP-SAT proved stage 1 ('proven'; 'via_axis' of
them only through stage 0, which is exact when everything splits down to the grid), those where
ours equals that optimum, and the worst gap (ours minus the optimum, in missed weight);
'tardiness_equal' counts instances where ours also matches CP-SAT's stage 2 (within its limit);
'unproven_cp_better' counts the other instances where CP-SAT's best plan, not proven optimal,
still misses less weight than ours (and by how much at most).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `devday` importable
    _root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(_root), str(_root / "src")]

from bench.planner.cpsat import available, solve_cpsat
from bench.planner.instances import families, instance
from devday.planning.solver import DEFAULT_BUDGET_MS, check_plan, lower_bound, problem_from_json
from devday.planning.solver import solve as solve_ours


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5, help="instances per family")
    parser.add_argument("--sizes", default="50x10,200x20", help="tasks x working days, ...")
    parser.add_argument("--limit", type=float, default=10.0, help="CP-SAT stage 1 seconds")
    parser.add_argument("--stage2", type=float, default=2.0, help="CP-SAT stage 2 seconds")
    parser.add_argument("--chunks", type=int, default=4, help="most blocks per task in CP-SAT")
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET_MS, help="our cap, ms")
    parser.add_argument(
        "--iterations", type=int, default=None, help="our search, evaluations (default: by size)"
    )
    parser.add_argument("--only", default="", help="families whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per instance")
    args = parser.parse_args(argv)
    if not available():
        print("ortools is not installed: no CP-SAT reference (.venv/bin/pip install ortools)")
        return 1
    sizes = tuple(
        (int(n), int(d)) for n, d in (s.split("x") for s in args.sizes.replace("d", "").split(","))
    )
    started = time.perf_counter()
    columns = ["family", "n", "proven", "via_axis", "ours_equal", "ours_better", "worst_gap",
               "sum_ours", "sum_opt", "tardiness_equal", "unproven_cp_better", "cp_s"]  # fmt: skip
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    totals = {"proven": 0, "equal": 0, "n": 0}
    for family in families(sizes):
        if args.only not in family.name:
            continue
        proven = equal = better = t_equal = via_axis = cp_better = cp_gap = 0
        worst = 0
        sum_ours = sum_opt = 0
        seconds: list[float] = []
        for seed in range(args.seeds):
            problem = problem_from_json(instance(family, seed))
            ours = solve_ours(problem, time_budget_ms=args.budget, iterations=args.iterations)
            assert not check_plan(problem, ours), "our plan breaks a rule"
            cp = solve_cpsat(
                problem,
                hint=ours,
                time_limit_s=args.limit,
                stage2_limit_s=args.stage2,
                max_chunks=args.chunks,
            )
            if cp is None:
                continue
            seconds.append(cp.seconds)
            broken = [] if cp.plan is None else check_plan(problem, cp.plan)
            if broken:
                print(f"CP-SAT plan breaks rules on {family.name}#{seed}: {broken[:3]}")
                return 2
            assert cp.plan is None or cp.plan.missed_deadline_weight == cp.missed
            if args.verbose:
                print(
                    f"  {family.name}#{seed}: bound {lower_bound(problem)} ours "
                    f"{ours.missed_deadline_weight}/{ours.weighted_tardiness_minutes} cp "
                    f"{cp.missed}/{cp.tardiness} proven {cp.proven} (>= {cp.bound}) "
                    f"optimum {cp.optimum} unplaced ours {ours.unplaced_weighted_minutes} "
                    f"cp {cp.unplaced} "
                    f"{cp.seconds:.1f} s",
                    flush=True,
                )
            if cp.optimum is None:
                if cp.missed is not None and cp.missed < ours.missed_deadline_weight:
                    cp_better += 1  # CP-SAT's best within the limit beats ours, unproven
                    cp_gap = max(cp_gap, ours.missed_deadline_weight - cp.missed)
                continue
            proven += 1
            via_axis += not cp.proven
            sum_ours += ours.missed_deadline_weight
            sum_opt += cp.optimum
            gap = ours.missed_deadline_weight - cp.optimum
            equal += gap <= 0
            better += gap < 0  # only possible where the chunk cap K binds
            worst = max(worst, gap)
            if gap == 0 and cp.tardiness is not None:
                t_equal += ours.weighted_tardiness_minutes <= cp.tardiness
        totals["proven"] += proven
        totals["equal"] += equal
        totals["n"] += args.seeds
        row = [family.name, args.seeds, proven, via_axis, equal, better, worst, sum_ours, sum_opt,
               t_equal, f"{cp_better} (by <= {cp_gap})" if cp_better else "0",
               f"{statistics.median(seconds):.1f}" if seconds else "-"]  # fmt: skip
        print(" | ".join(str(c) for c in row), flush=True)
    share = 100 * totals["equal"] / totals["proven"] if totals["proven"] else 0.0
    print(
        f"ours equals CP-SAT's proven optimum on {totals['equal']} of {totals['proven']} "
        f"proven instances ({share:.0f}%); CP-SAT proved {totals['proven']} of {totals['n']}; "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
