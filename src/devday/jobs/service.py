"""Scheduling jobs: a slot (kind, user, team, due instant) is queued at most once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from devday.jobs.models import JobStatus, ScheduledJob, slot_key


def schedule(
    *,
    session: Session,
    kind: str,
    due_at: datetime,
    now: datetime,
    user_id: int | None = None,
    team_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> ScheduledJob | None:
    """Queues ``kind`` for ``due_at`` in the caller's transaction.

    Returns the new job, or None when that slot is already queued (then nothing changes), so a
    handler may schedule its next occurrence without checking first.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ScheduledJob)
        .values(
            kind=kind,
            user_id=user_id,
            team_id=team_id,
            due_at=due_at,
            slot=slot_key(kind, user_id, team_id, due_at),
            payload=payload or {},
            status=JobStatus.pending,
            attempts=0,
            next_attempt_at=due_at,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["slot"])
        .returning(ScheduledJob.id)
    )
    new_id = session.scalar(statement)
    return None if new_id is None else session.get_one(ScheduledJob, new_id)
