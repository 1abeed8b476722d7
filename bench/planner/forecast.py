"""Forecast benchmark: the Monte Carlo's speed, and whether its chances are calibrated.

Run from the repository root: `.venv/bin/python -m bench.planner.forecast [--seeds N]`.

Speed: `on_time_probabilities` (1,000 futures) over the plan of each 200-task instance, against a
plain implementation in the same run (a loop per future and per task, a velocity drawn per task
with `random.choice`, the same layout); medians and the ratio.

Calibration: each instance gets a synthetic user whose true velocities per kind follow a known
distribution (log-normal, a different one per kind). Their history is 150 finished tasks drawn
from it (so about the 50 most recent of each kind count); the forecast from that history is
compared with what the truth gives (the same plan laid out over 4,000 futures drawn from the
true distributions): the predicted share of tasks on time (the mean chance) against the
simulated share, in points, over all instances (target: within 5 points) and per instance
(where a history of 50 per kind has its own sampling error); as the baseline, the share the
plan itself promises (every task it does not list as late).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `devday` importable
    _root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(_root), str(_root / "src")]

from bench.planner.instances import families, instance
from devday.planning.solver import (
    History,
    Plan,
    Problem,
    Velocities,
    on_time_probabilities,
    problem_from_json,
    solve,
    velocities,
)
from devday.planning.solver.timeline import Axis, free_intervals, minutes_between, to_minute

# The synthetic users' true velocity per kind: log-normal (mu, sigma) of estimate / actual.
TRUTH = {"coding": (-0.3, 0.5), "review": (0.05, 0.3), "admin": (-0.1, 0.4)}


def plain(
    problem: Problem, plan: Plan, found: Velocities, futures: int, seed: int
) -> dict[str, float]:
    """The baseline: the same model, one future and one task at a time."""
    rng = random.Random(seed)
    tasks = {t.id: t for t in problem.tasks}
    axis = Axis.of(free_intervals(problem))
    items: list[tuple[str, int]] = []
    for b in sorted(plan.blocks, key=lambda b: b.start):
        if b.end > problem.now:
            items.append((b.task_id, minutes_between(max(b.start, problem.now), b.end)))
    last = {task_id: k for k, (task_id, _) in enumerate(items)}
    dated = [t for t in problem.tasks if t.deadline is not None and t.id in last]
    on_time = dict.fromkeys((t.id for t in dated), 0)
    for _ in range(futures):
        drawn = {t: rng.choice(found.for_kind(tasks[t].kind)) for t in last}
        cursor = 0.0
        ends: dict[str, float] = {}
        for task_id, minutes in items:
            cursor += minutes / drawn[task_id]
            ends[task_id] = cursor
        for t in dated:
            if t.deadline is not None and ends[t.id] <= axis.position(to_minute(t.deadline)):
                on_time[t.id] += 1
    return {k: v / futures for k, v in on_time.items()}


def history(rng: random.Random, count: int) -> list[History]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        kind = rng.choice(sorted(TRUTH))
        estimate = rng.choice((30, 60, 90, 120, 180, 240))
        velocity = rng.lognormvariate(*TRUTH[kind])
        out.append(
            History(kind, estimate, max(1, round(estimate / velocity)), start + timedelta(i))
        )
    return out


def truth(rng: random.Random, samples: int = 4000) -> Velocities:
    return Velocities(
        {
            k: tuple(rng.lognormvariate(mu, s) for _ in range(samples))
            for k, (mu, s) in TRUTH.items()
        },
        tuple(rng.lognormvariate(-0.1, 0.4) for _ in range(samples)),
        "all",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="instances per family")
    parser.add_argument("--users", type=int, default=8, help="synthetic histories per instance")
    args = parser.parse_args(argv)
    ours_ms: list[float] = []
    plain_ms: list[float] = []
    ours_cpu: list[float] = []
    plain_cpu: list[float] = []
    rows = []
    pooled: list[tuple[float, float]] = []  # (predicted, simulated) per task and user
    for family in families(((200, 20),)):
        for seed in range(args.seeds):
            problem = problem_from_json(instance(family, seed))
            plan = solve(problem)
            rng = random.Random(f"{family.name}#{seed}")
            real = on_time_probabilities(problem, plan, truth(rng), futures=4000, seed=seed + 99)
            shares = []
            for user in range(args.users):
                found = velocities(history(rng, 150))
                started, cpu = time.perf_counter(), time.process_time()
                predicted = on_time_probabilities(problem, plan, found, futures=1000, seed=user)
                ours_ms.append((time.perf_counter() - started) * 1000)
                ours_cpu.append((time.process_time() - cpu) * 1000)
                shares.append(statistics.mean(predicted.values()))
                pooled += [(predicted[t], real[t]) for t in real]
            started, cpu = time.perf_counter(), time.process_time()
            plain(problem, plan, found, 1000, seed)
            plain_ms.append((time.perf_counter() - started) * 1000)
            plain_cpu.append((time.process_time() - cpu) * 1000)
            late = {x.task_id for x in plan.late}
            promised = statistics.mean(0.0 if t in late else 1.0 for t in real)
            rows.append((f"{family.name}#{seed}", shares, statistics.mean(real.values()), promised))
    print("forecast of 1,000 futures over the plan of 200 tasks (ms, median of all runs):")
    ours, base = statistics.median(ours_ms), statistics.median(plain_ms)
    print(f"  wall: ours {ours:.1f} ms, plain loop {base:.1f} ms, ratio {base / ours:.1f}x")
    ours, base = statistics.median(ours_cpu), statistics.median(plain_cpu)
    print(f"  cpu:  ours {ours:.1f} ms, plain loop {base:.1f} ms, ratio {base / ours:.1f}x")
    print("  (target: 50 ms)")
    print()
    print(f"on-time share per instance, predicted from each of {args.users} synthetic histories")
    print("instance | predicted (mean of users) | simulated | gap | users' gaps | plan's promise")
    print("--- | --- | --- | --- | --- | ---")
    for name, shares, simulated, promised in rows:
        mean = statistics.mean(shares)
        gaps = [100 * (x - simulated) for x in shares]
        print(
            f"{name} | {100 * mean:.1f}% | {100 * simulated:.1f}% | {100 * (mean - simulated):+.1f}"
            f" | {min(gaps):+.1f} to {max(gaps):+.1f} | {100 * promised:.1f}%"
            f" ({100 * (promised - simulated):+.1f})"
        )
    predicted_all = statistics.mean(p for p, _ in pooled)
    simulated_all = statistics.mean(r for _, r in pooled)
    gap = 100 * (predicted_all - simulated_all)
    worst = max(abs(100 * (statistics.mean(sh) - sim)) for _, sh, sim, _ in rows)
    print(
        f"all: predicted {100 * predicted_all:.1f}%, simulated {100 * simulated_all:.1f}%, gap"
        f" {gap:+.1f} points; largest gap of one instance {worst:.1f} (target: within 5)"
    )
    print()
    print("reliability, all tasks and users pooled: predicted | tasks | mean predicted | simulated")
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        members = [(p, r) for p, r in pooled if low <= p < low + 0.2 or (low == 0.8 and p == 1.0)]
        if members:
            mean_p = statistics.mean(p for p, _ in members)
            mean_r = statistics.mean(r for _, r in members)
            share = f"{100 * mean_p:.1f}% | {100 * mean_r:.1f}%"
            print(f"{low:.1f}-{low + 0.2:.1f} | {len(members)} | {share}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
