"""OR-Library single-machine weighted tardiness (wt40, wt50, wt100) through our sequencing core.

Reads the instances from ../shared/benchmarks/orlib-wt/ relative to the repository root (never
copied into the repo): each job is an unsplittable task on one continuous timeline with a soft
due date, and only weighted tardiness counts. Run from the repository root:

    .venv/bin/python -m bench.planner.orlib [--limit N] [--budget MS] [--sets wt40,wt50,wt100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `devday` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from devday.planning.solver import weighted_tardiness_sequence
from devday.planning.solver.wt import weighted_tardiness

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "benchmarks" / "orlib-wt"
REFERENCE = {"wt40": "wtopt40.txt", "wt50": "wtopt50.txt", "wt100": "wtbest100b.txt"}


def load(name: str) -> list[tuple[list[int], list[int], list[int]]]:
    """All instances of one file as (processing times, weights, due dates)."""
    n = int(name[2:])
    numbers = [int(x) for x in (DATA / f"{name}.txt").read_text().split()]
    return [
        (numbers[k : k + n], numbers[k + n : k + 2 * n], numbers[k + 2 * n : k + 3 * n])
        for k in range(0, len(numbers) - 3 * n + 1, 3 * n)
    ]


def reference(name: str) -> list[int]:
    return [int(x) for x in (DATA / REFERENCE[name]).read_text().split()]


def run(name: str, limit: int | None, budget: int) -> str:
    instances = load(name)[:limit]
    best = reference(name)
    hits = 0
    gaps: list[float] = []
    times: list[float] = []
    for k, (p, w, d) in enumerate(instances):
        started = time.perf_counter()
        seq, cost = weighted_tardiness_sequence(p, w, d, time_budget_ms=budget)
        times.append(time.perf_counter() - started)
        assert sorted(seq) == list(range(len(p))) and cost == weighted_tardiness(seq, p, w, d)
        hits += cost <= best[k]
        gaps.append(0.0 if cost <= best[k] else (cost - best[k]) / max(best[k], 1))
    label = "optimal/best known" if name == "wt100" else "optimal"
    return (
        f"{name}: {len(instances)} instances, {100 * hits / len(instances):.1f}% {label}, "
        f"mean gap {100 * statistics.mean(gaps):.3f}%, max gap {100 * max(gaps):.2f}%, "
        f"{sum(g > 0.01 for g in gaps)} over 1%, "
        f"median time {statistics.median(times):.2f} s, max time {max(times):.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="first N instances of each set")
    parser.add_argument("--budget", type=int, default=900, help="ms per instance")
    parser.add_argument("--sets", default="wt40,wt50,wt100")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no OR-Library data at {DATA}")
        return 1
    for name in args.sets.split(","):
        print(run(name, args.limit, args.budget), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
