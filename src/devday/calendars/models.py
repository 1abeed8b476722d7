"""The plan feed: one secret address per user, stored as a digest (the address is shown once)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime


class PlanFeed(Base):
    __tablename__ = "plan_feed"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # SHA-256 of the secret in the address; a rotation replaces it, so the old address dies.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SourceKind(enum.StrEnum):
    ics = "ics"
    caldav = "caldav"


class CalendarSource(Base):
    """A calendar the user subscribed to: its events become busy time for the planner."""

    __tablename__ = "calendar_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SourceKind] = mapped_column(
        Enum(SourceKind, native_enum=False, length=10, validate_strings=True)
    )
    url: Mapped[str] = mapped_column(String(2000))
    username: Mapped[str] = mapped_column(String(200), default="")
    # The CalDAV password (often an app password); never shown back.
    password: Mapped[str] = mapped_column(String(500), default="")
    # Whether an all-day event (a holiday, a conference) is busy the whole day.
    all_day_busy: Mapped[bool] = mapped_column(default=True)
    # What the last good answer said, for conditional requests (ETag, or CalDAV's getctag).
    etag: Mapped[str] = mapped_column(String(200), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    event_count: Mapped[int] = mapped_column(default=0)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # When the worker fetches it next (every REFRESH_MINUTES; now, after "refresh").
    next_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # A CalDAV calendar may also receive the plan: devday writes each block as an event there
    # (and removes what it wrote when the block goes), leaving every other event alone.
    write_plan: Mapped[bool] = mapped_column(default=False)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    push_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class PlanExport(Base):
    """An event devday wrote into a CalDAV calendar for one of the plan's blocks: what it
    wrote and where, so that it changes and removes its own events and nothing else."""

    __tablename__ = "plan_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_source.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(200))
    href: Mapped[str] = mapped_column(String(2000))
    # SHA-256 of what was written: an unchanged block is not written again.
    digest: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("source_id", "uid", name="uq_plan_export_source_uid"),)
