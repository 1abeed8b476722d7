"""What the learning and feed endpoints take and give."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, field_validator

from devday.ids import IdField
from devday.inputs import Day, InputModel, Line
from devday.learning.models import FeedItemState, ItemKind
from devday.readmodel import ReadModel

MAX_PARTS = 500


def _web_url(value: str) -> str:
    value = value.strip()
    if not value:
        return value
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("is not a valid URL: it needs a host")
    return value


class PartCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(min_length=1, max_length=300)
    minutes: int | None = Field(default=None, ge=1, le=1440)


class LearningItemCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    kind: ItemKind
    title: Line = Field(min_length=1, max_length=300)
    url: str = Field(default="", max_length=2000)
    minutes: int = Field(
        default=30,
        ge=1,
        le=1440,
        description="Minutes to read or watch it; for a course or book, each lesson or chapter",
    )
    goal_date: Day | None = None
    starred: bool = False
    parts: list[PartCreate] = Field(
        default_factory=list,
        max_length=MAX_PARTS,
        description="Lessons (a course) or chapters (a book), in order",
    )

    _url = field_validator("url")(_web_url)

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("cannot be only spaces")
        return value.strip()


class LearningItemUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")

    title: Line | None = Field(default=None, min_length=1, max_length=300)
    goal_date: Day | None = None
    starred: bool | None = None
    minutes: int | None = Field(default=None, ge=1, le=1440)


class LearningDone(InputModel):
    """What ``done`` records: the lesson or chapter (default: the next one), and the minutes
    spent (default: its estimate)."""

    model_config = ConfigDict(extra="forbid")

    part_id: IdField | None = None
    minutes: int | None = Field(default=None, ge=1, le=1440)


class PartRead(ReadModel):
    id: int
    position: int
    title: str
    minutes: int | None
    done_at: datetime | None


class LearningItemRead(ReadModel):
    id: int
    kind: ItemKind
    title: str
    url: str
    minutes: int
    goal_date: date | None
    starred: bool
    done_at: datetime | None
    created_at: datetime
    parts: list[PartRead]
    parts_done: int
    minutes_spent: int
    version: int


class PreferenceRead(ReadModel):
    in_working_hours: bool


class PreferenceWrite(InputModel):
    model_config = ConfigDict(extra="forbid")

    in_working_hours: bool


class SlotRead(ReadModel):
    item_id: int
    part_id: int | None
    kind: ItemKind
    title: str
    start: datetime
    end: datetime
    minutes: int


class AgendaRead(ReadModel):
    day: date
    slots: list[SlotRead]


class KindMinutes(ReadModel):
    kind: ItemKind
    minutes: int


class CourseProgress(ReadModel):
    item_id: int
    title: str
    kind: ItemKind
    parts_done: int
    parts: int
    goal_date: date | None


class WeekRead(ReadModel):
    start: date
    end: date
    total_minutes: int
    by_kind: list[KindMinutes]
    courses: list[CourseProgress]


class FeedCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000)
    starred: bool = False

    @field_validator("url")
    @classmethod
    def _url_given(cls, value: str) -> str:
        value = _web_url(value)
        if not value:
            raise ValueError("must be an http:// or https:// URL")
        return value


class FeedUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")

    starred: bool


class FeedRead(ReadModel):
    id: int
    url: str
    title: str
    site_url: str
    starred: bool
    interval_minutes: int
    next_fetch_at: datetime
    fetched_at: datetime | None
    last_error: str
    created_at: datetime


class FeedItemRead(ReadModel):
    id: int
    feed_id: int
    feed_title: str
    title: str
    link: str
    summary: str
    words: int
    reading_minutes: int
    published_at: datetime
    state: FeedItemState
    learning_item_id: int | None
