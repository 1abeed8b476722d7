"""The team figures' API shapes."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_WEEK: dict[str, Any] = {
    "week_start": "2026-11-23",
    "tasks_finished": 4,
    "finished_with_deadline": 3,
    "finished_on_time": 2,
    "on_time_share": 0.667,
    "minutes_by_kind": {"coding": 600, "testing": 120, "docs": 90, "meeting": 60, "other": 30},
    "total_minutes": 900,
    "estimated_tasks": 3,
    "estimate_ratio_median": 1.25,
    "requests_answered": 5,
    "answer_minutes_median": 42.0,
}


class WeekFigures(BaseModel):
    """One week's figures (``week_start`` is its Monday; null for the whole window)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_WEEK]})

    week_start: date | None
    tasks_finished: int = Field(description="The team's tasks finished, by their assignee")
    finished_with_deadline: int
    finished_on_time: int = Field(description="Finished by their deadline")
    on_time_share: float | None = Field(description="finished_on_time / finished_with_deadline")
    minutes_by_kind: dict[str, int] = Field(
        description="Minutes logged on the team's tasks: coding, testing, docs, meeting, other"
    )
    total_minutes: int
    estimated_tasks: int = Field(description="Finished tasks with an estimate and logged time")
    estimate_ratio_median: float | None = Field(
        description="Median of actual time over estimate (above 1: took longer than estimated)"
    )
    requests_answered: int = Field(description="Inbox requests answered in the week")
    answer_minutes_median: float | None = Field(
        description="Median minutes from a request's receipt to its answer"
    )


class MemberFigures(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": 2,
                    "name": "Sam Lee",
                    "role": "member",
                    "weeks": [_WEEK],
                    "overall": {**_WEEK, "week_start": None},
                }
            ]
        }
    )

    user_id: int
    name: str
    role: str
    weeks: list[WeekFigures]
    overall: WeekFigures


class TeamFiguresRead(BaseModel):
    """``members`` holds everyone for owners and managers, and only the caller for a member."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": 1,
                    "timezone": "Europe/Berlin",
                    "weeks": ["2026-11-23"],
                    "totals": [_WEEK],
                    "overall": {**_WEEK, "week_start": None},
                    "members": [
                        {
                            "user_id": 2,
                            "name": "Sam Lee",
                            "role": "member",
                            "weeks": [_WEEK],
                            "overall": {**_WEEK, "week_start": None},
                        }
                    ],
                    "all_members": False,
                }
            ]
        }
    )

    team_id: int
    timezone: str
    weeks: list[date] = Field(description="The Mondays of the weeks shown, oldest first")
    totals: list[WeekFigures]
    overall: WeekFigures
    members: list[MemberFigures]
    all_members: bool = Field(description="Whether every member's figures are shown")
