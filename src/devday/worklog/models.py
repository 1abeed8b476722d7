"""Time entries: what a user worked on, and when. An entry without an end is a running timer."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class EntrySource(enum.StrEnum):
    timer = "timer"
    manual = "manual"
    plan = "plan"  # a plan block marked done: its time counts as worked


class TimeEntry(Base):
    """``end_at`` is None while the timer runs; a user has at most one such entry."""

    __tablename__ = "time_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[EntrySource] = mapped_column(
        Enum(
            EntrySource,
            name="entry_source",
            native_enum=False,
            length=16,
            validate_strings=True,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=EntrySource.timer,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        Index("ix_time_entry_user_start", "user_id", "start_at"),
        Index("ix_time_entry_task_id", "task_id"),
        # The service stops a running timer before starting another; this index makes a
        # second running entry impossible even if two requests race past that check.
        Index(
            "uq_time_entry_user_running",
            "user_id",
            unique=True,
            sqlite_where=text("end_at IS NULL"),
            postgresql_where=text("end_at IS NULL"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}
