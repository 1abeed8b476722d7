"""The live plan: a committed change to anything a plan is built from re-plans the stored plans
it touches (today's and every later day's already built), in the same transaction.

A plan is built from rows: tasks and their dependencies, time entries, busy times, the routine,
leave and the reflection's goals. ``install`` watches those rows on a session factory: each
flush notes whose plans the change touches and why, in words ("'Fix checkout' added"), and just
before the commit each touched user's plans are re-planned once. It is wired where the app and
the workers make their sessions (their composition roots), so that no writer, present or
future, can change a task and leave a plan that no longer holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from devday.clock import Clock

log = logging.getLogger(__name__)

_TOUCHED = "devday.plan_touched"
_CLOCK = "devday.clock"
_APPLYING = "devday.replanning"

#: Task fields the planner reads; a change to another one (notes, title) leaves plans as they are.
PLANNED_FIELDS = (
    "status",
    "importance",
    "deadline_at",
    "planned_date",
    "estimate_minutes",
    "earliest_start_at",
    "splittable",
    "min_chunk_minutes",
    "kind",
    "assignee_id",
)
MAX_REASON = 300


@dataclass
class Touched:
    """Whose plans a transaction touched, and why; tasks whose assignee is read at commit."""

    reasons: dict[int, list[str]] = field(default_factory=dict)
    tasks: dict[int, list[str]] = field(default_factory=dict)
    #: Per task, other users whose plans its change touches too (who logged time on it).
    also: dict[int, set[int]] = field(default_factory=dict)

    def user(self, user_id: int | None, reason: str) -> None:
        if user_id is not None:
            _add(self.reasons.setdefault(user_id, []), reason)

    def task(self, task_id: int | None, reason: str, user_id: int | None = None) -> None:
        if task_id is not None:
            _add(self.tasks.setdefault(task_id, []), reason)
            if user_id is not None:
                self.also.setdefault(task_id, set()).add(user_id)


def _add(reasons: list[str], reason: str) -> None:
    if reason not in reasons:
        reasons.append(reason)


def install(factory: sessionmaker[Session], clock: Clock) -> None:
    """Keeps every stored plan live for sessions made by ``factory``, with ``clock`` as now."""
    info = dict(factory.kw.get("info") or {})
    info[_CLOCK] = clock
    factory.configure(info=info)
    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "before_commit", _apply)


def touch(session: Session, user_id: int, reason: str) -> None:
    """Marks ``user_id``'s plans for a re-plan at commit, for a change no watched row shows."""
    _touched(session).user(user_id, reason)


def settle(session: Session, now: datetime) -> None:
    """Re-plans what this transaction touched so far, now rather than at commit: for a caller
    that reads the new plans before committing."""
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if touched is not None and (touched.reasons or touched.tasks):
        session.info[_APPLYING] = True
        try:
            replan_touched(session, touched, now)
        finally:
            session.info.pop(_APPLYING, None)


@contextmanager
def paused(session: Session) -> Iterator[None]:
    """Changes flushed inside are not re-planned: for writing stored plans back as they were
    (an account import), which a re-plan at commit would rebuild."""
    session.flush()
    session.info[_APPLYING] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_APPLYING, None)


def _touched(session: Session) -> Touched:
    touched = session.info.get(_TOUCHED)
    if touched is None:
        touched = session.info[_TOUCHED] = Touched()
    assert isinstance(touched, Touched)
    return touched


# --- what changed ------------------------------------------------------------------------------


def _collect(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_APPLYING):
        return
    from devday.day.models import Reflection
    from devday.planning.models import BusyEvent, Routine
    from devday.standup.models import Leave
    from devday.task.models import Task, TaskDependency
    from devday.worklog.models import TimeEntry

    touched = _touched(session)
    changes = [
        *((obj, "new") for obj in session.new),
        *((obj, "dirty") for obj in session.dirty),
        *((obj, "deleted") for obj in session.deleted),
    ]
    for obj, how in changes:
        if isinstance(obj, Task):
            _task_changed(touched, obj, how)
        elif isinstance(obj, TaskDependency):
            touched.task(obj.task_id, "dependencies changed")
        elif isinstance(obj, TimeEntry):
            _entry_changed(touched, obj, how)
        elif isinstance(obj, BusyEvent):
            verb = {"new": "added", "dirty": "changed", "deleted": "removed"}[how]
            touched.user(obj.user_id, f"busy time '{obj.title}' {verb}")
        elif isinstance(obj, Routine) and _modified(obj, how):
            touched.user(obj.user_id, "routine changed")
        elif isinstance(obj, Leave):
            verb = {"new": "added", "dirty": "changed", "deleted": "removed"}[how]
            touched.user(obj.user_id, f"leave {verb}")
        elif isinstance(obj, Reflection) and _changed(obj, ("goal_task_ids",), how):
            touched.user(obj.user_id, "goals set")


