from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    owner = "owner"
    manager = "manager"
    member = "member"


#: Weekdays as the routine names them, Monday first.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_MEETING_DAYS = "mon,tue,wed,thu,fri"


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The daily meeting, local to ``timezone``; standup reminders go out a set time before it.
    meeting_time: Mapped[str] = mapped_column(String(5), default="15:00")
    # The weekdays the team meets, comma-separated in WEEKDAYS order ("mon,tue,wed,thu,fri").
    # The server default too: rows written without it (older code, raw SQL) meet on weekdays.
    meeting_days: Mapped[str] = mapped_column(
        String(27), default=DEFAULT_MEETING_DAYS, server_default=DEFAULT_MEETING_DAYS
    )
    standup_reminder_minutes: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def meeting_weekdays(self) -> list[str]:
        """The meeting days, Monday first (Monday to Friday for a row not yet flushed)."""
        return (self.meeting_days or DEFAULT_MEETING_DAYS).split(",")

    def meets_on(self, day: date) -> bool:
        """Whether the team meets on ``day`` (a date in the team's timezone)."""
        return WEEKDAYS[day.weekday()] in self.meeting_weekdays


def meeting_days_text(days: list[str]) -> str:
    """The stored form of a set of weekdays: known ones only, Monday first, no repeats."""
    return ",".join(day for day in WEEKDAYS if day in days)


class TeamMember(Base):
    __tablename__ = "team_member"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True)
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_team_member_user_id", "user_id"),)


class Invitation(Base):
    """A link that lets whoever holds it join a team with a role, once, before it expires.

    Only a SHA-256 of the link's secret is stored: the secret is shown once, to its creator.
    """

    __tablename__ = "team_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    used_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    # The address the link was emailed to (None: a link to copy and pass on by hand).
    email: Mapped[str | None] = mapped_column(String(254), default=None)

    __table_args__ = (Index("ix_team_invitation_team_id", "team_id"),)
