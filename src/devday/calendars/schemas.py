"""What the plan feed's API gives."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from devday.calendars.models import SourceKind
from devday.inputs import InputModel
from devday.readmodel import ReadModel


class PlanFeedRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"enabled": True, "created_at": "2026-11-30T09:00:00Z"}]}
    )

    enabled: bool = Field(description="Whether the feed's address answers")
    created_at: datetime | None = Field(
        default=None, description="When the current address was made (null when off)"
    )


class PlanFeedCreated(PlanFeedRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "enabled": True,
                    "created_at": "2026-11-30T09:00:00Z",
                    "url": "https://devday.example.com/calendar/Zq3...x9.ics",
                }
            ]
        }
    )

    url: str = Field(
        description="The feed's secret address. It is shown only in this answer: subscribe to "
        "it in a calendar app; rotating makes a new one and ends this one."
    )


def masked(url: str) -> str:
    """What reads show of a calendar's address: secret ICS addresses are credentials, so only
    their origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def _address(value: str) -> str:
    value = value.strip()
    scheme = urlsplit(value).scheme.lower()
    if scheme not in ("http", "https", "webcal", "webcals") or not urlsplit(value).hostname:
        raise ValueError("give the calendar's http(s):// or webcal:// address")
    return value


Address = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_address)]
SourceName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(str.strip)]


class CalendarCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Work",
                    "kind": "ics",
                    "url": "https://calendar.google.com/calendar/ical/.../private-abc/basic.ics",
                },
                {
                    "name": "Nextcloud",
                    "kind": "caldav",
                    "url": "https://cloud.example.com/remote.php/dav/calendars/sam/personal/",
                    "username": "sam",
                    "password": "app-password",
                    "all_day_busy": False,
                },
            ]
        },
    )

    name: SourceName
    kind: SourceKind = Field(
        default=SourceKind.ics,
        description="`ics`: a calendar's (secret) iCalendar address; `caldav`: a CalDAV "
        "calendar's URL, with a user name and password",
    )
    url: Address
    username: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=500)
    all_day_busy: StrictBool = Field(
        default=True, description="Whether all-day events make the whole day busy"
    )
    write_plan: StrictBool = Field(
        default=False,
        description="CalDAV only: also write your plan's blocks into this calendar as events "
        "(kept in step; only what devday wrote is ever changed or removed)",
    )

    @model_validator(mode="after")
    def _credentials(self) -> CalendarCreate:
        if self.kind == SourceKind.caldav and not self.username:
            raise ValueError("a CalDAV calendar needs a user name (username)")
        if self.write_plan and self.kind != SourceKind.caldav:
            raise ValueError("only a CalDAV calendar can receive the plan (write_plan)")
        return self


class CalendarUpdate(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"all_day_busy": False, "version": 1}]}
    )

    name: SourceName | None = None
    url: Address | None = None
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=500)
    all_day_busy: StrictBool | None = None
    write_plan: StrictBool | None = None
    version: int | None = None


class CalendarRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "name": "Work",
                    "kind": "ics",
                    "url": "https://calendar.google.com/…",
                    "username": "",
                    "has_password": False,
                    "all_day_busy": True,
                    "event_count": 14,
                    "last_ok_at": "2026-11-30T09:00:00Z",
                    "last_tried_at": "2026-11-30T09:00:00Z",
                    "last_error": "",
                    "next_at": "2026-11-30T09:15:00Z",
                    "write_plan": False,
                    "pushed_at": None,
                    "push_error": "",
                    "version": 3,
                }
            ]
        }
    )

    id: int
    name: str
    kind: SourceKind
    url: str = Field(description="Only the address's origin: the rest may be a secret")
    username: str
    has_password: bool
    all_day_busy: bool
    event_count: int = Field(description="Busy times taken from it at the last refresh")
    last_ok_at: datetime | None = Field(description="When it was last read without error")
    last_tried_at: datetime | None
    last_error: str = Field(description="Why the last refresh failed ('' when it did not)")
    next_at: datetime = Field(description="When the worker refreshes it next")
    write_plan: bool = Field(description="Whether your plan's blocks are written into it")
    pushed_at: datetime | None = Field(description="When the plan was last written into it")
    push_error: str = Field(description="Why writing the plan last failed ('' when it did not)")
    version: int