def _modified(obj: Any, how: str) -> bool:
    return how != "dirty" or inspect(obj).modified


def _changed(obj: Any, names: Iterable[str], how: str) -> bool:
    if how != "dirty":
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _task_changed(touched: Touched, task: Any, how: str) -> None:
    title = f"'{task.title}'"
    if how == "new":
        touched.user(task.assignee_id, f"{title} added")
        return
    if how == "deleted":
        touched.user(task.assignee_id, f"{title} deleted")
        return
    state = inspect(task)
    changed = [n for n in PLANNED_FIELDS if state.attrs[n].history.has_changes()]
    if not changed:
        return
    previous = state.attrs["assignee_id"].history.deleted
    for old in previous:
        touched.user(old, f"{title} given to someone else")
    if "status" in changed:
        reason = {
            "done": f"{title} finished",
            "dropped": f"{title} dropped",
            "doing": f"{title} started",
        }.get(str(task.status), f"{title} reopened")
    elif changed == ["deadline_at"]:
        reason = f"{title} deadline changed"
    elif changed == ["estimate_minutes"]:
        reason = f"{title} estimate changed"
    elif "assignee_id" in changed and previous:
        reason = f"{title} given to you"
    else:
        reason = f"{title} changed"
    touched.user(task.assignee_id, reason)


def _entry_changed(touched: Touched, entry: Any, how: str) -> None:
    if how == "deleted":
        reason = "time entry removed"
    elif how == "new":
        reason = "timer started" if entry.end_at is None else "time logged"
    elif _changed(entry, ("end_at",), how) and entry.end_at is not None:
        reason = "timer stopped"
    elif _changed(entry, ("start_at", "end_at", "task_id"), how):
        reason = "time entry changed"
    else:
        return
    # The work left on the task changes: its assignee's plans, and the plans of who logged it.
    touched.task(entry.task_id, reason, entry.user_id)


# --- re-planning at commit -----------------------------------------------------------------------


def _apply(session: Session) -> None:
    clock = session.info.get(_CLOCK)
    if clock is not None and not session.info.get(_APPLYING) and _TOUCHED in session.info:
        settle(session, clock.now())


def replan_touched(session: Session, touched: Touched, now: datetime) -> None:
    """Re-plans the stored plans of every user in ``touched`` from ``now``."""
    from devday.account.models import User
    from devday.planning import refresh
    from devday.task.models import Task

    reasons = {user_id: list(items) for user_id, items in touched.reasons.items()}
    if touched.tasks:
        rows = session.execute(
            select(Task.id, Task.assignee_id, Task.title).where(Task.id.in_(touched.tasks))
        )
        for task_id, assignee_id, title in rows:
            users = touched.also.get(task_id, set()) | ({assignee_id} if assignee_id else set())
            for user_id in users:
                items = reasons.setdefault(user_id, [])
                for reason in touched.tasks[task_id]:
                    _add(items, f"{reason} on '{title}'" if "'" not in reason else reason)
    for user_id in sorted(reasons):
        user = session.get(User, user_id)
        if user is None:
            continue
        refresh.refresh_user(session=session, user=user, now=now, reason=_summary(reasons[user_id]))


def _summary(reasons: list[str]) -> str:
    # What happened to a task says more than the time logged that came with it.
    reasons = sorted(reasons, key=lambda r: r.startswith(("time", "timer")))
    text = reasons[0] if len(reasons) == 1 else f"{reasons[0]} and {len(reasons) - 1} more"
    if len(reasons) == 2:
        text = f"{reasons[0]}; {reasons[1]}"
    return text[:MAX_REASON]
