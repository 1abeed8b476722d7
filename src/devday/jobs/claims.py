"""Claiming rows of a queue table (outbox messages, scheduled jobs) for one worker.

A claim is a conditional UPDATE that sets the status, the claimer and a lease; the condition
is checked again by the UPDATE itself, so two workers never claim the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from devday.jobs.models import ScheduledJob
from devday.notify.models import OutboxMessage

QueueModel = type[OutboxMessage] | type[ScheduledJob]
NO_SYNC = {"synchronize_session": False}


def claim(
    session: Session,
    model: QueueModel,
    due: ColumnElement[bool],
    order: tuple[Any, ...],
    values: dict[str, Any],
    limit: int,
) -> list[int]:
    """Sets ``values`` on up to ``limit`` rows matching ``due``; returns their ids."""
    # SKIP LOCKED lets concurrent workers on PostgreSQL take different rows instead of queueing
    # on the same ones; SQLite ignores it (its writers are serialised by BEGIN IMMEDIATE).
    candidates = session.scalars(
        select(model.id).where(due).order_by(*order).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return []
    # The condition is repeated: a row claimed meanwhile by another worker is left alone.
    claimed = session.scalars(
        update(model)
        .where(model.id.in_(candidates), due)
        .values(**values)
        .returning(model.id)
        .execution_options(**NO_SYNC)
    ).all()
    return sorted(claimed)


def release(
    session: Session,
    model: QueueModel,
    ids: Sequence[int],
    *,
    worker_id: str,
    claimed: str,
    released: str,
) -> None:
    """Hands rows ``worker_id`` claimed but did not start back to the queue, uncounting the
    attempt their claim counted."""
    session.execute(
        update(model)
        .where(model.id.in_(ids), model.status == claimed, model.claimed_by == worker_id)
        .values(status=released, claimed_by=None, claimed_until=None, attempts=model.attempts - 1)
        .execution_options(**NO_SYNC)
    )
