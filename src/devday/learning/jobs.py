"""The feeds' scheduled work: one sweep, queued when a worker starts and every few minutes
after, fetches every feed that is due, with no transaction open while it waits on the far end,
and forgets items older than the days kept.

A fetch sends the feed's ETag and Last-Modified back (a 304 changes nothing but the next fetch
instant); a feed is fetched again after its own interval (``ttl``, ``sy:updatePeriod``) or the
minimum, whichever is longer.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from devday.jobs import service as jobs_service
from devday.jobs.models import ScheduledJob
from devday.learning import feeds
from devday.learning import fetch as feed_fetch
from devday.learning.models import Feed
from devday.netguard import OutboundPolicy

if TYPE_CHECKING:
    from devday.config import Settings
    from devday.jobs.registry import JobRegistry

SWEEP = "learning.feeds"
SWEEP_EVERY = timedelta(minutes=5)
#: Feeds fetched in one sweep, and at once.
BATCH = 1000
CONCURRENCY = 8


@dataclass(frozen=True)
class FeedSettings:
    keep_days: int = 30
    minimum_minutes: int = 30
    max_bytes: int = feed_fetch.MAX_BYTES


def feed_settings(settings: Settings | None) -> FeedSettings:
    if settings is None:
        return FeedSettings()
    return FeedSettings(
        keep_days=settings.feed_keep_days,
        minimum_minutes=settings.feed_min_interval_minutes,
        max_bytes=settings.feed_max_bytes,
    )


def fetch_all(
    due: list[feeds.Due], policy: OutboundPolicy, max_bytes: int
) -> list[tuple[int, feed_fetch.Fetched]]:
    """Fetches ``due`` a few at a time; never raises for a feed's failure."""
    with feed_fetch.client(policy) as http:

        def one(item: feeds.Due) -> tuple[int, feed_fetch.Fetched]:
            return item.feed_id, feed_fetch.fetch(
                http,
                item.url,
                etag=item.etag,
                last_modified=item.last_modified,
                max_bytes=max_bytes,
            )

        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            return list(pool.map(one, due))


def record_all(
    session: Session,
    outcomes: list[tuple[int, feed_fetch.Fetched]],
    now: datetime,
    settings: FeedSettings,
) -> int:
    new = 0
    for feed_id, fetched in outcomes:
        feed = session.get(Feed, feed_id)
        if feed is None:  # unsubscribed while it was fetched
            continue
        new += feeds.store(
            session=session,
            feed=feed,
            fetched=fetched,
            now=now,
            minimum_minutes=settings.minimum_minutes,
        )
    feeds.prune(session=session, now=now, keep_days=settings.keep_days)
    return new


class Sweep:
    def __init__(self, outbound: OutboundPolicy, settings: FeedSettings) -> None:
        self.outbound = outbound
        self.settings = settings

    def prepare(self, session: Session, job: ScheduledJob, now: datetime) -> list[feeds.Due]:
        schedule_sweep(session, now + SWEEP_EVERY)
        return feeds.due(session=session, now=now, limit=BATCH)

    def exchange(
        self, prepared: list[feeds.Due], sessions: sessionmaker[Session]
    ) -> list[tuple[int, feed_fetch.Fetched]]:
        return fetch_all(prepared, self.outbound, self.settings.max_bytes)

    def record(
        self,
        session: Session,
        job: ScheduledJob,
        prepared: list[feeds.Due],
        outcome: list[tuple[int, feed_fetch.Fetched]],
        now: datetime,
    ) -> None:
        record_all(session, outcome, now, self.settings)


def schedule_sweep(session: Session, now: datetime) -> None:
    # On the five-minute grid, so that two workers queueing "the next sweep" pick one slot.
    slot = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    jobs_service.schedule(session=session, kind=SWEEP, due_at=slot, now=now)


def register(registry: JobRegistry, settings: FeedSettings | None = None) -> None:
    registry.register_network(SWEEP, Sweep(registry.outbound, settings or FeedSettings()))
    registry.on_start(schedule_sweep)
