"""The task API's answers built from rows: a task as the API shows it, and a page of them.

FastAPI-free, so that the routes and the CLI's local fast path build the very same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from devday import markdown
from devday.account.models import User
from devday.errors import Invalid
from devday.task import service
from devday.task.models import Status, Task
from devday.task.schemas import TaskListQuery, TaskPage, TaskRead
from devday.worklog import service as worklog_service


def to_read(session: Session, tasks: Sequence[Task], now: datetime) -> list[TaskRead]:
    """API views of ``tasks`` with their tags, dependencies and logged time, in three queries
    for the lot; a running timer counts up to ``now``."""
    ids = [t.id for t in tasks]
    tags = service.tags_of(session=session, task_ids=ids)
    deps = service.dependencies_of(session=session, task_ids=ids)
    actual = worklog_service.actual_minutes(session=session, task_ids=ids, now=now)
    return [
        TaskRead(
            id=t.id,
            title=t.title,
            notes=t.notes,
            notes_html=markdown.render(t.notes),
            status=t.status,
            importance=t.importance,
            priority=f"P{5 - t.importance}",
            deadline=t.deadline_at,
            planned_date=t.planned_date,
            estimate_minutes=t.estimate_minutes,
            actual_minutes=actual[t.id],
            earliest_start=t.earliest_start_at,
            splittable=t.splittable,
            min_chunk_minutes=t.min_chunk_minutes,
            kind=t.kind,
            tags=tags[t.id],
            project_id=t.project_id,
            owner_id=t.owner_id,
            team_id=t.team_id,
            assignee_id=t.assignee_id,
            depends_on=deps[t.id],
            source=t.source,
            created_at=t.created_at,
            updated_at=t.updated_at,
            completed_at=t.completed_at,
            version=t.version,
        )
        for t in tasks
    ]


def statuses(raw: list[str] | None) -> tuple[Status, ...]:
    """The statuses a list query names ("open" is todo and doing), or Invalid naming ``status``."""
    result: list[Status] = []
    for chunk in raw or []:
        for name in chunk.split(","):
            name = name.strip()
            if not name:
                continue
            if name == "open":
                result.extend((Status.todo, Status.doing))
                continue
            try:
                result.append(Status(name))
            except ValueError:
                allowed = ", ".join([s.value for s in Status] + ["open"])
                raise Invalid(
                    f"unknown status {name!r}; use one of {allowed}", field="status"
                ) from None
    return tuple(dict.fromkeys(result))


def task_page(*, session: Session, user: User, query: TaskListQuery, now: datetime) -> TaskPage:
    """One page of the tasks ``user`` can see, filtered by ``query``, by deadline (none last),
    then importance."""
    filters = service.TaskFilter(
        status=statuses(query.status),
        project_id=query.project_id,
        team_id=query.team_id,
        tag=query.tag,
        assignee_id=query.assignee_id,
        deadline_before=query.deadline_before,
        deadline_after=query.deadline_after,
        planned_date=query.planned_date,
        text=query.q,
    )
    rows = service.list_tasks(
        session=session, user=user, filters=filters, limit=query.limit + 1, offset=query.offset
    )
    more = len(rows) > query.limit
    return TaskPage(
        items=to_read(session, rows[: query.limit], now),
        limit=query.limit,
        offset=query.offset,
        next_offset=query.offset + query.limit if more else None,
    )
