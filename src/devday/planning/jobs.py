"""Keeping a plan true as time passes: when a block ends with no time logged on its task, the
plan is re-planned then, so that the work it held is placed again and the risks say so.

Every stored plan asks for a catch-up at the end of its next block ahead (``schedule_catch_up``,
called when the plan is stored); the job re-plans the user's plans only when some block went by
unworked since their last change. One job per user and moment, however many plans ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.jobs import service as jobs_service
from devday.jobs.models import ScheduledJob
from devday.planning.models import DayPlan, PlanBlock
from devday.task.models import Status, Task
from devday.worklog.models import TimeEntry

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

CATCH_UP = "planning.catch_up"


def schedule_catch_up(
    *, session: Session, plan: DayPlan, blocks: Sequence[PlanBlock], now: datetime
) -> None:
    """Queues a catch-up for the end of the plan's next block ahead, if it has one."""
    ends = [b.end_at for b in blocks if not b.done and b.end_at > now]
    if ends:
        jobs_service.schedule(
            session=session, kind=CATCH_UP, due_at=min(ends), now=now, user_id=plan.user_id
        )


def catch_up(session: Session, job: ScheduledJob, now: datetime) -> None:
    user = session.get(User, job.user_id) if job.user_id is not None else None
    if user is None:
        return
    from devday.planning import refresh

    today = now.astimezone(ZoneInfo(user.timezone)).date()
    plans = session.scalars(
        select(DayPlan).where(DayPlan.user_id == user.id, DayPlan.plan_date >= today)
    ).all()
    passed = list(
        dict.fromkeys(t for plan in plans for t in _passed_unworked(session, user, plan, now))
    )
    if passed:
        names = ", ".join(f"'{t}'" for t in passed)
        whose = "its block" if len(passed) == 1 else "their blocks"
        reason = f"time went by: {names} had no time logged in {whose}"
        refresh.refresh_user(session=session, user=user, now=now, reason=reason[:300])


def _passed_unworked(session: Session, user: User, plan: DayPlan, now: datetime) -> list[str]:
    """Titles of open tasks whose blocks ended between the plan's last change and ``now`` with
    no time logged on the task within them."""
    since = plan.changed_at or plan.built_at
    rows = session.execute(
        select(PlanBlock, Task.title)
        .join(Task, Task.id == PlanBlock.task_id)
        .where(
            PlanBlock.plan_id == plan.id,
            PlanBlock.done.is_(False),
            PlanBlock.end_at > since,
            PlanBlock.end_at <= now,
            Task.status.in_((Status.todo, Status.doing)),
        )
    ).all()
    titles = []
    for block, title in rows:
        worked = session.scalar(
            select(TimeEntry.id)
            .where(
                TimeEntry.task_id == block.task_id,
                TimeEntry.start_at < block.end_at,
                (TimeEntry.end_at.is_(None)) | (TimeEntry.end_at > block.start_at),
            )
            .limit(1)
        )
        if worked is None:
            titles.append(title)
    return titles


def register(registry: JobRegistry) -> None:
    registry.register(CATCH_UP, catch_up)
