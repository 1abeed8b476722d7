"""Seeded instance generator for the planner benchmark.

A family is (calendar load, constraint mix, task count, working days). Calendars: Berlin, Mon-Fri
09:00-17:00 with lunch and random meetings; `load` is total estimate over free time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

LOADS = {"light": 0.5, "tight": 0.95, "overloaded": 1.4}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
NOW = datetime.fromisoformat("2026-03-02T09:00:00+01:00")  # a Monday


@dataclass(frozen=True)
class Family:
    load: str
    constrained: bool  # unsplittable tasks, min chunks, dependencies, earliest starts
    tasks: int
    days: int  # working days

    @property
    def name(self) -> str:
        mix = "constrained" if self.constrained else "split-anywhere"
        return f"{self.load}/{mix}/{self.tasks}x{self.days}d"


def families(sizes: tuple[tuple[int, int], ...]) -> list[Family]:
    return [
        Family(load, constrained, n, days)
        for n, days in sizes
        for constrained in (False, True)
        for load in LOADS
    ]


def _meetings(rng: random.Random, days: int) -> list[dict[str, Any]]:
    out = []
    for day in range(days * 7 // 5 + 1):
        date = NOW + timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for _ in range(rng.randint(0, 3)):
            start = date.replace(
                hour=rng.choice((9, 10, 11, 14, 15, 16)), minute=rng.choice((0, 30))
            )
            end = start + timedelta(minutes=rng.choice((30, 30, 60)))
            out.append({"title": "Meeting", "start": start.isoformat(), "end": end.isoformat()})
    return out


def instance(family: Family, seed: int) -> dict[str, Any]:
    """The problem JSON of one instance; the same (family, seed) always gives the same problem."""
    rng = random.Random(f"{family.name}#{seed}")
    calendar_days = family.days // 5 * 7 + family.days % 5
    busy = _meetings(rng, family.days)
    # Free time: 7 h a day minus about 1.5 meetings of 40 min on average.
    capacity = family.days * (7 * 60 - 60)
    grid = 5
    raw = [rng.lognormvariate(0, 0.8) for _ in range(family.tasks)]
    scale = LOADS[family.load] * capacity / sum(raw)
    horizon_end = NOW + timedelta(days=calendar_days)
    tasks = []
    for i, r in enumerate(raw):
        minutes = max(grid, round(r * scale / grid) * grid)
        t: dict[str, Any] = {
            "id": f"t{i}",
            "title": f"Task {i}",
            "estimate_minutes": minutes,
            "importance": rng.choice((1, 2, 2, 2, 3, 3, 4)),
            "min_chunk_minutes": 5,
            "kind": rng.choice(("coding", "review", "admin")),
        }
        if rng.random() < 0.8:
            share = rng.random() ** 0.7
            t["deadline"] = (NOW + (horizon_end - NOW) * share).replace(second=0, microsecond=0)
            t["deadline"] = t["deadline"].isoformat()
        if family.constrained:
            t["splittable"] = rng.random() > 0.3
            t["min_chunk_minutes"] = rng.choice((15, 30, 30, 60))
            if i and rng.random() < 0.2:
                t["depends_on"] = [f"t{rng.randrange(max(0, i - 20), i)}"]
            if rng.random() < 0.15:
                start = NOW + (horizon_end - NOW) * rng.random() * 0.5
                t["earliest_start"] = start.replace(second=0, microsecond=0).isoformat()
        t["age_days"] = rng.randint(0, 60)  # for the Taskwarrior baseline only
        tasks.append(t)
    return {
        "now": NOW.isoformat(),
        "timezone": "Europe/Berlin",
        "horizon_days": calendar_days,
        "working_hours": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
        "routine": [{"title": "Lunch", "days": list(WEEKDAYS), "start": "12:30", "end": "13:30"}],
        "busy": busy,
        "tasks": tasks,
        "preferences": {"kind_windows": {"coding": [["09:00", "12:30"]]}},
        "grid_minutes": grid,
    }
