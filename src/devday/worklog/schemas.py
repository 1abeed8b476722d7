"""The work log's API shapes. Instants come in with an offset and go out in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from devday.ids import IdField
from devday.inputs import InputModel
from devday.task.schemas import Instant
from devday.worklog.models import EntrySource

GroupBy = Literal["task", "project", "kind", "day"]
MAX_NOTE = 500

_ENTRY: dict[str, Any] = {
    "id": 42,
    "task_id": 17,
    "task_title": "Fix login rate limit",
    "start": "2026-11-30T09:00:00Z",
    "end": "2026-11-30T10:30:00Z",
    "minutes": 90,
    "note": "per-account limit, tests",
    "source": "timer",
    "created_at": "2026-11-30T09:00:00Z",
    "updated_at": "2026-11-30T10:30:00Z",
    "version": 2,
}
_RUNNING: dict[str, Any] = {
    **_ENTRY,
    "end": None,
    "minutes": 25,
    "updated_at": "2026-11-30T09:00:00Z",
    "version": 1,
}


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class TimerStart(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"task_id": 17, "note": "per-account limit"}]},
    )

    task_id: IdField
    note: str = Field(default="", max_length=MAX_NOTE)


class TimeEntryCreate(InputModel):
    """Time you forgot to track: it must have ended, and overlap none of your other entries."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "task_id": 17,
                    "start": "2026-11-30T09:00:00+01:00",
                    "end": "2026-11-30T10:30:00+01:00",
                    "note": "code review with Sam",
                }
            ]
        },
    )

    task_id: IdField
    start: Instant
    end: Instant
    note: str = Field(default="", max_length=MAX_NOTE)

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if isinstance(start, datetime) and value <= start:
            raise ValueError("must be after start")
        return value


class TimeEntryUpdate(InputModel):
    """Only the fields sent change. ``end`` on a running entry stops it at that instant."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"start": "2026-11-30T08:45:00+01:00", "note": "and docs", "version": 1}]
        },
    )

    task_id: IdField | None = None
    start: Instant | None = None
    end: Instant | None = None
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The version you read, or If-Match"
    )


class TimeEntryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ENTRY]})

    id: int
    task_id: int
    task_title: str
    start: datetime
    end: datetime | None = Field(description="null while the timer runs")
    minutes: int = Field(description="Whole minutes, up to now for a running entry")
    note: str
    source: EntrySource
    created_at: datetime
    updated_at: datetime
    version: int

    @field_validator("start", "end", "created_at", "updated_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class TimerRead(BaseModel):
    """The running timer (null when none runs); ``stopped`` is the entry a start just ended."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"running": _RUNNING, "elapsed_minutes": 25, "stopped": None},
                {"running": None, "elapsed_minutes": None, "stopped": None},
            ]
        },
    )

    running: TimeEntryRead | None
    elapsed_minutes: int | None = Field(description="Minutes since the timer started")
    stopped: TimeEntryRead | None = None


class TimeTotal(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"key": "17", "label": "Fix login rate limit", "minutes": 90}]
        }
    )

    key: str | None = Field(
        description="Task or project id, kind, or local date (YYYY-MM-DD); null for no project"
    )
    label: str
    minutes: int


class TimeReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "start": "2026-11-29T23:00:00Z",
                    "end": "2026-11-30T23:00:00Z",
                    "group_by": "task",
                    "timezone": "Europe/Berlin",
                    "total_minutes": 135,
                    "rows": [
                        {"key": "17", "label": "Fix login rate limit", "minutes": 90},
                        {"key": "18", "label": "Answer Sam", "minutes": 45},
                    ],
                }
            ]
        },
    )

    start: datetime
    end: datetime
    group_by: GroupBy
    timezone: str
    total_minutes: int
    rows: list[TimeTotal]

    @field_validator("start", "end")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)
