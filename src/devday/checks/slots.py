"""When a check runs: slots on its interval, shifted by a phase taken from its id.

A check with interval ``i`` seconds runs at the instants ``phase + k * i`` (Unix time). The
phase spreads checks with the same interval over the whole interval, so a thousand one-minute
checks start about sixteen a second rather than all at :00. The phase is a hash of the id, so
every process computes the same slots without asking anyone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_GOLDEN = 2654435761  # Knuth's multiplicative hash: neighbouring ids land far apart


def phase_ms(check_id: int, interval_seconds: int) -> int:
    """The check's offset into its interval, in milliseconds."""
    return (check_id * _GOLDEN) % (interval_seconds * 1000)


def _ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)


def _instant(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def next_slot_after(check_id: int, interval_seconds: int, now: datetime) -> datetime:
    """The first slot strictly after ``now``."""
    step = interval_seconds * 1000
    offset = phase_ms(check_id, interval_seconds)
    k = (_ms(now) - offset) // step + 1
    return _instant(k * step + offset)


def latest_slot_at_or_before(check_id: int, interval_seconds: int, now: datetime) -> datetime:
    """The last slot at or before ``now``: the one a late run stands for."""
    return next_slot_after(check_id, interval_seconds, now) - timedelta(seconds=interval_seconds)
