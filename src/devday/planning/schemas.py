from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from devday.inputs import InputModel
from devday.planning.routine import DEFAULT, WEEKDAYS, clock_minutes
from devday.task.models import Kind
from devday.task.schemas import Instant

ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]


def _window(pair: list[str]) -> list[str]:
    if clock_minutes(pair[1]) <= clock_minutes(pair[0]):
        raise ValueError(f"{pair[0]}-{pair[1]} ends before it starts")
    return pair


Window = Annotated[list[ClockTime], Field(min_length=2, max_length=2), AfterValidator(_window)]
Windows = Annotated[list[Window], Field(max_length=12)]


class RoutineBlock(InputModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    days: list[str] = Field(min_length=1, max_length=7)
    start: ClockTime
    end: ClockTime
    personal: bool = Field(default=False, description="Outside work: shown, never planned over")

    @field_validator("days")
    @classmethod
    def _days(cls, days: list[str]) -> list[str]:
        for day in days:
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}; use {', '.join(WEEKDAYS)}")
        return days

    @model_validator(mode="after")
    def _order(self) -> RoutineBlock:
        _window([self.start, self.end])
        return self


class RoutineWrite(InputModel):
    """The whole routine; it replaces the stored one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DEFAULT]})

    working_hours: dict[str, Windows]
    blocks: list[RoutineBlock] = Field(max_length=50)
    kind_windows: dict[Kind, Windows] = Field(default_factory=dict)
    boosts: dict[str, float] = Field(
        default_factory=dict,
        max_length=100,
        description="Priority boosts by `tag:NAME`, `project:NAME` or `kind:NAME`, -10 to 10",
    )
    version: int | None = Field(default=None, description="The version you read, or If-Match")

    @field_validator("working_hours")
    @classmethod
    def _weekdays(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown days {sorted(unknown)}; use {', '.join(WEEKDAYS)}")
        return {day: value.get(day, []) for day in WEEKDAYS}

    @field_validator("boosts")
    @classmethod
    def _boosts(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            scope, _, name = key.partition(":")
            if scope not in ("tag", "project", "kind") or not name or len(key) > 60:
                raise ValueError(f"boost {key!r}: use tag:NAME, project:NAME or kind:NAME")
            if not -10 <= weight <= 10:
                raise ValueError(f"boost {key!r} must be from -10 to 10")
        return {key.lower(): weight for key, weight in value.items()}


class RoutineRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{**DEFAULT, "version": 1}]})

    working_hours: dict[str, list[list[str]]]
    blocks: list[RoutineBlock]
    kind_windows: dict[str, list[list[str]]]
    boosts: dict[str, float]
    version: int


class BusyEventCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Dentist",
                    "start": "2026-12-02T14:00:00+01:00",
                    "end": "2026-12-02T15:30:00+01:00",
                }
            ]
        },
    )

    title: str = Field(min_length=1, max_length=200)
    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _order(self) -> BusyEventCreate:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if (self.end - self.start).days > 31:
            raise ValueError("a busy event may last at most 31 days")
        return self


class BusyEventRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "title": "Dentist",
                    "start": "2026-12-02T13:00:00Z",
                    "end": "2026-12-02T14:30:00Z",
                    "calendar": None,
                }
            ]
        },
    )

    id: int
    title: str
    start: datetime
    end: datetime
    calendar: str | None = Field(
        default=None,
        description="The subscribed calendar it comes from (read-only here); null when entered "
        "in devday",
    )


class BlockRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 11,
                    "task_id": 17,
                    "title": "Fix login rate limit",
                    "priority": "P1",
                    "kind": "coding",
                    "start": "2026-11-30T09:30:00Z",
                    "end": "2026-11-30T11:30:00Z",
                    "pinned": False,
                    "done": False,
                }
            ]
        },
    )

    id: int
    task_id: int
    title: str
    priority: str = Field(description="P1 (critical) to P4 (low), as the task shows it")
    kind: str
    start: datetime
    end: datetime
    pinned: bool
    done: bool


class BlockUpdate(InputModel):
    """Pin, move (a new start keeps the length; a new end changes it) or mark done."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"pinned": True, "start": "2026-11-30T14:00:00+01:00"}]},
    )

    pinned: bool | None = None
    done: bool | None = None
    start: Instant | None = None
    end: Instant | None = None


class LateRead(BaseModel):
    task_id: int
    title: str
    priority: str = Field(
        description='P1 (critical) to P4 (low), as the task shows it; "" once it is deleted'
    )
    deadline: datetime
    finish: datetime | None
    reason: str


class UnscheduledRead(BaseModel):
    task_id: int
    title: str
    priority: str = Field(
        description='P1 (critical) to P4 (low), as the task shows it; "" once it is deleted'
    )
    reason: str


class WorkedRead(BaseModel):
    """Time logged on the plan's day, drawn on the timeline as worked time."""

    task_id: int
    title: str
    start: datetime
    end: datetime
    running: bool


class OverEstimateRead(BaseModel):
    """An open task whose logged time reached its estimate: a remainder stays planned."""

    task_id: int
    title: str
    estimate_minutes: int
    logged_minutes: int
    remainder_minutes: int = Field(description="What stays planned: a quarter of the estimate")


class MovableRead(BaseModel):
    task_id: int
    title: str
    minutes: int


