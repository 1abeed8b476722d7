"""The learning list (courses, books, articles, talks), the time spent on it, and the feeds a
user follows with their items."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime, utcnow


class ItemKind(enum.StrEnum):
    course = "course"
    book = "book"
    article = "article"
    talk = "talk"


#: Kinds made of parts (lessons, chapters); the others are one sitting each.
WITH_PARTS = (ItemKind.course, ItemKind.book)


class FeedItemState(enum.StrEnum):
    new = "new"
    later = "later"  # joined the learning list
    dismissed = "dismissed"


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class LearningItem(Base):
    """One thing to learn from. ``minutes`` is the estimate of an article or talk, or of each
    lesson/chapter of a course or book that has no estimate of its own."""

    __tablename__ = "learning_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "learning_kind"))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000), default="")
    minutes: Mapped[int] = mapped_column(default=30)
    goal_date: Mapped[date | None] = mapped_column(Date, default=None)
    starred: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (Index("ix_learning_item_user_id", "user_id"),)
    __mapper_args__ = {"version_id_col": version}


class LearningPart(Base):
    """A lesson of a course or a chapter of a book, in order."""

    __tablename__ = "learning_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("learning_item.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (Index("ix_learning_part_item_id", "item_id"),)


class LearningTime(Base):
    """Time spent learning: [start_at, end_at) on an item (kept by kind if the item goes)."""

    __tablename__ = "learning_time"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_item.id", ondelete="SET NULL"), default=None
    )
    part_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_part.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "learning_time_kind"))
    title: Mapped[str] = mapped_column(String(300), default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_learning_time_user_start", "user_id", "start_at"),
        Index("ix_learning_time_item_id", "item_id"),
        Index("ix_learning_time_part_id", "part_id"),
    )


class LearningPreference(Base):
    """A user's learning settings; no row means the defaults."""

    __tablename__ = "learning_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # Learning goes in the personal-development block; with this, also in free working time.
    in_working_hours: Mapped[bool] = mapped_column(default=False)


class Feed(Base):
    """An RSS or Atom feed a user follows, with what the next conditional request sends."""

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300), default="")
    site_url: Mapped[str] = mapped_column(String(2000), default="")
    starred: Mapped[bool] = mapped_column(default=False)
    etag: Mapped[str] = mapped_column(String(300), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    interval_minutes: Mapped[int] = mapped_column(default=60)
    next_fetch_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "url", name="uq_feed_user_url"),
        Index("ix_feed_next_fetch_at", "next_fetch_at"),
    )


class FeedItem(Base):
    """An entry of a feed. One per user and link (or GUID, when there is no link): the same
    article in two feeds is one item."""

    __tablename__ = "feed_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(2000))
    guid: Mapped[str] = mapped_column(String(2000), default="")
    link: Mapped[str] = mapped_column(String(2000), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[FeedItemState] = mapped_column(
        _enum(FeedItemState, "feed_item_state"), default=FeedItemState.new
    )
    learning_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_item.id", ondelete="SET NULL"), default=None
    )

    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_feed_item_user_key"),
        Index("ix_feed_item_feed_id", "feed_id"),
        Index("ix_feed_item_user_guid", "user_id", "guid"),
        Index("ix_feed_item_user_published", "user_id", "published_at"),
        Index("ix_feed_item_learning_item_id", "learning_item_id"),
    )
