"""Builders shared by the solver tests: a small valid problem in JSON form, and edits of it."""

from __future__ import annotations

from typing import Any

from devday.planning.solver import Problem, problem_from_json

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def problem_json(**overrides: Any) -> dict[str, Any]:
    """Monday 2 March 2026, 09:00 Berlin; two days of 09:00-17:00 with lunch; three tasks."""
    data: dict[str, Any] = {
        "now": "2026-03-02T09:00:00+01:00",
        "timezone": "Europe/Berlin",
        "horizon_days": 2,
        "working_hours": {d: [["09:00", "17:00"]] for d in WEEKDAYS[:5]},
        "routine": [
            {"title": "Lunch", "days": list(WEEKDAYS[:5]), "start": "12:00", "end": "13:00"}
        ],
        "busy": [
            {
                "title": "1:1",
                "start": "2026-03-02T15:00:00+01:00",
                "end": "2026-03-02T15:30:00+01:00",
            }
        ],
        "tasks": [
            {
                "id": "a",
                "title": "A",
                "estimate_minutes": 120,
                "importance": 3,
                "deadline": "2026-03-02T17:00:00+01:00",
            },
            {"id": "b", "title": "B", "estimate_minutes": 90, "splittable": False},
            {
                "id": "c",
                "title": "C",
                "estimate_minutes": 60,
                "depends_on": ["a"],
                "earliest_start": "2026-03-02T13:00:00+01:00",
            },
        ],
    }
    data.update(overrides)
    return data


def problem(**overrides: Any) -> Problem:
    return problem_from_json(problem_json(**overrides))


def task(task_id: str, minutes: int, **fields: Any) -> dict[str, Any]:
    return {"id": task_id, "title": task_id.upper(), "estimate_minutes": minutes, **fields}