class ChanceRead(BaseModel):
    """A task with a deadline in the plan: how likely it is to be done by then."""

    task_id: int
    title: str
    priority: str = Field(description="P1 (critical) to P4 (low), as the task shows it")
    deadline: datetime
    on_time_probability: float = Field(
        ge=0,
        le=1,
        description="The share of 1,000 futures of this plan, each estimate divided by a "
        "velocity from your own finished work, in which it is done by its deadline",
    )
    extra_minutes: int | None = Field(
        default=None,
        description="Below 80%: the free time before its deadline that would make it 80%",
    )
    movable: list[MovableRead] = Field(
        default_factory=list,
        description="Below 80%: work ahead of it that could go after it (at most three "
        "tasks; none when more would be needed)",
    )
    hint: str = Field(default="", description="What would raise the chance, in words")


class DeferredRead(BaseModel):
    """A goal that is not the first work of its day, and why."""

    task_id: int
    title: str
    priority: str = Field(
        description='P1 (critical) to P4 (low), as the task shows it; "" once it is deleted'
    )
    reason: str


class RoutineSlot(BaseModel):
    title: str
    start: datetime
    end: datetime
    personal: bool


class PlanRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-11-30",
                    "timezone": "Europe/Berlin",
                    "built_at": "2026-11-30T09:00:00Z",
                    "horizon_days": 14,
                    "blocks": [BlockRead.model_config["json_schema_extra"]["examples"][0]],  # type: ignore[index]
                    "routine": [
                        {
                            "title": "Lunch",
                            "start": "2026-11-30T11:30:00Z",
                            "end": "2026-11-30T12:30:00Z",
                            "personal": False,
                        }
                    ],
                    "busy": [],
                    "late": [
                        {
                            "task_id": 21,
                            "title": "Speed up search",
                            "priority": "P2",
                            "deadline": "2026-12-01T16:00:00Z",
                            "finish": "2026-12-02T10:00:00Z",
                            "reason": "A, B and C need 7.5 h between Mon 10:00 and Tue 17:00; "
                            "only 6 h are free",
                        }
                    ],
                    "unscheduled": [],
                    "missed_deadline_weight": 8,
                    "weighted_tardiness_minutes": 960,
                    "version": 1,
                }
            ]
        },
    )

    date: date
    timezone: str
    built_at: datetime
    horizon_days: int
    blocks: list[BlockRead]
    routine: list[RoutineSlot]
    busy: list[BusyEventRead]
    late: list[LateRead]
    unscheduled: list[UnscheduledRead]
    missed_deadline_weight: int
    weighted_tardiness_minutes: int
    unplaced_weighted_minutes: int = Field(
        default=0,
        description="Work without a deadline left outside the horizon: importance weight x minutes",
    )
    changed_at: datetime | None = Field(
        description="When the plan last changed (built, re-planned, or kept live by a change)"
    )
    change_reason: str = Field(
        description='Why it last changed, in words: "built", "\'Fix checkout\' added"'
    )
    worked: list[WorkedRead] = Field(description="Time logged on the plan's day")
    over_estimate: list[OverEstimateRead]
    chances: list[ChanceRead] = Field(
        description="Every open task with a deadline in the plan, least likely first"
    )
    deferred: list[DeferredRead] = Field(description="Goals a deadline pushed from first place")
    version: int

    @field_validator("built_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class PriorityTerm(BaseModel):
    name: str
    points: float
    explanation: str


class DutyItem(BaseModel):
    task_id: int
    title: str
    priority: str
    deadline: datetime | None
    estimate_minutes: int
    score: float
    terms: list[PriorityTerm]
    on_time_probability: float | None = Field(
        default=None, description="Its chance of being done by its deadline in today's plan"
    )
    planned_at: datetime | None = Field(
        default=None, description="When its next block in today's plan starts"
    )


class DutyList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "generated_at": "2026-11-30T09:00:00Z",
                    "items": [
                        {
                            "task_id": 9,
                            "title": "Fix login rate limit",
                            "priority": "P1",
                            "deadline": "2026-11-30T16:00:00Z",
                            "estimate_minutes": 120,
                            "score": 14.2,
                            "terms": [
                                {
                                    "name": "importance",
                                    "points": 8.0,
                                    "explanation": "P1 (critical): +8.0",
                                },
                                {
                                    "name": "deadline",
                                    "points": 6.2,
                                    "explanation": "deadline Mon 17:00, 2 h of work left before it "
                                    "and 4.5 h free: +6.2",
                                },
                            ],
                        }
                    ],
                }
            ]
        },
    )

    generated_at: datetime
    items: list[DutyItem]
    note: str = Field(
        default="",
        description="Why the first item is not the first block of today's plan, when it is not",
    )


class CalibrationRead(BaseModel):
    """How one kind's estimates compare with the time logged ("" is every kind)."""

    kind: str
    ratio: float = Field(description="The median of time logged / estimate")
    tasks: int = Field(description="How many finished tasks with logged time it is read from")
    summary: str = Field(description="In words: 'your coding estimates run 1.4x short'")


class ForecastRead(BaseModel):
    """Your estimates against the time you logged, per kind, and what the chances of today's
    plan are read from."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "calibration": [
                        {
                            "kind": "coding",
                            "ratio": 1.4,
                            "tasks": 23,
                            "summary": "your coding estimates run 1.4x short",
                        }
                    ],
                    "basis": "your 37 most recent finished tasks with logged time",
                    "chances": [],
                }
            ]
        }
    )

    calibration: list[CalibrationRead]
    basis: str = Field(description="What the velocities come from")
    chances: list[ChanceRead] = Field(description="Today's plan: every deadline's chance")
