"""A connection to a GitHub repository or a GitLab project whose issues become tasks, and the
link from each imported issue to its task (so that a sync updates rather than duplicates)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class ForgeKind(enum.StrEnum):
    github = "github"
    gitlab = "gitlab"


class OnFinish(enum.StrEnum):
    """What finishing the task does to its issue."""

    nothing = "nothing"
    close = "close"
    comment = "comment"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, validate_strings=True)


class ForgeConnection(Base):
    """One repository (GitHub) or project (GitLab) polled for issues.

    ``token`` is kept as given, since devday must send it; the API never answers it back, only
    its last characters. ``team_id`` copies the project's team, so that a team's owners and
    managers manage the connection. ``etag`` and ``cursor`` belong to the issue list as last
    read (the first page's ETag, the newest ``updated_at`` seen); a change of what is read
    clears them.
    """

    __tablename__ = "forge_connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[ForgeKind] = mapped_column(_enum(ForgeKind))
    base_url: Mapped[str] = mapped_column(String(500))
    repo: Mapped[str] = mapped_column(String(300))
    token: Mapped[str] = mapped_column(String(500))
    assignee: Mapped[str] = mapped_column(String(100), default="")
    labels: Mapped[str] = mapped_column(String(500), default="")
    importance_map: Mapped[str] = mapped_column(String(1000), default="")
    estimate_label: Mapped[str] = mapped_column(String(50), default="estimate:")
    estimate_from_body: Mapped[bool] = mapped_column(default=True)
    on_finish: Mapped[OnFinish] = mapped_column(_enum(OnFinish), default=OnFinish.nothing)
    poll_minutes: Mapped[int] = mapped_column(default=10)
    etag: Mapped[str | None] = mapped_column(String(300), default=None)
    cursor: Mapped[str | None] = mapped_column(String(64), default=None)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Set after a rate-limit answer: no request goes out before it.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Set while a sync talks to the forge (one sync at a time per connection).
    sync_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_forge_connection_owner_id", "owner_id"),
        Index("ix_forge_connection_team_id", "team_id"),
        Index("ix_forge_connection_project_id", "project_id"),
    )


class ForgeIssue(Base):
    """The issue ``number`` (GitHub's number, GitLab's iid) of a connection, imported as
    ``task_id``. ``imported`` holds the task's fields as last taken from the issue: a sync
    changes only the fields whose issue side changed, so edits made in devday stay."""

    __tablename__ = "forge_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("forge_connection.id", ondelete="CASCADE")
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), unique=True)
    number: Mapped[int] = mapped_column()
    url: Mapped[str] = mapped_column(String(1000))
    state: Mapped[str] = mapped_column(String(16), default="open")
    imported: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("connection_id", "number"),)
