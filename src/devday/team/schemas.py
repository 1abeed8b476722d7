from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from devday.emails import Email
from devday.inputs import InputModel
from devday.team.models import Role
from devday.timeutil import check_timezone


def not_blank(name: str) -> str:
    """A name without its surrounding spaces; a name of only spaces is refused."""
    if not name.strip():
        raise ValueError("a name cannot be only spaces")
    return name.strip()


MeetingTime = Field(
    default=None,
    pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
    description="The daily meeting, HH:MM in the team's timezone",
)
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


def _workdays() -> list[Weekday]:
    return list(WORKDAYS)


MeetingDays = Field(
    default=None,
    min_length=1,
    max_length=7,
    description="The weekdays the team meets (mon ... sun); default Monday to Friday",
)
ReminderMinutes = Field(
    default=None, ge=0, le=720, description="Minutes before the meeting to remind members"
)


class TeamCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Backend", "timezone": "Europe/Berlin"}]},
    )

    name: str = Field(min_length=1, max_length=100)
    timezone: str | None = Field(default=None, max_length=64, description="Default: yours")
    meeting_time: str | None = MeetingTime
    meeting_days: list[Weekday] | None = MeetingDays
    standup_reminder_minutes: StrictInt | None = ReminderMinutes

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else not_blank(value)


class TeamUpdate(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Platform"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    meeting_time: str | None = MeetingTime
    meeting_days: list[Weekday] | None = MeetingDays
    standup_reminder_minutes: StrictInt | None = ReminderMinutes

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else not_blank(value)


class TeamRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Backend",
                    "timezone": "Europe/Berlin",
                    "my_role": "owner",
                    "meeting_time": "15:00",
                    "meeting_days": ["mon", "tue", "wed", "thu", "fri"],
                    "standup_reminder_minutes": 30,
                    "created_at": "2026-11-02T09:00:00Z",
                }
            ]
        },
    )

    id: int
    name: str
    timezone: str
    my_role: Role
    meeting_time: str = "15:00"
    meeting_days: list[Weekday] = Field(default_factory=_workdays)
    standup_reminder_minutes: int = 30
    created_at: datetime


class MemberAdd(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "sam@example.com", "role": "member"}]},
    )

    email: Email = Field(max_length=254)
    role: Role = Role.member


class MemberUpdate(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "manager"}]})

    role: Role


class MemberRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": 2,
                    "email": "sam@example.com",
                    "name": "Sam Lee",
                    "role": "member",
                    "timezone": "Europe/Lisbon",
                }
            ]
        },
    )

    user_id: int
    email: str
    name: str
    role: Role
    timezone: str


class InvitationCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"role": "member"}, {"role": "member", "email": "dana@example.com"}]
        },
    )

    role: Role = Role.member
    email: Email | None = Field(
        default=None,
        max_length=254,
        description="Email the link to this address (the server must send email); "
        "without it the link is only in the answer",
    )


class InvitationRead(BaseModel):
    """An invitation as its creator sees it once: ``link`` holds the secret, which is not
    stored and cannot be read again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "team_id": 1,
                    "role": "member",
                    "expires_at": "2026-11-09T09:00:00Z",
                    "token": "hV1x...",
                    "link": "/join/hV1x...",
                    "email": None,
                    "emailed": False,
                }
            ]
        },
    )

    id: int
    team_id: int
    role: Role
    expires_at: datetime
    token: str
    link: str
    email: str | None = Field(default=None, description="The address the link was emailed to")
    emailed: bool = Field(default=False, description="Whether an email with the link is queued")
