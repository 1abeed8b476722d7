"""Login and sign-up rate limits, shared by every process when Redis is configured."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from devday.config import Settings
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

    def reset(self, limit: str, *keys: str) -> None:
        self.limiter.clear(parse(limit), *keys)


def check_login_limits(limits: RateLimits, settings: Settings, email: str, address: str) -> None:
    """Counts a sign-in attempt per address and per account; RateLimited when either is spent."""
    limits.hit(
        settings.login_limit_per_address,
        "login-address",
        address,
        message="too many sign-in attempts from this address; try again later",
    )
    limits.hit(
        settings.login_limit_per_account,
        "login-account",
        email.strip().lower(),
        message="too many sign-in attempts for this account; try again later",
    )
