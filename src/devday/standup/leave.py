"""Leave: date ranges a user is away. Members on leave get no standup reminder and show as
away on their teams' standups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Conflict, Invalid, NotFound
from devday.standup.models import Leave

MAX_SPAN_DAYS = 366


def on_leave(*, session: Session, user_id: int, day: date) -> bool:
    """Whether ``user_id`` is on leave on ``day`` (a local date; both ends count)."""
    found = session.scalar(
        select(Leave.id)
        .where(Leave.user_id == user_id, Leave.start <= day, Leave.end >= day)
        .limit(1)
    )
    return found is not None


def away(*, session: Session, user_ids: Iterable[int], day: date) -> set[int]:
    """Which of ``user_ids`` are on leave on ``day``."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Leave.user_id).where(
                Leave.user_id.in_(ids), Leave.start <= day, Leave.end >= day
            )
        )
    )


def list_leave(*, session: Session, user: User, since: date | None = None) -> Sequence[Leave]:
    """The caller's leave, earliest first; with ``since``, only ranges ending on or after it."""
    query = select(Leave).where(Leave.user_id == user.id)
    if since is not None:
        query = query.where(Leave.end >= since)
    return session.scalars(query.order_by(Leave.start, Leave.id)).all()


def add_leave(
    *, session: Session, user: User, start: date, end: date, note: str, now: datetime
) -> Leave:
    """A new range; it may not end before it starts, span more than a year, or overlap
    another range of the caller's (change that one instead)."""
    if end < start:
        raise Invalid("the leave must end on or after its first day", field="end")
    if end - start >= timedelta(days=MAX_SPAN_DAYS):
        raise Invalid(f"a leave may span at most {MAX_SPAN_DAYS} days", field="end")
    clash = session.scalar(
        select(Leave)
        .where(Leave.user_id == user.id, Leave.start <= end, Leave.end >= start)
        .order_by(Leave.start)
        .limit(1)
    )
    if clash is not None:
        raise Conflict(
            f"overlaps your leave #{clash.id} ({clash.start.isoformat()} to "
            f"{clash.end.isoformat()}); remove that one first",
            field="start",
        )
    leave = Leave(user_id=user.id, start=start, end=end, note=note.strip(), created_at=now)
    session.add(leave)
    session.flush()
    return leave


def get_leave(*, session: Session, user: User, leave_id: int) -> Leave:
    leave = session.get(Leave, leave_id)
    if leave is None or leave.user_id != user.id:
        raise NotFound(f"leave {leave_id} not found")
    return leave


def delete_leave(*, session: Session, user: User, leave_id: int) -> None:
    session.delete(get_leave(session=session, user=user, leave_id=leave_id))
    session.flush()
