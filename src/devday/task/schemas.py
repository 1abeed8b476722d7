from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
)

from devday.ids import MAX_ID, IdField
from devday.inputs import Day, InputModel, Line, day_in_range, moment_in_range
from devday.readmodel import ReadModel
from devday.recurrence.views import RepeatRead
from devday.task.models import Kind, Source, Status

MAX_TAGS = 20
_TAG = re.compile(r"^[\w][\w.\-/]{0,49}$")


def _deadline(value: Any) -> Any:
    """A deadline is an instant with an offset, or a date alone (the end of that working day)."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(
                "use an RFC 3339 instant with an offset (2026-12-01T17:00:00+01:00) "
                "or a date (2026-12-01)"
            ) from exc
        value = parsed
    elif not isinstance(value, date):  # a number is not a day: never seconds since 1970
        raise ValueError("use an RFC 3339 instant with an offset or a date (2026-12-01)")
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("add a timezone offset (such as +01:00 or Z), or give a date alone")
    return value


def _instant(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError("use an RFC 3339 instant with an offset") from exc
    elif not isinstance(value, datetime):  # a number is not an instant: never seconds since 1970
        raise ValueError("use an RFC 3339 instant with an offset")
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("add a timezone offset (such as +01:00 or Z)")
    return value


def _tags(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in values:
        tag = raw.strip().lstrip("#").lower()
        if not _TAG.match(tag):
            raise ValueError(f"tag {raw!r}: letters, digits and . - / _ only, at most 50")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


Deadline = Annotated[datetime | date, BeforeValidator(_deadline), AfterValidator(day_in_range)]
Instant = Annotated[datetime, BeforeValidator(_instant), AfterValidator(moment_in_range)]
Tags = Annotated[list[str], Field(max_length=MAX_TAGS), AfterValidator(_tags)]
Importance = Annotated[int, Field(ge=1, le=4, description="1 (low) to 4 (critical); P1 is 4")]
Repeat = Annotated[
    Line,
    Field(
        max_length=200,
        description="How it repeats: “every weekday”, “every 2 weeks on mon”, “every! 3 days” "
        "(see the guide's Recurring tasks)",
    ),
]
Minutes = Annotated[int, Field(ge=1, le=100_000)]
DependsOn = Annotated[list[IdField], Field(max_length=100)]

_EXAMPLE_WRITE: dict[str, Any] = {
    "title": "Fix login rate limit",
    "notes": "Per-account limit is missing; see **#212**.",
    "importance": 3,
    "deadline": "2026-12-04T17:00:00+01:00",
    "estimate_minutes": 120,
    "kind": "coding",
    "tags": ["security"],
    "project_id": 4,
}


class TaskCreate(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE_WRITE]})

    title: str = Field(min_length=1, max_length=300)
    notes: str = Field(default="", max_length=50_000, description="Markdown")
    status: Status = Status.todo
    importance: Importance = 2
    deadline: Deadline | None = Field(
        default=None,
        description="An instant with an offset, or a date alone: the end of that working day "
        "in the owner's timezone.",
    )
    planned_date: Day | None = Field(default=None, description="The day you mean to work on it")
    estimate_minutes: Minutes | None = None
    earliest_start: Instant | None = None
    splittable: StrictBool = True
    min_chunk_minutes: Minutes = 30
    kind: Kind = Kind.other
    tags: Tags = Field(default_factory=list)
    project_id: IdField | None = None
    assignee_id: IdField | None = None
    depends_on: DependsOn = Field(default_factory=list)
    source: Source = Source.manual
    repeat: Repeat | None = None


class TaskUpdate(InputModel):
    """Only the fields sent change; send null to clear an optional field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"importance": 4, "deadline": "2026-12-03", "version": 2}]},
    )

    title: str | None = Field(default=None, min_length=1, max_length=300)
    notes: str | None = Field(default=None, max_length=50_000)
    status: Status | None = None
    importance: Importance | None = None
    deadline: Deadline | None = None
    planned_date: Day | None = None
    estimate_minutes: Minutes | None = None
    earliest_start: Instant | None = None
    splittable: StrictBool | None = None
    min_chunk_minutes: Minutes | None = None
    kind: Kind | None = None
    tags: Tags | None = None
    project_id: IdField | None = None
    assignee_id: IdField | None = None
    depends_on: DependsOn | None = None
    repeat: Repeat | None = Field(
        default=None, description="A new rule for its series (or a first one); null ends it"
    )
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The version you read, or If-Match"
    )


class TaskRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE_WRITE,
                    "id": 17,
                    "priority": "P2",
                    "notes_html": "<p>Per-account limit is missing; see <strong>#212</strong>.</p>",
                    "status": "todo",
                    "deadline": "2026-12-04T16:00:00Z",
                    "planned_date": None,
                    "earliest_start": None,
                    "splittable": True,
                    "min_chunk_minutes": 30,
                    "actual_minutes": 45,
                    "owner_id": 1,
                    "team_id": 1,
                    "assignee_id": 1,
                    "depends_on": [],
                    "source": "manual",
                    "created_at": "2026-11-30T09:12:00Z",
                    "updated_at": "2026-11-30T09:12:00Z",
                    "completed_at": None,
                    "version": 1,
                }
            ]
        },
    )

    id: int
    title: str
    notes: str
    notes_html: str
    status: Status
    importance: int
    priority: str = Field(description="P1 (critical) to P4 (low), as Todoist shows it")
    deadline: datetime | None
    planned_date: date | None
    estimate_minutes: int | None
    actual_minutes: int = Field(default=0, description="Minutes logged on it, by everyone")
    earliest_start: datetime | None
    splittable: bool
    min_chunk_minutes: int
    kind: Kind
    tags: list[str]
    project_id: int | None
    owner_id: int
    team_id: int | None
    assignee_id: int | None
    depends_on: list[int]
    source: Source
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int
    repeat: RepeatRead | None = Field(
        default=None, description="The series this task is an instance of, if any"
    )

    @field_validator("deadline", "earliest_start", "created_at", "updated_at", "completed_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)


class TaskSaved(TaskRead):
    """A task just created or changed, with what the caller should hear about it."""

    warnings: list[str] = Field(
        default_factory=list,
        description="Saved, but worth a look: a deadline set in the past, or on a day that is "
        "not a working day in your routine. Each names the task by title and the time in "
        "your timezone; empty when there is nothing to say.",
        examples=[
            [
                "the deadline of 'Fix login rate limit', Sat 05 Dec 17:00 (Europe/Berlin), is "
                "on a Saturday, which is not a working day in your routine"
            ]
        ],
    )


class TaskPage(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [], "limit": 50, "offset": 0, "next_offset": None}]
        },
    )

    items: list[TaskRead]
    limit: int
    offset: int
    next_offset: int | None = Field(
        description="Pass as `offset` for the next page; null at the end"
    )


class TaskListQuery(InputModel):
    """The query of GET /api/v1/tasks: filters, then the page. FastAPI reads it from the query
    string; the CLI's local fast path validates the same model."""

    status: list[str] | None = Field(
        default=None,
        max_length=10,
        description="todo, doing, done, dropped, or open (todo and doing); repeat or "
        "separate with commas",
    )
    project_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    team_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    tag: str | None = Field(default=None, max_length=50)
    assignee_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Tasks assigned to this user"
    )
    deadline_before: Instant | None = Field(default=None, description="Deadline before")
    deadline_after: Instant | None = Field(default=None, description="Deadline at or after")
    planned_date: Day | None = None
    q: Line | None = Field(default=None, max_length=200, description="Text in title or notes")
    limit: int = Field(
        default=50, ge=1, le=1000, description="At most this many (a CLI lists 1,000 a page)"
    )
    offset: int = Field(default=0, ge=0, le=1_000_000)
