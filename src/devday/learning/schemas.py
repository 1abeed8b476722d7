"""What the learning and feed endpoints take and give."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, StrictBool, StrictInt, field_validator

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
    minutes: StrictInt | None = Field(default=None, ge=1, le=1440)


class LearningItemCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "course",
                    "title": "Kubernetes basics",
                    "minutes": 25,
                    "goal_date": "2026-12-20",
                    "parts": [{"title": "Pods"}, {"title": "Services", "minutes": 40}],
                }
            ]
        },
    )

    kind: ItemKind
    title: Line = Field(min_length=1, max_length=300)
    url: str = Field(default="", max_length=2000)
    minutes: StrictInt = Field(
        default=30,
        ge=1,
        le=1440,
        description="Minutes to read or watch it; for a course or book, each lesson or chapter",
    )
    goal_date: Day | None = None
    starred: StrictBool = False
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
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"starred": True, "goal_date": "2026-12-24"}]},
    )

    title: Line | None = Field(default=None, min_length=1, max_length=300)
    goal_date: Day | None = None
    starred: StrictBool | None = None
    minutes: StrictInt | None = Field(default=None, ge=1, le=1440)


class LearningDone(InputModel):
    """What ``done`` records: the lesson or chapter (default: the next one), and the minutes
    spent (default: its estimate)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"minutes": 35}]})

    part_id: IdField | None = None
    minutes: StrictInt | None = Field(default=None, ge=1, le=1440)


class PartRead(ReadModel):
    id: int
    position: int
    title: str
    minutes: int | None
    done_at: datetime | None


class LearningItemRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "kind": "course",
                    "title": "Kubernetes basics",
                    "url": "https://learn.example.com/k8s",
                    "minutes": 25,
                    "goal_date": "2026-12-20",
                    "starred": False,
                    "done_at": None,
                    "created_at": "2026-11-30T09:00:00Z",
                    "parts": [
                        {
                            "id": 7,
                            "position": 1,
                            "title": "Pods",
                            "minutes": None,
                            "done_at": "2026-11-30T17:25:00Z",
                        }
                    ],
                    "parts_done": 1,
                    "minutes_spent": 25,
                    "version": 2,
                }
            ]
        },
    )

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
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"in_working_hours": False}]}
    )

    in_working_hours: bool


class PreferenceWrite(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"in_working_hours": False}]}
    )

    in_working_hours: StrictBool


class SlotRead(ReadModel):
    item_id: int
    part_id: int | None
    kind: ItemKind
    title: str
    start: datetime
    end: datetime
    minutes: int


class AgendaRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "day": "2026-11-30",
                    "slots": [
                        {
                            "item_id": 3,
                            "part_id": 8,
                            "kind": "course",
                            "title": "Kubernetes basics: Services",
                            "start": "2026-11-30T17:00:00Z",
                            "end": "2026-11-30T17:25:00Z",
                            "minutes": 25,
                        }
                    ],
                }
            ]
        },
    )

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
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "start": "2026-11-24",
                    "end": "2026-11-30",
                    "total_minutes": 65,
                    "by_kind": [
                        {"kind": "course", "minutes": 50},
                        {"kind": "article", "minutes": 15},
                    ],
                    "courses": [
                        {
                            "item_id": 3,
                            "title": "Kubernetes basics",
                            "kind": "course",
                            "parts_done": 2,
                            "parts": 6,
                            "goal_date": "2026-12-20",
                        }
                    ],
                }
            ]
        },
    )

    start: date
    end: date
    total_minutes: int
    by_kind: list[KindMinutes]
    courses: list[CourseProgress]


class FeedCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://blog.example.com/feed.xml", "starred": True}]
        },
    )

    url: str = Field(min_length=1, max_length=2000)
    starred: StrictBool = False

    @field_validator("url")
    @classmethod
    def _url_given(cls, value: str) -> str:
        value = _web_url(value)
        if not value:
            raise ValueError("must be an http:// or https:// URL")
        return value


class FeedUpdate(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"starred": False}]})

    starred: StrictBool


class FeedRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "url": "https://blog.example.com/feed.xml",
                    "title": "Example blog",
                    "site_url": "https://blog.example.com/",
                    "starred": True,
                    "interval_minutes": 60,
                    "next_fetch_at": "2026-11-30T10:00:00Z",
                    "fetched_at": "2026-11-30T09:00:00Z",
                    "last_error": "",
                    "created_at": "2026-11-30T09:00:00Z",
                }
            ]
        },
    )

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
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "feed_id": 2,
                    "feed_title": "Example blog",
                    "title": "Faster tests with SQLite",
                    "link": "https://blog.example.com/faster-tests",
                    "summary": "How we cut the suite's time in half",
                    "words": 1200,
                    "reading_minutes": 10,
                    "published_at": "2026-11-30T07:30:00Z",
                    "state": "new",
                    "learning_item_id": None,
                }
            ]
        },
    )

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
