"""Deadlines the task service accepts but the user should hear about: one already past, or one
on a day their routine does not work.

Saving such a task is not refused (a deadline that passed while a task was written up, or a
Saturday release, is real); the API, the pages and the CLI show these warnings beside it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from devday import timetext
from devday.account.models import User
from devday.planning import service as planning_service
from devday.planning.routine import WEEKDAYS
from devday.task.models import Status, Task

_OPEN = (Status.todo, Status.doing)


def warnings(
    *, session: Session, user: User, task: Task, now: datetime, before: datetime | None = None
) -> list[str]:
    """What to tell ``user`` about ``task``'s deadline just saved, in their words and timezone:
    nothing when it did not change from ``before`` (the deadline before the save; None for a
    new task), when there is none, or when the task is no longer open."""
    deadline = task.deadline_at
    if deadline is None or deadline == before or task.status not in _OPEN:
        return []
    title, zone = task.title, ZoneInfo(user.timezone)
    when = f"{timetext.moment(deadline, user.timezone, now)} ({user.timezone})"
    found = []
    if deadline <= now:
        found.append(f"the deadline of {title!r}, {when}, has already passed")
    routine, _version = planning_service.get_routine(session=session, user=user)
    local = deadline.astimezone(zone)
    if not routine["working_hours"].get(WEEKDAYS[local.weekday()]):
        found.append(
            f"the deadline of {title!r}, {when}, is on a {local:%A}, "
            "which is not a working day in your routine"
        )
    return found
