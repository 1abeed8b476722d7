"""What the series API takes and gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pydantic import ConfigDict, Field, field_validator

from devday.ids import IdField
from devday.inputs import InputModel, Line
from devday.readmodel import ReadModel
from devday.task.models import Kind
from devday.task.schemas import Importance, Minutes, Tags

Repeat = Line


class SeriesUpdate(InputModel):
    """Only the fields sent change, in the series' template and in its open instance where
    that instance still has the series' old value (an instance edited by hand keeps its own)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Weekly report", "repeat": "every fri"}]},
    )

    title: str | None = Field(default=None, min_length=1, max_length=300)
    notes: str | None = Field(default=None, max_length=50_000)
    importance: Importance | None = None
    kind: Kind | None = None
    estimate_minutes: Minutes | None = None
    tags: Tags | None = None
    project_id: IdField | None = None
    assignee_id: IdField | None = None
    repeat: Repeat | None = Field(
        default=None, max_length=200, description="A new rule, e.g. “every 2 weeks on mon”"
    )
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The version you read, or If-Match"
    )


class SeriesRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "repeat": "every weekday",
                    "rule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                    "mode": "schedule",
                    "description": "every weekday",
                    "timezone": "Europe/Berlin",
                    "start_date": "2026-11-30",
                    "at": None,
                    "next_date": "2026-12-01",
                    "open_task_id": 41,
                    "title": "Triage the on-call queue",
                    "ended_at": None,
                    "version": 2,
                }
            ]
        }
    )

    id: int
    repeat: str = Field(description="The phrase as typed")
    rule: str = Field(description="The RFC 5545 RRULE, without DTSTART")
    mode: str = Field(description="schedule (on the calendar) or after_done (every!)")
    description: str
    timezone: str
    start_date: date
    at: time | None
    next_date: date | None = Field(description="The day the next instance is for")
    open_task_id: int | None
    title: str
    notes: str
    importance: int
    kind: str
    estimate_minutes: int | None
    tags: list[str]
    project_id: int | None
    assignee_id: int | None
    owner_id: int
    team_id: int | None
    ended_at: datetime | None
    version: int

    @field_validator("ended_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)
