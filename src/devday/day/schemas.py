from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from devday.ids import IdField
from devday.inputs import Day, InputModel
from devday.planning.schemas import LateRead, PlanRead
from devday.task.models import Kind

_BRIEF: dict[str, Any] = {
    "id": 9,
    "title": "Fix login rate limit",
    "priority": "P1",
    "status": "todo",
    "deadline": "2026-11-30T16:00:00Z",
    "planned_date": None,
}


class TaskBrief(BaseModel):
    id: int
    title: str
    priority: str
    status: str
    deadline: dt.datetime | None
    planned_date: dt.date | None
    estimate_minutes: int | None = None
    kind: str = "other"


class GoalWrite(InputModel):
    """A goal for the next working day: a task that is that day's first work, in the order
    given (ahead of everything but pinned blocks and the routine, unless a deadline that day
    needs the time)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    estimate_minutes: int = Field(default=30, ge=5, le=8 * 60, description="Default 30")
    kind: Kind = Kind.other


class HabitRead(BaseModel):
    habit: str
    done: bool
    streak: int = Field(description="Scheduled days in a row ticked off")


class HabitCheckWrite(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"habit": "Morning routine: exercise, breakfast", "done": True}]
        },
    )

    habit: str = Field(min_length=1, max_length=100)
    done: bool = True


class HabitList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-30",
                    "habits": [
                        {"habit": "Morning routine: exercise, breakfast", "done": True, "streak": 4}
                    ],
                }
            ]
        }
    )

    date: dt.date
    habits: list[HabitRead]


class NewsRead(BaseModel):
    """An item of a starred feed, for the morning review."""

    id: int
    title: str
    link: str
    feed_title: str
    published_at: dt.datetime


class TodayRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-30",
                    "timezone": "Europe/Berlin",
                    "due": [_BRIEF],
                    "at_risk": [],
                    "plan": None,
                    "yesterday": "2026-11-27",
                    "yesterday_goals": [],
                    "habits": [
                        {
                            "habit": "Morning routine: exercise, breakfast",
                            "done": False,
                            "streak": 3,
                        }
                    ],
                    "unclosed_day": None,
                }
            ]
        }
    )

    date: dt.date
    timezone: str
    due: list[TaskBrief] = Field(description="Open tasks due today or overdue")
    news: list[NewsRead] = Field(
        default_factory=list, description="New items of your starred feeds since yesterday"
    )
    at_risk: list[LateRead] = Field(description="Late in today's plan, with the reason")
    plan: PlanRead | None = Field(description="Today's plan, once built (10:00, or on demand)")
    yesterday: dt.date
    yesterday_goals: list[TaskBrief]
    habits: list[HabitRead]
    unclosed_day: dt.date | None = Field(description="A previous day still to wrap up")


class WrapupItem(BaseModel):
    task_id: int
    title: str
    minutes: int
    deadline: dt.datetime | None = None
    planned_date: dt.date | None = None


class WrapupRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-30",
                    "closed": False,
                    "done": [{"task_id": 9, "title": "Fix login rate limit", "minutes": 130}],
                    "in_progress": [],
                    "pending": [
                        {
                            "task_id": 10,
                            "title": "Document /v2/orders",
                            "minutes": 0,
                            "deadline": "2026-12-01T17:00:00Z",
                        }
                    ],
                    "time_by_kind": {"coding": 130},
                    "next_day": "2026-12-01",
                    "report_markdown": None,
                }
            ]
        }
    )

    date: dt.date
    closed: bool
    done: list[WrapupItem]
    in_progress: list[WrapupItem]
    pending: list[WrapupItem] = Field(description="Planned and not done; each needs a decision")
    time_by_kind: dict[str, int]
    next_day: dt.date = Field(description="Where 'tomorrow' decisions move tasks")
    report_markdown: str | None


class Decision(InputModel):
    model_config = ConfigDict(extra="forbid")

    task_id: IdField
    decision: Literal["tomorrow", "date", "backlog", "drop"] = "tomorrow"
    date: Day | None = None

    @model_validator(mode="after")
    def _date(self) -> Decision:
        if self.decision == "date" and self.date is None:
            raise ValueError("a 'date' decision needs a date")
        return self


class WrapupClose(InputModel):
    """Close the day. Pending tasks not named roll to the next working day."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "decisions": [
                        {"task_id": 10, "decision": "date", "date": "2026-12-03"},
                        {"task_id": 14, "decision": "drop"},
                    ],
                    "blockers": "Waiting on the payments team for the sandbox key",
                }
            ]
        },
    )

    decisions: list[Decision] = Field(default_factory=list, max_length=500)
    blockers: str = Field(default="", max_length=5000)


class WrapupClosed(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-30",
                    "sent_to": 2,
                    "report_markdown": "**End of day: Alex** ...",
                    "report_html": "<p><strong>End of day: Alex</strong> ...</p>",
                    "decisions": [{"task_id": 10, "decision": "date", "date": "2026-12-03"}],
                }
            ]
        }
    )

    date: dt.date
    sent_to: int = Field(description="Channels the report was queued for")
    report_markdown: str
    report_html: str
    decisions: list[dict[str, object]]


class ReflectionWrite(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "went_well": "Shipped the rate limit",
                    "improve": "Fewer context switches",
                    "energy": 2,
                    "note": "",
                    "goals": [
                        {
                            "title": "Finish the /v2/orders docs",
                            "estimate_minutes": 90,
                            "kind": "docs",
                        },
                        "Review Sam's PR",
                    ],
                }
            ]
        },
    )

    went_well: str = Field(default="", max_length=5000)
    improve: str = Field(default="", max_length=5000)
    energy: int | None = Field(default=None, ge=1, le=3, description="1 low, 2 ok, 3 high")
    note: str = Field(default="", max_length=5000)
    learned: str = Field(default="", max_length=5000, description="What did you learn today?")
    goals: list[GoalWrite | str] = Field(
        default_factory=list,
        max_length=10,
        description="In order; a plain title is a goal of 30 minutes of other work",
    )
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _goals(self) -> ReflectionWrite:
        cleaned: dict[str, GoalWrite] = {}
        for goal in self.goals:
            title = (goal if isinstance(goal, str) else goal.title).strip()
            if not title or len(title) > 300:
                raise ValueError("each goal needs 1 to 300 characters")
            item = GoalWrite(title=title) if isinstance(goal, str) else goal
            cleaned.setdefault(title, item.model_copy(update={"title": title}))
        self.goals = list(cleaned.values())
        return self

    def goal_list(self) -> list[GoalWrite]:
        return [g if isinstance(g, GoalWrite) else GoalWrite(title=g) for g in self.goals]


class ReflectionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-30",
                    "achievements": [{**_BRIEF, "status": "done"}],
                    "went_well": "Shipped the rate limit",
                    "improve": "Fewer context switches",
                    "energy": 2,
                    "note": "",
                    "goals": [
                        {
                            **_BRIEF,
                            "id": 31,
                            "title": "Finish the docs",
                            "priority": "P2",
                            "deadline": None,
                            "planned_date": "2026-12-01",
                        }
                    ],
                    "goal_date": "2026-12-01",
                    "version": 1,
                }
            ]
        }
    )

    date: dt.date
    achievements: list[TaskBrief]
    went_well: str
    improve: str
    learned: str = ""
    energy: int | None
    note: str
    goals: list[TaskBrief]
    goal_date: dt.date
    version: int = Field(description="0 until the reflection is first saved")
