"""Notification channels and the outbox of messages waiting to be delivered through them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class ChannelKind(enum.StrEnum):
    email = "email"
    slack = "slack"
    mattermost = "mattermost"
    webhook = "webhook"
    apprise = "apprise"


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


class Channel(Base):
    """Where notifications go: an email address or a chat/webhook URL of a user or a team.

    ``secret`` signs generic webhook bodies (HMAC-SHA256); it is shown once, when created.
    """

    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[ChannelKind] = mapped_column(
        Enum(ChannelKind, native_enum=False, length=16, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_owner"),
        Index("ix_channel_user_id", "user_id"),
        Index("ix_channel_team_id", "team_id"),
    )


class OutboxMessage(Base):
    """One notification to deliver through one channel, written in its cause's transaction.

    The channel's kind, target and secret (and its owner) are copied in, so that deleting the
    channel neither loses queued messages nor hides them from their owner. ``delivery_id`` is
    sent with every attempt: receivers dedupe on it, since a retry after a crash can resend.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(32), unique=True)
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel.id", ondelete="SET NULL"), default=None
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[ChannelKind] = mapped_column(
        Enum(ChannelKind, native_enum=False, length=16, validate_strings=True)
    )
    target: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True, default=None)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16, validate_strings=True),
        default=OutboxStatus.pending,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        # The worker's claim: due pending rows, and 'sending' rows whose lease ran out.
        Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_message_user_id", "user_id"),
        Index("ix_outbox_message_team_id", "team_id"),
        Index("ix_outbox_message_channel_id", "channel_id"),
    )
