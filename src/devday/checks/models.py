"""Apps, their checks, every run's result, rollups, incidents and maintenance windows."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a bigint for the many rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class CheckState(enum.StrEnum):
    pending = "pending"  # not run yet, or not enough runs to decide
    up = "up"
    degraded = "degraded"  # answering, but slow, with a certificate or security problem
    down = "down"


class Problem(enum.StrEnum):
    """What an incident is about; each has its own retry streak and at most one open incident."""

    down = "down"
    slow = "slow"
    regression = "regression"
    certificate = "certificate"
    security = "security"


class IncidentStatus(enum.StrEnum):
    open = "open"
    resolved = "resolved"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, validate_strings=True)


class App(Base):
    """Something a team built and tests: a base URL, an owner who fixes it, stakeholders."""

    __tablename__ = "app"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(100))
    base_url: Mapped[str] = mapped_column(String(2000))
    response_target_minutes: Mapped[int] = mapped_column(default=240)
    reminder_minutes: Mapped[int] = mapped_column(default=60)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (Index("ix_app_team_id", "team_id"),)
    __mapper_args__ = {"version_id_col": version}


class Stakeholder(Base):
    """Someone told about the app's incidents (QA, a project manager) through one channel."""

    __tablename__ = "app_stakeholder"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(50), default="")
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_app_stakeholder_app_id", "app_id"),)


class Check(Base):
    """One HTTP request on a schedule and what its answer must satisfy.

    Every check tests availability (status, keywords, JSON assertions); a latency budget and a
    regression factor test speed; ``tls`` tests an https URL's certificate; ``security`` grades
    the response headers. ``next_run_at`` is the next slot: a multiple of the interval shifted
    by the check's phase, so that checks with one interval do not all start in one second.
    """

    __tablename__ = "app_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    method: Mapped[str] = mapped_column(String(10), default="GET")
    path: Mapped[str] = mapped_column(String(2000), default="/")
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body: Mapped[str | None] = mapped_column(Text, default=None)
    accepted_statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    must_contain: Mapped[str | None] = mapped_column(String(500), default=None)
    must_not_contain: Mapped[str | None] = mapped_column(String(500), default=None)
    assertions: Mapped[list[str]] = mapped_column(JSON, default=list)
    latency_budget_ms: Mapped[int | None] = mapped_column(default=None)
    regression_factor: Mapped[float | None] = mapped_column(Float, default=None)
    tls: Mapped[bool] = mapped_column(default=True)
    security: Mapped[bool] = mapped_column(default=False)
    interval_seconds: Mapped[int] = mapped_column(default=60)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    fail_after: Mapped[int] = mapped_column(default=3)
    recover_after: Mapped[int] = mapped_column(default=2)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the latest runs said, for lists that must not scan results.
    state: Mapped[CheckState] = mapped_column(_enum(CheckState), default=CheckState.pending)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    last_grade: Mapped[str | None] = mapped_column(String(4), default=None)
    baseline_grade: Mapped[str | None] = mapped_column(String(4), default=None)
    cert_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # {problem: [consecutive failures, consecutive successes]}
    streaks: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        Index("ix_app_check_due", "enabled", "next_run_at"),
        Index("ix_app_check_app_id", "app_id"),
        Index("ix_app_check_team_id", "team_id"),
    )


class CheckResult(Base):
    """One run of a check, kept for 24 hours. ``due_at`` is the slot it ran for."""

    __tablename__ = "check_result"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("app_check.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column()
    latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    status_code: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    cert_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    grade: Mapped[str | None] = mapped_column(String(4), default=None)
    score: Mapped[int | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_check_result_check_started", "check_id", "started_at"),
        Index("ix_check_result_started_at", "started_at"),
    )


class CheckRollup(Base):
    """Runs of one check in one minute, hour or day: counts and a latency histogram."""

    __tablename__ = "check_rollup"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("app_check.id", ondelete="CASCADE"))
    resolution: Mapped[str] = mapped_column(String(8))
    bucket_at: Mapped[datetime] = mapped_column(UTCDateTime())
    runs: Mapped[int] = mapped_column()
    failures: Mapped[int] = mapped_column()
    latency_sum_ms: Mapped[float] = mapped_column(Float)
    latency_max_ms: Mapped[float | None] = mapped_column(Float, default=None)
    histogram: Mapped[list[int]] = mapped_column(JSON)
    worst_grade: Mapped[str | None] = mapped_column(String(4), default=None)

    __table_args__ = (
        UniqueConstraint("check_id", "resolution", "bucket_at"),
        Index("ix_check_rollup_resolution_bucket", "resolution", "bucket_at"),
    )


class RollupMark(Base):
    """How far raw results have been rolled up: minutes before ``done_until`` are done."""

    __tablename__ = "check_rollup_mark"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    done_until: Mapped[datetime] = mapped_column(UTCDateTime())


class Incident(Base):
    """A problem of one check, open until it recovers; its task sits on the owner's list.

    ``open_key`` is ``"<check>:<problem>"`` while open and null once resolved: a unique column,
    so that a problem has at most one open incident even with several workers.
    """

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("app_check.id", ondelete="CASCADE"))
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), default=None
    )
    problem: Mapped[Problem] = mapped_column(_enum(Problem))
    status: Mapped[IncidentStatus] = mapped_column(
        _enum(IncidentStatus), default=IncidentStatus.open
    )
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True, default=None)
    severity: Mapped[int] = mapped_column(default=3)
    summary: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failures: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reminders_sent: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        Index("ix_incident_team_status", "team_id", "status"),
        Index("ix_incident_check_id", "check_id"),
        Index("ix_incident_app_id", "app_id"),
        Index("ix_incident_reminder", "status", "next_reminder_at"),
    )


class MaintenanceWindow(Base):
    """Alerts are muted while a window is on; checks still run and record.

    One-off: ``starts_at`` to ``starts_at + duration``. Recurring: ``rrule`` (RFC 5545, such as
    ``FREQ=WEEKLY;BYDAY=SU``) from ``starts_at`` read as wall time in ``timezone``, so a window
    at 02:00 stays at 02:00 across daylight-saving changes. ``check_id`` null covers the app.
    """

    __tablename__ = "maintenance_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("app.id", ondelete="CASCADE"))
    check_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_check.id", ondelete="CASCADE"), default=None
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column()
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    rrule: Mapped[str | None] = mapped_column(String(500), default=None)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_maintenance_window_app_id", "app_id"),)
