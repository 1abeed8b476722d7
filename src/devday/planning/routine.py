"""The default routine (the day our users describe) and its conversion to solver input."""

from __future__ import annotations

from typing import Any

from devday.planning.solver import RoutineItem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = ["mon", "tue", "wed", "thu", "fri"]

DEFAULT: dict[str, Any] = {
    "working_hours": {
        **{day: [["10:00", "18:00"]] for day in WORKDAYS},
        "sat": [],
        "sun": [],
    },
    # `personal` blocks lie outside working hours: shown in the day, never planned over.
    "blocks": [
        {
            "title": "Morning routine: exercise, breakfast",
            "days": WORKDAYS,
            "start": "09:00",
            "end": "10:00",
            "personal": True,
        },
        {
            "title": "Planning",
            "days": WORKDAYS,
            "start": "10:00",
            "end": "10:30",
            "personal": False,
        },
        {"title": "Lunch", "days": WORKDAYS, "start": "12:30", "end": "13:30", "personal": False},
        {
            "title": "Team meeting",
            "days": WORKDAYS,
            "start": "15:00",
            "end": "16:00",
            "personal": False,
        },
        {"title": "Wrap-up", "days": WORKDAYS, "start": "17:00", "end": "17:30", "personal": False},
        {
            "title": "Personal development: news, courses",
            "days": WORKDAYS,
            "start": "18:00",
            "end": "19:00",
            "personal": True,
        },
    ],
    "kind_windows": {
        "coding": [["10:30", "12:30"]],
        "review": [["10:30", "12:30"]],
        "testing": [["13:30", "15:00"]],
        "support": [["13:30", "15:00"]],
        "docs": [["16:00", "17:00"]],
        "admin": [["17:30", "18:00"]],
    },
    "boosts": {},
}


def clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def solver_working_hours(working_hours: dict[str, Any]) -> dict[str, tuple[tuple[int, int], ...]]:
    return {
        day: tuple((clock_minutes(a), clock_minutes(b)) for a, b in working_hours.get(day, []))
        for day in WEEKDAYS
    }


def solver_routine(blocks: list[dict[str, Any]]) -> tuple[RoutineItem, ...]:
    return tuple(
        RoutineItem(
            title=block["title"],
            days=tuple(block["days"]),
            start_minute=clock_minutes(block["start"]),
            end_minute=clock_minutes(block["end"]),
        )
        for block in blocks
    )


def solver_windows(kind_windows: dict[str, Any]) -> dict[str, tuple[tuple[int, int], ...]]:
    return {
        kind: tuple((clock_minutes(a), clock_minutes(b)) for a, b in windows)
        for kind, windows in kind_windows.items()
    }
