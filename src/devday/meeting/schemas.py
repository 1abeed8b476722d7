"""The meeting API's shapes: MeetingRead (with its agenda while open), items, reassignment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from devday.ids import IdField
from devday.inputs import InputModel
from devday.meeting.models import ItemKind, MeetingStatus
from devday.readmodel import ReadModel
from devday.task.schemas import Deadline, Importance, Minutes

MAX_TEXT = 10_000
#: Instants go out in UTC, whatever zone the planner worked in.
Utc = Annotated[datetime, AfterValidator(lambda value: value.astimezone(UTC))]
MAX_TITLE = 300


class ItemCreate(InputModel):
    """A note (Markdown), a decision, or an action item: the latter becomes a task."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "note", "text": "Release moved: **Thursday**, not Wednesday."},
                {"kind": "decision", "text": "We freeze /v2/orders until the docs are out."},
                {
                    "kind": "action",
                    "text": "Write the rollback runbook",
                    "assignee_id": 2,
                    "deadline": "2026-12-02",
                    "estimate_minutes": 60,
                },
            ]
        },
    )

    kind: ItemKind
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    assignee_id: IdField | None = Field(default=None, description="Action items: who does it")
    deadline: Deadline | None = Field(
        default=None,
        description="Action items: an instant with an offset, or a date (the end of that "
        "working day in your timezone)",
    )
    importance: Importance = 2
    estimate_minutes: Minutes | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("may not be blank")
        return value


class ItemRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "kind": "action",
                    "text": "Write the rollback runbook",
                    "html": "<p>Write the rollback runbook</p>",
                    "author_id": 1,
                    "author": "Alex Kim",
                    "task_id": 42,
                    "task_status": "todo",
                    "assignee_id": 2,
                    "assignee": "Sam Lee",
                    "deadline": "2026-12-02T17:00:00Z",
                    "created_at": "2026-11-30T14:10:00Z",
                }
            ]
        },
    )

    id: int
    kind: ItemKind
    text: str
    html: str = Field(description="The text as sanitised HTML (notes are Markdown)")
    author_id: int | None
    author: str
    task_id: int | None = Field(description="Action items: the task it became")
    task_status: str | None
    assignee_id: int | None
    assignee: str | None
    deadline: Utc | None
    created_at: Utc


class PersonRead(ReadModel):
    user_id: int
    name: str
    role: str
    away: bool


class StandupRead(ReadModel):
    user_id: int
    name: str
    yesterday: str
    today: str
    blockers: str
    submitted_at: Utc | None


class BlockerRead(ReadModel):
    id: int
    user_id: int
    name: str
    text: str
    opened_on: date
    age_days: int
    flagged: bool
    task_id: int | None


class AtRiskRead(ReadModel):
    task_id: int
    title: str
    user_id: int
    name: str
    deadline: Utc
    finish: Utc | None = Field(description="When the plan finishes it; null: not placed")
    reason: str = Field(description="The planner's reason, with what would save it")


class IncidentRead(ReadModel):
    id: int
    summary: str
    problem: str
    severity: int
    opened_at: Utc
    task_id: int | None


class PreviousActionRead(ReadModel):
    item_id: int
    meeting_date: date
    title: str
    task_id: int | None
    status: str = Field(description="The task's status now (todo, doing, done, dropped, deleted)")
    assignee_id: int | None
    assignee: str | None
    deadline: Utc | None


class SuggestionRead(ReadModel):
    task_id: int
    title: str
    deadline: Utc
    from_user_id: int
    from_name: str
    to_user_id: int
    to_name: str
    finish: Utc = Field(description="When the teammate's plan would finish it")
    saved: int = Field(description="How many of the giver's other late tasks would be on time")
    reason: str


class AgendaRead(ReadModel):
    people: list[PersonRead]
    standups: list[StandupRead]
    missing_standups: list[int] = Field(description="Members present without a standup")
    blockers: list[BlockerRead]
    at_risk: list[AtRiskRead]
    other_late: dict[int, int] = Field(
        description="Per member id: late tasks of theirs outside this team (titles stay private)"
    )
    incidents: list[IncidentRead]
    previous_actions: list[PreviousActionRead]
    suggestions: list[SuggestionRead]


_MEETING_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "team_id": 1,
    "team": "Backend",
    "date": "2026-11-30",
    "starts_at": "2026-11-30T14:00:00Z",
    "status": "open",
    "my_role": "manager",
    "can_close": True,
    "items": [],
    "agenda": None,
    "closed_at": None,
    "attendee_ids": [],
    "away_ids": [],
    "summary": "",
    "sent_to": 0,
    "version": 1,
}


class MeetingRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_MEETING_EXAMPLE]})

    id: int | None = Field(
        description="Null for today's meeting until it is stored (by its first change, or by "
        "POST /api/v1/teams/{team_id}/meetings/today)"
    )
    team_id: int
    team: str
    date: date
    starts_at: Utc
    status: MeetingStatus
    my_role: str
    can_close: bool
    items: list[ItemRead]
    agenda: AgendaRead | None = Field(
        description="Built live for today's meeting while it is open; null otherwise"
    )
    closed_at: Utc | None
    attendee_ids: list[int]
    away_ids: list[int]
    summary: str = Field(description="The summary sent when it closed (Markdown)")
    sent_to: int = Field(description="How many team channels the summary was queued for")
    version: int


class MeetingListItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "date": "2026-11-30",
                    "status": "closed",
                    "closed_at": "2026-11-30T15:02:00Z",
                    "items": 6,
                }
            ]
        }
    )

    id: int
    date: date
    status: MeetingStatus
    closed_at: Utc | None
    items: int


class MeetingClose(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 1}]})

    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The version you read, or If-Match"
    )


class Reassign(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"task_id": 17, "assignee_id": 2}]}
    )

    task_id: IdField
    assignee_id: IdField


class ReassignRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": 17,
                    "from_user_id": 1,
                    "to_user_id": 2,
                    "late": {"1": 0, "2": 0},
                    "item_id": 9,
                }
            ]
        }
    )

    task_id: int
    from_user_id: int | None
    to_user_id: int
    late: dict[int, int] = Field(description="Per user id: late tasks in their re-made plan")
    item_id: int | None = Field(description="The decision recorded in the open meeting")
