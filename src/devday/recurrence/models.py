"""A series: a repeat rule and the template of its instances; each instance an ordinary task."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class Series(Base):
    """``rule`` (RRULE text, see ``recurrence.phrases``) expanded from ``start_date`` (at ``at``,
    if set) in ``timezone``; ``mode`` is ``schedule`` (on the calendar) or ``after_done`` (the
    rule's interval after the last instance was done). ``next_date`` is the occurrence the next
    instance is for (None: none to come, or ``after_done`` waiting for the open one)."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    mode: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    at: Mapped[time | None] = mapped_column(Time, default=None)
    # The template of each instance.
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    importance: Mapped[int] = mapped_column(default=2)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    estimate_minutes: Mapped[int | None] = mapped_column(default=None)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), default=None
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    # The deadline: ``deadline_days`` after the instance's day, at ``deadline_time`` local
    # (None: the end of the working day); no deadline when ``deadline_days`` is None.
    deadline_days: Mapped[int | None] = mapped_column(default=None)
    deadline_time: Mapped[time | None] = mapped_column(Time, default=None)
    next_date: Mapped[date | None] = mapped_column(Date, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        Index("ix_series_owner_id", "owner_id"),
        Index("ix_series_team_id", "team_id"),
        Index("ix_series_next_date", "next_date"),
    )
    __mapper_args__ = {"version_id_col": version}


class SeriesInstance(Base):
    """Task ``task_id`` is the series' instance for the occurrence on ``occurrence_date``. The
    key makes an occurrence at most one task, whoever makes it (the job, a finish, a skip)."""

    __tablename__ = "series_instance"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), primary_key=True
    )
    occurrence_date: Mapped[date] = mapped_column(Date, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), unique=True)
