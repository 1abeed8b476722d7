from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class Status(enum.StrEnum):
    todo = "todo"
    doing = "doing"
    done = "done"
    dropped = "dropped"


class Kind(enum.StrEnum):
    coding = "coding"
    testing = "testing"
    docs = "docs"
    meeting = "meeting"
    review = "review"
    support = "support"
    learning = "learning"
    admin = "admin"
    other = "other"


class Source(enum.StrEnum):
    manual = "manual"
    inbox = "inbox"
    check = "check"
    meeting = "meeting"
    import_ = "import"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Task(Base):
    """A unit of work. ``team_id`` copies the project's team so visibility needs no join."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), default=None
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.todo)
    importance: Mapped[int] = mapped_column(default=2)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    planned_date: Mapped[date | None] = mapped_column(Date, default=None)
    estimate_minutes: Mapped[int | None] = mapped_column(default=None)
    earliest_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    splittable: Mapped[bool] = mapped_column(default=True)
    min_chunk_minutes: Mapped[int] = mapped_column(default=30)
    kind: Mapped[Kind] = mapped_column(_enum(Kind), default=Kind.other)
    source: Mapped[Source] = mapped_column(_enum(Source), default=Source.manual)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        Index("ix_task_owner_status_deadline", "owner_id", "status", "deadline_at"),
        Index("ix_task_assignee_status_deadline", "assignee_id", "status", "deadline_at"),
        Index("ix_task_team_status_deadline", "team_id", "status", "deadline_at"),
        Index("ix_task_project_id", "project_id"),
        Index("ix_task_planned_date", "planned_date"),
        # The task list's order (deadline first): a page reads the first rows of this index
        # instead of sorting every visible task.
        Index("ix_task_deadline_at", "deadline_at"),
    )
    # The ORM adds "AND version = :read" to every UPDATE, so two writers racing past the
    # version check still cannot both win.
    __mapper_args__ = {"version_id_col": version}


class TaskTag(Base):
    __tablename__ = "task_tag"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (Index("ix_task_tag_tag", "tag"),)


class TaskDependency(Base):
    """``task_id`` may start only after ``depends_on_id`` is done."""

    __tablename__ = "task_dependency"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_task_dependency_depends_on_id", "depends_on_id"),)


class TaskFormToken(Base):
    """The one-time token of a form that made a task: the same form posted again (a
    double click, a resent request) finds the task the first post made instead of making a
    second one. Kept for a day (``task.service.FORM_TOKEN_KEPT``)."""

    __tablename__ = "task_form_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_task_form_token_created_at", "created_at"),)
