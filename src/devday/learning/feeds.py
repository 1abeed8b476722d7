"""Feeds a user follows and their items: subscribing (after a first fetch that succeeded),
storing what a fetch read (items de-duplicated by link and GUID across the user's feeds),
reading an item later (it joins the learning list) or dismissing it, and forgetting old items.

The fetch itself (``learning.fetch``) happens with no transaction open; what it read is stored
here in the caller's transaction, whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Conflict, Invalid, NotFound
from devday.learning import fetch as feed_fetch
from devday.learning.models import Feed, FeedItem, FeedItemState, ItemKind, LearningItem

DEFAULT_INTERVAL_MINUTES = 60
MAX_FEEDS_PER_USER = 500
MAX_LISTED = 200


@dataclass(frozen=True)
class Due:
    """What a fetch of a due feed needs."""

    feed_id: int
    url: str
    etag: str
    last_modified: str


@dataclass
class ItemView:
    row: FeedItem
    feed_title: str

    def __getattr__(self, name: str) -> object:
        if name.startswith("__") or name == "row":
            raise AttributeError(name)
        return getattr(self.row, name)

    @property
    def reading_minutes(self) -> int:
        return feed_fetch.reading_minutes(self.row.words)


def get_feed(*, session: Session, user: User, feed_id: int) -> Feed:
    feed = session.get(Feed, feed_id)
    if feed is None or feed.user_id != user.id:
        raise NotFound(f"feed {feed_id} not found")
    return feed


def list_feeds(*, session: Session, user: User) -> Sequence[Feed]:
    return session.scalars(
        select(Feed).where(Feed.user_id == user.id).order_by(Feed.title, Feed.id)
    ).all()


def check_new(*, session: Session, user: User, url: str) -> None:
    """Refuses a feed the user follows already, or one too many (before anything is fetched)."""
    if session.scalar(select(Feed.id).where(Feed.user_id == user.id, Feed.url == url)):
        raise Conflict("you follow this feed already", field="url")
    count = len(session.scalars(select(Feed.id).where(Feed.user_id == user.id)).all())
    if count >= MAX_FEEDS_PER_USER:
        raise Invalid(f"you follow {MAX_FEEDS_PER_USER} feeds, the most there may be", field="url")


def subscribe(
    *,
    session: Session,
    user: User,
    fetched: feed_fetch.Fetched,
    starred: bool,
    now: datetime,
    minimum_minutes: int,
) -> Feed:
    """Stores a feed and its first items from a fetch that read it; a fetch that failed is a
    422 on ``url`` naming the problem, and nothing is stored."""
    if fetched.error:
        raise Invalid(f"cannot subscribe: {fetched.error}", field="url")
    check_new(session=session, user=user, url=fetched.url)
    feed = Feed(
        user_id=user.id,
        url=fetched.url,
        title=fetched.title or fetched.url,
        starred=starred,
        next_fetch_at=now,
        created_at=now,
    )
    session.add(feed)
    session.flush()
    store(session=session, feed=feed, fetched=fetched, now=now, minimum_minutes=minimum_minutes)
    return feed


def set_starred(*, session: Session, user: User, feed_id: int, starred: bool) -> Feed:
    feed = get_feed(session=session, user=user, feed_id=feed_id)
    feed.starred = starred
    session.flush()
    return feed


def unsubscribe(*, session: Session, user: User, feed_id: int) -> None:
    feed = get_feed(session=session, user=user, feed_id=feed_id)
    session.delete(feed)
    session.flush()


def due(*, session: Session, now: datetime, limit: int) -> list[Due]:
    rows = session.scalars(
        select(Feed).where(Feed.next_fetch_at <= now).order_by(Feed.next_fetch_at).limit(limit)
    )
    return [Due(f.id, f.url, f.etag, f.last_modified) for f in rows]


def store(
    *,
    session: Session,
    feed: Feed,
    fetched: feed_fetch.Fetched,
    now: datetime,
    minimum_minutes: int,
) -> int:
    """Writes a fetch's outcome on ``feed``: the next fetch, the validators, the error, and
    the items not seen before in any of the user's feeds. Returns how many items are new."""
    interval = fetched.interval_minutes or feed.interval_minutes or DEFAULT_INTERVAL_MINUTES
    if fetched.error:
        feed.last_error = fetched.error[:500]
        feed.next_fetch_at = feed_fetch.next_fetch(now, feed.interval_minutes, minimum_minutes)
        session.flush()
        return 0
    feed.last_error = ""
    feed.fetched_at = now
    feed.interval_minutes = max(interval, minimum_minutes)
    feed.next_fetch_at = feed_fetch.next_fetch(now, interval, minimum_minutes)
    if fetched.not_modified:
        session.flush()
        return 0
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    if fetched.title:
        feed.title = fetched.title
    if fetched.site_url:
        feed.site_url = fetched.site_url
    entries = {entry.key: entry for entry in fetched.entries}
    keys = list(entries)
    guids = [e.guid for e in entries.values() if e.guid]
    # Two look-ups, each on its own index (an OR of the two would scan the user's items).
    known_keys: set[str] = set()
    known_guids: set[str] = set()
    for start in range(0, len(keys), 500):
        known_keys.update(
            session.scalars(
                select(FeedItem.key).where(
                    FeedItem.user_id == feed.user_id, FeedItem.key.in_(keys[start : start + 500])
                )
            )
        )
    for start in range(0, len(guids), 500):
        known_guids.update(
            session.scalars(
                select(FeedItem.guid).where(
                    FeedItem.user_id == feed.user_id, FeedItem.guid.in_(guids[start : start + 500])
                )
            )
        )
    # Plain rows in one multi-row INSERT: items come in hundreds per sweep, and ORM objects
    # cost several times the insert itself.
    new = [
        {
            "user_id": feed.user_id,
            "feed_id": feed.id,
            "key": entry.key,
            "guid": entry.guid,
            "link": entry.link,
            "title": entry.title,
            "summary": entry.summary,
            "words": entry.words,
            "published_at": entry.published_at or now,
            "fetched_at": now,
            "state": FeedItemState.new,
        }
        for entry in entries.values()
        if entry.key not in known_keys and not (entry.guid and entry.guid in known_guids)
    ]
    session.flush()
    if new:
        session.execute(insert(FeedItem).values(new))
    return len(new)


