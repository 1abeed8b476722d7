from __future__ import annotations

import os
import uuid

import pytest

from devday.account.ratelimit import RateLimits
from devday.errors import RateLimited


def test_it_counts_in_memory_by_default() -> None:
    limits = RateLimits()
    limits.hit("2/minute", "k", message="slow down")
    limits.hit("2/minute", "k", message="slow down")
    with pytest.raises(RateLimited) as raised:
        limits.hit("2/minute", "k", message="slow down")
    assert raised.value.retry_after >= 1
    limits.hit("2/minute", "other-key", message="slow down")


@pytest.mark.skipif(not os.environ.get("DEVDAY_TEST_REDIS_URL"), reason="set DEVDAY_TEST_REDIS_URL")
def test_it_shares_counts_between_processes_through_redis() -> None:
    url = os.environ["DEVDAY_TEST_REDIS_URL"]
    key = uuid.uuid4().hex
    first, second = RateLimits(url), RateLimits(url)
    first.hit("2/minute", key, message="slow down")
    second.hit("2/minute", key, message="slow down")
    with pytest.raises(RateLimited):
        first.hit("2/minute", key, message="slow down")
