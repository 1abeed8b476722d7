"""Login and sign-up rate limits, shared by every process when Redis is configured."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from devday.errors import RateLimited


class RateLimits:
    """Named limits over one storage: memory by default, Redis when ``redis_url`` is given."""

    def __init__(self, redis_url: str = "") -> None:
        self.storage: Storage = RedisStorage(redis_url) if redis_url else MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)

    def hit(self, limit: str, *keys: str, message: str) -> None:
        """Counts one attempt against ``limit`` for ``keys``; raises RateLimited when over it."""
        item = parse(limit)
        if not self.limiter.hit(item, *keys):
            reset_at, _remaining = self.limiter.get_window_stats(item, *keys)
            raise RateLimited(message, retry_after=max(1, int(reset_at - time.time())))

    def check(self, limit: str, *keys: str, message: str) -> None:
        """Raises RateLimited when ``limit`` is spent for ``keys``, without counting."""
        item = parse(limit)
        if not self.limiter.test(item, *keys):
            reset_at, _remaining = self.limiter.get_window_stats(item, *keys)
            raise RateLimited(message, retry_after=max(1, int(reset_at - time.time())))

    def count(self, limit: str, *keys: str) -> None:
        """Counts one event against ``limit`` for ``keys``, whether or not it is spent."""
        self.limiter.hit(parse(limit), *keys)

    def reset(self, limit: str, *keys: str) -> None:
        self.limiter.clear(parse(limit), *keys)