def prune(*, session: Session, now: datetime, keep_days: int) -> int:
    """Forgets items fetched more than ``keep_days`` ago that are not on a learning list."""
    result = session.execute(
        delete(FeedItem).where(
            FeedItem.fetched_at < now - timedelta(days=keep_days),
            FeedItem.state != FeedItemState.later,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def get_item(*, session: Session, user: User, item_id: int) -> FeedItem:
    item = session.get(FeedItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(f"feed item {item_id} not found")
    return item


def list_items(
    *,
    session: Session,
    user: User,
    since: datetime | None = None,
    starred_only: bool = False,
    include_dismissed: bool = False,
    limit: int = MAX_LISTED,
) -> list[ItemView]:
    """The user's feed items, newest first, each with its feed's title."""
    query = (
        select(FeedItem, Feed.title)
        .join(Feed, Feed.id == FeedItem.feed_id)
        .where(FeedItem.user_id == user.id)
    )
    if since is not None:
        query = query.where(FeedItem.published_at >= since)
    if starred_only:
        query = query.where(Feed.starred.is_(True))
    if not include_dismissed:
        query = query.where(FeedItem.state == FeedItemState.new)
    query = query.order_by(FeedItem.published_at.desc(), FeedItem.id.desc()).limit(limit)
    return [ItemView(row, title) for row, title in session.execute(query)]


def read_later(*, session: Session, user: User, item_id: int, now: datetime) -> LearningItem:
    """Puts a feed item on the learning list as an article, with a reading time from its
    words; doing it twice gives the same learning item."""
    item = get_item(session=session, user=user, item_id=item_id)
    if item.learning_item_id is not None:
        existing = session.get(LearningItem, item.learning_item_id)
        if existing is not None:
            return existing
    learning = LearningItem(
        user_id=user.id,
        kind=ItemKind.article,
        title=item.title[:300],
        url=item.link if item.link.startswith(("http://", "https://")) else "",
        minutes=feed_fetch.reading_minutes(item.words),
        created_at=now,
    )
    session.add(learning)
    session.flush()
    item.learning_item_id = learning.id
    item.state = FeedItemState.later
    session.flush()
    return learning


def dismiss(*, session: Session, user: User, item_id: int) -> FeedItem:
    item = get_item(session=session, user=user, item_id=item_id)
    if item.state == FeedItemState.new:
        item.state = FeedItemState.dismissed
    session.flush()
    return item
