from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class HabitCheck(Base):
    """A personal routine item (exercise, breakfast) ticked off on a day."""

    __tablename__ = "habit_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    habit: Mapped[str] = mapped_column(String(100))
    check_date: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "habit", "check_date", name="uq_habit_check_user_day"),
    )


class DayClose(Base):
    """A closed day: the wrap-up decisions and the end-of-day report that went out."""

    __tablename__ = "day_close"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day_date: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decisions: Mapped[list[Any]] = mapped_column(JSON)
    blockers: Mapped[str] = mapped_column(Text, default="")
    report_markdown: Mapped[str] = mapped_column(Text)
    report_html: Mapped[str] = mapped_column(Text)
    sent_to: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("user_id", "day_date", name="uq_day_close_user_day"),)


class Reflection(Base):
    """The evening reflection; its goals became tasks planned for the next working day."""

    __tablename__ = "reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    day_date: Mapped[date] = mapped_column(Date)
    went_well: Mapped[str] = mapped_column(Text, default="")
    improve: Mapped[str] = mapped_column(Text, default="")
    energy: Mapped[int | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    # "What did you learn?": kept with the day beside the learning time of the week.
    learned: Mapped[str] = mapped_column(Text, default="", server_default="")
    goal_task_ids: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("user_id", "day_date", name="uq_reflection_user_day"),)
    __mapper_args__ = {"version_id_col": version}
