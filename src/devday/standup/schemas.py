"""The standup API's shapes: a member's standup, the team's day, blockers and leave."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devday.inputs import Day, InputModel
from devday.standup.models import StandupStatus

MAX_PART = 5000
_BLOCKER: dict[str, Any] = {
    "id": 4,
    "team_id": 1,
    "user_id": 2,
    "user_name": "Sam Lee",
    "text": "#12 Ship auth: waiting on #7 Deploy keys (Alex)",
    "opened_on": "2026-11-27",
    "task_id": 12,
    "resolved_at": None,
    "flagged_at": None,
}
_STANDUP: dict[str, Any] = {
    "id": 9,
    "team_id": 1,
    "user_id": 2,
    "user_name": "Sam Lee",
    "day": "2026-11-30",
    "yesterday": "Finished #11 Rate limit per account (1h30)\nTime logged: 1h30",
    "today": "#12 Ship auth (2h, due Tue 01 Dec 17:00)",
    "blockers": "#12 Ship auth: waiting on #7 Deploy keys (Alex)",
    "status": "submitted",
    "submitted_at": "2026-11-30T13:40:00Z",
    "updated_at": "2026-11-30T13:40:00Z",
    "version": 2,
}


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class BlockerRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_BLOCKER]})

    id: int
    team_id: int
    user_id: int
    user_name: str
    text: str
    opened_on: date
    task_id: int | None
    resolved_at: datetime | None
    flagged_at: datetime | None = Field(
        description="When the team's managers were told it stayed open for over two days"
    )

    @field_validator("resolved_at", "flagged_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class BlockerItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "#12 Ship auth: waiting on #7 Deploy keys (Alex)",
                    "task_id": 12,
                    "blocker_id": None,
                    "opened_on": None,
                    "flagged": False,
                }
            ]
        }
    )

    text: str
    task_id: int | None
    blocker_id: int | None = Field(description="Set for an open blocker carried from before")
    opened_on: date | None
    flagged: bool


class StandupRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_STANDUP]})

    id: int
    team_id: int
    user_id: int
    user_name: str
    day: date
    yesterday: str
    today: str
    blockers: str
    status: StandupStatus
    submitted_at: datetime | None
    updated_at: datetime
    version: int

    @field_validator("submitted_at", "updated_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class MyStandup(BaseModel):
    """The caller's standup for a day. Until something is stored, the parts are the draft
    (``stored`` false, ``version`` 0); ``draft`` always holds what devday would write now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": 1,
                    "day": "2026-11-30",
                    "stored": False,
                    "status": "draft",
                    "version": 0,
                    "yesterday": _STANDUP["yesterday"],
                    "today": _STANDUP["today"],
                    "blockers": _STANDUP["blockers"],
                    "submitted_at": None,
                    "previous_day": "2026-11-27",
                    "draft": {
                        "yesterday": _STANDUP["yesterday"],
                        "today": _STANDUP["today"],
                        "blockers": _STANDUP["blockers"],
                    },
                    "blocker_items": [
                        {
                            "text": _STANDUP["blockers"],
                            "task_id": 12,
                            "blocker_id": None,
                            "opened_on": None,
                            "flagged": False,
                        }
                    ],
                    "away": False,
                    "meeting_at": "2026-11-30T14:00:00Z",
                }
            ]
        }
    )

    team_id: int
    day: date
    stored: bool
    status: StandupStatus
    version: int
    yesterday: str
    today: str
    blockers: str
    submitted_at: datetime | None
    previous_day: date = Field(description="The working day the yesterday part covers")
    draft: dict[str, str]
    blocker_items: list[BlockerItem]
    away: bool = Field(description="You are on leave that day")
    meeting_at: datetime

    @field_validator("submitted_at", "meeting_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class StandupWrite(InputModel):
    """Parts left out keep their stored text (or the draft's). ``submit`` hands it in."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "day": "2026-11-30",
                    "today": "#12 Ship auth\nPair with Alex on the keys",
                    "submit": True,
                    "version": 0,
                }
            ]
        },
    )

    day: Day | None = Field(default=None, description="The team's date; default: its today")
    yesterday: str | None = Field(default=None, max_length=MAX_PART)
    today: str | None = Field(default=None, max_length=MAX_PART)
    blockers: str | None = Field(default=None, max_length=MAX_PART, description="One per line")
    submit: bool = False
    version: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="The version you read (0: none stored)"
    )


MemberState = Literal["submitted", "draft", "missing", "away"]


class MemberStandup(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": 2,
                    "name": "Sam Lee",
                    "role": "member",
                    "state": "submitted",
                    "standup": _STANDUP,
                }
            ]
        }
    )

    user_id: int
    name: str
    role: str
    state: MemberState
    standup: StandupRead | None = Field(description="Only a submitted standup is shown")


class TeamStandups(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": 1,
                    "day": "2026-11-30",
                    "timezone": "Europe/Berlin",
                    "meeting_at": "2026-11-30T14:00:00Z",
                    "members": [
                        {
                            "user_id": 2,
                            "name": "Sam Lee",
                            "role": "member",
                            "state": "submitted",
                            "standup": _STANDUP,
                        },
                        {
                            "user_id": 3,
                            "name": "Priya N",
                            "role": "member",
                            "state": "away",
                            "standup": None,
                        },
                    ],
                    "open_blockers": [_BLOCKER],
                }
            ]
        }
    )

    team_id: int
    day: date
    timezone: str
    meeting_at: datetime
    members: list[MemberStandup]
    open_blockers: list[BlockerRead]

    @field_validator("meeting_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class LeaveCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"start": "2026-12-21", "end": "2026-12-31", "note": "Holidays"}]
        },
    )

    start: Day
    end: Day = Field(description="The last day away (inclusive)")
    note: str = Field(default="", max_length=200)


class LeaveRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 3, "start": "2026-12-21", "end": "2026-12-31", "note": "Holidays"}]
        }
    )

    id: int
    start: date
    end: date
    note: str
