"""Scheduled jobs: one row per due piece of background work, claimed by any worker."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


def slot_key(kind: str, user_id: int | None, team_id: int | None, due_at: datetime) -> str:
    """The identity of a job's slot: (kind, user, team, due instant) as one string.

    SQL unique constraints treat NULLs as distinct, so a constraint over the four nullable
    columns would let a user-less job be queued twice; this one non-null column cannot.
    """
    user = "-" if user_id is None else str(user_id)
    team = "-" if team_id is None else str(team_id)
    return f"{kind}|u{user}|t{team}|{due_at.astimezone(UTC).isoformat()}"


class ScheduledJob(Base):
    """Work of ``kind`` due at ``due_at``; retried at ``next_attempt_at`` after a failure."""

    __tablename__ = "scheduled_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    slot: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=16, validate_strings=True),
        default=JobStatus.pending,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        Index("ix_scheduled_job_status_next", "status", "next_attempt_at"),
        Index("ix_scheduled_job_user_id", "user_id"),
        Index("ix_scheduled_job_team_id", "team_id"),
    )
