"""Standups, the blockers they raise, and leave.

A standup belongs to one member of one team on one team day (the team's local date). Blockers
outlive the standup that raised them: they stay open, and are carried into each next standup,
until someone resolves them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class StandupStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"


class Standup(Base):
    """What a member did, will do, and what blocks them, for the team's meeting on ``day``."""

    __tablename__ = "standup"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    yesterday: Mapped[str] = mapped_column(Text, default="")
    today: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[StandupStatus] = mapped_column(
        Enum(
            StandupStatus,
            name="standup_status",
            native_enum=False,
            length=16,
            validate_strings=True,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=StandupStatus.draft,
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "day", name="uq_standup_team_user_day"),
        Index("ix_standup_team_day", "team_id", "day"),
        Index("ix_standup_user_id", "user_id"),
    )
    __mapper_args__ = {"version_id_col": version}


class Blocker(Base):
    """Something holding a member up, open until ``resolved_at``. ``flagged_at`` is set once,
    when the team's managers were told it had stayed open for more than two days."""

    __tablename__ = "blocker"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    opened_on: Mapped[date] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), default=None
    )
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_blocker_team_resolved", "team_id", "resolved_at"),
        Index("ix_blocker_user_id", "user_id"),
        Index("ix_blocker_task_id", "task_id"),
    )


class Leave(Base):
    """A user's time away, ``start`` to ``end`` inclusive (local dates)."""

    __tablename__ = "leave"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # Stored as start_date and end_date: END is reserved in SQL.
    start: Mapped[date] = mapped_column("start_date", Date)
    end: Mapped[date] = mapped_column("end_date", Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_leave_user_start", "user_id", "start_date"),)
