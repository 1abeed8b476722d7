from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class Routine(Base):
    """A user's routine: working hours, fixed blocks, kind windows and priority boosts.

    Stored as JSON documents validated by ``RoutineWrite``; a user without a row has the default
    routine (see ``planning.routine.DEFAULT``).
    """

    __tablename__ = "routine"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    blocks: Mapped[list[Any]] = mapped_column(JSON)
    kind_windows: Mapped[dict[str, Any]] = mapped_column(JSON)
    boosts: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class BusyEvent(Base):
    """A one-off busy time from the user's calendar: the planner places nothing in it."""

    __tablename__ = "busy_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set for an event imported from a subscribed calendar (read-only here; the calendar's
    # refresh replaces them); None for busy time entered in devday.
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_source.id", ondelete="CASCADE"), default=None, index=True
    )

    __table_args__ = (Index("ix_busy_event_user_start", "user_id", "start_at"),)


class DayPlan(Base):
    """The stored plan of one user's day, with the horizon behind it and its risks."""

    __tablename__ = "day_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    plan_date: Mapped[date] = mapped_column(Date)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime())
    horizon_days: Mapped[int] = mapped_column()
    late: Mapped[list[Any]] = mapped_column(JSON)
    unscheduled: Mapped[list[Any]] = mapped_column(JSON)
    # Every task ever planned on this day, across re-plans: the wrap-up asks about each one
    # still open, even after a re-plan moved it to a later day.
    planned_task_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    missed_deadline_weight: Mapped[int] = mapped_column(default=0)
    weighted_tardiness_minutes: Mapped[int] = mapped_column(default=0)
    # When the plan last changed and why, in words ("'Fix checkout' added"); the pages show it.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    change_reason: Mapped[str] = mapped_column(String(300), default="")
    # Facts worked out when the plan changed, so that reading it computes nothing: tasks over
    # their estimate and each deadline's chance of being met (see planning.forecast).
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("user_id", "plan_date", name="uq_day_plan_user_date"),)
    __mapper_args__ = {"version_id_col": version}


class PlanBlock(Base):
    """One block of a stored plan. Pinned and done blocks survive a re-plan as they are."""

    __tablename__ = "plan_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("day_plan.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pinned: Mapped[bool] = mapped_column(default=False)
    done: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index("ix_plan_block_plan_id", "plan_id"),
        Index("ix_plan_block_task_id", "task_id"),
        # Block ids are shown to users (`devday plan done 13`): never reuse one after a replan.
        {"sqlite_autoincrement": True},
    )
