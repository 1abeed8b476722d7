"""A team's daily meeting and what was said in it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class MeetingStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class ItemKind(enum.StrEnum):
    note = "note"
    decision = "decision"
    action = "action"


class Meeting(Base):
    """One meeting per team and local day; closing it stores the summary that went out."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    meeting_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(MeetingStatus, native_enum=False, length=16, validate_strings=True),
        default=MeetingStatus.open,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    attendee_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    away_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary_markdown: Mapped[str] = mapped_column(Text, default="")
    sent_to: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("team_id", "meeting_date", name="uq_meeting_team_day"),)
    # Two managers closing at once: the second one's UPDATE finds a newer version and fails.
    __mapper_args__ = {"version_id_col": version}


class MeetingItem(Base):
    """A note (Markdown), a decision, or an action item (which is a task: ``task_id``)."""

    __tablename__ = "meeting_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(
        Enum(ItemKind, native_enum=False, length=16, validate_strings=True)
    )
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_meeting_item_meeting_id", "meeting_id"),
        Index("ix_meeting_item_task_id", "task_id"),
    )
