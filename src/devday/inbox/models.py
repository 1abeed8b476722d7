"""Inbox items (requests to a person or a team), their history, and each team's inbox setup.

Other domains read ``InboxItem`` directly: ``received_at`` and ``answered_at`` (set when an
item is first accepted, declined or forwarded) measure how fast requests are answered.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class ItemSource(enum.StrEnum):
    colleague = "colleague"
    email = "email"
    help_form = "help_form"


class ItemStatus(enum.StrEnum):
    open = "open"
    accepted = "accepted"
    declined = "declined"
    snoozed = "snoozed"
    forwarded = "forwarded"


class EventKind(enum.StrEnum):
    received = "received"
    accepted = "accepted"
    declined = "declined"
    snoozed = "snoozed"
    woke = "woke"
    forwarded = "forwarded"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=16, validate_strings=True)


class InboxItem(Base):
    """One request. ``team_id`` is None for a person-to-person ask; ``recipient_id`` is None
    while a team-addressed request waits for someone to take it. A colleague's request has
    ``sender_id``; one from outside has ``sender_email`` and ``sender_name`` instead.

    ``status`` ``forwarded`` means handed on: it waits for its new recipient. ``snoozed``
    items come back (count as open) once ``snoozed_until`` has passed.
    """

    __tablename__ = "inbox_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), default=None
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    sender_email: Mapped[str | None] = mapped_column(String(254), default=None)
    sender_name: Mapped[str | None] = mapped_column(String(100), default=None)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[ItemSource] = mapped_column(_enum(ItemSource, "inbox_source"))
    status: Mapped[ItemStatus] = mapped_column(
        _enum(ItemStatus, "inbox_status"), default=ItemStatus.open
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), default=None
    )
    # The mail's Message-ID (or a digest of the mail without one): a mail seen twice is one item.
    message_id: Mapped[str | None] = mapped_column(String(300), default=None)
    reply: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("team_id", "message_id", name="uq_inbox_item_team_message"),
        Index("ix_inbox_item_recipient_status", "recipient_id", "status"),
        Index("ix_inbox_item_team_status", "team_id", "status"),
        Index("ix_inbox_item_sender_id", "sender_id"),
        Index("ix_inbox_item_task_id", "task_id"),
        Index("ix_inbox_item_received_at", "received_at"),
    )
    __mapper_args__ = {"version_id_col": version}


class InboxEvent(Base):
    """One step in an item's history; whoever acted on an item keeps seeing it."""

    __tablename__ = "inbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inbox_item.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "inbox_event_kind"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    to_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_inbox_event_item_id", "item_id"),
        Index("ix_inbox_event_actor_id", "actor_id"),
    )


class TeamInbox(Base):
    """A team's inbox setup: its public slug (the help form at ``/help/<slug>`` and the address
    ``<slug>@<DEVDAY_INBOX_DOMAIN>``) and an IMAP mailbox to poll.

    ``imap_password`` is kept as given, since devday must log in with it; the API never
    answers it back.
    """

    __tablename__ = "team_inbox"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    help_form: Mapped[bool] = mapped_column(default=False)
    imap_enabled: Mapped[bool] = mapped_column(default=False)
    imap_host: Mapped[str] = mapped_column(String(253), default="")
    imap_port: Mapped[int] = mapped_column(default=993)
    imap_tls: Mapped[bool] = mapped_column(default=True)
    imap_user: Mapped[str] = mapped_column(String(254), default="")
    imap_password: Mapped[str] = mapped_column(String(500), default="")
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    poll_minutes: Mapped[int] = mapped_column(default=5)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Set while a poll talks to the mailbox (one poll at a time per team); a poll that died
    # gives the mailbox up when it passes.
    poll_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
