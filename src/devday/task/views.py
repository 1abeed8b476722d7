"""What the task API shows of a task beyond its columns: its tags, dependencies and logged
time (read for a whole page at once), its priority label and its notes as HTML; and a page of
tasks for a list query.

FastAPI-free, so that the routes and the CLI's local fast path build the very same answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from devday import importance, markdown
from devday.account.models import User
from devday.errors import Invalid
from devday.readmodel import RowView
from devday.recurrence.views import RepeatRead, repeats_of
from devday.task import service
from devday.task.models import Status, Task, TaskDependency, TaskTag
from devday.task.schemas import TaskListQuery, TaskPage, TaskRead
from devday.worklog import service as worklog_service


@dataclass(frozen=True)
class TaskRow(RowView):
    """A task as ``TaskRead`` shows it."""

    row: Task
    tags: list[str]
    depends_on: list[int]
    actual_minutes: int
    #: What ``TaskSaved`` adds after a create or an update (see ``task.deadline_check``).
    warnings: list[str] = field(default_factory=list)
    repeat: RepeatRead | None = None

    @property
    def priority(self) -> str:
        return importance.label(self.row.importance)

    @property
    def notes_html(self) -> str:
        return markdown.render(self.row.notes)

    @property
    def deadline(self) -> datetime | None:
        return self.row.deadline_at

    @property
    def earliest_start(self) -> datetime | None:
        return self.row.earliest_start_at


def task_rows(session: Session, tasks: Sequence[Task], now: datetime) -> list[TaskRow]:
    """``tasks`` with their tags, dependencies and logged time, in three queries for the lot;
    a running timer counts up to ``now``."""
    ids = [t.id for t in tasks]
    tags = service.tags_of(session=session, task_ids=ids)
    deps = service.dependencies_of(session=session, task_ids=ids)
    actual = worklog_service.actual_minutes(session=session, task_ids=ids, now=now)
    repeats = repeats_of(session=session, task_ids=ids)
    return [
        TaskRow(
            row=t,
            tags=tags[t.id],
            depends_on=deps[t.id],
            actual_minutes=actual[t.id],
            repeat=repeats.get(t.id),
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


# What a task list shows of each task, under TaskRead's names, with its tags and dependencies
# joined into strings by the database: one statement for the page, no ORM objects.
_TASK, _TAG, _DEPENDENCY = Task.__table__.c, TaskTag.__table__.c, TaskDependency.__table__.c
_LIST_SEPARATOR = ","  # never in a tag (letters, digits and . - / _) nor in an id
_TAGS = (
    select(func.aggregate_strings(_TAG.tag, _LIST_SEPARATOR))
    .where(_TAG.task_id == _TASK.id)
    .scalar_subquery()
)
_DEPENDS_ON = (
    select(func.aggregate_strings(cast(_DEPENDENCY.depends_on_id, String), _LIST_SEPARATOR))
    .where(_DEPENDENCY.task_id == _TASK.id)
    .scalar_subquery()
)
_LIST_COLUMNS = (
    _TASK.id,
    _TASK.title,
    _TASK.notes,
    _TASK.status,
    _TASK.importance,
    _TASK.deadline_at.label("deadline"),
    _TASK.planned_date,
    _TASK.estimate_minutes,
    _TASK.earliest_start_at.label("earliest_start"),
    _TASK.splittable,
    _TASK.min_chunk_minutes,
    _TASK.kind,
    _TASK.project_id,
    _TASK.owner_id,
    _TASK.team_id,
    _TASK.assignee_id,
    _TASK.source,
    _TASK.created_at,
    _TASK.updated_at,
    _TASK.completed_at,
    _TASK.version,
    _TAGS.label("tags"),
    _DEPENDS_ON.label("depends_on"),
    worklog_service.logged_microseconds(_TASK.id).label("logged"),
)
_LIST = select(*_LIST_COLUMNS)


def task_page(*, session: Session, user: User, query: TaskListQuery, now: datetime) -> TaskPage:
    """One page of the tasks ``user`` can see, filtered by ``query``, by deadline (none last),
    then importance, in one query."""
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
    statement, params = service.list_query(
        _LIST, user.id, filters, limit=query.limit + 1, offset=query.offset
    )
    result = session.execute(statement, {**params, "now": now})
    names = tuple(result.keys())
    rows = result.all()
    more = len(rows) > query.limit
    repeats = repeats_of(session=session, task_ids=[row[0] for row in rows[: query.limit]])
    return TaskPage(
        items=[
            _listed(dict(zip(names, row, strict=True)), repeats.get(row[0]))
            for row in rows[: query.limit]
        ],
        limit=query.limit,
        offset=query.offset,
        next_offset=query.offset + query.limit if more else None,
    )


def _listed(row: dict[str, Any], repeat: RepeatRead | None) -> TaskRead:
    # Every value is already of its field's type (the columns' types, instants in UTC): the read
    # model is taken as it is rather than validated, which is most of the page's time otherwise.
    tags, depends_on, logged = row.pop("tags"), row.pop("depends_on"), row.pop("logged")
    row.update(
        tags=sorted(tags.split(_LIST_SEPARATOR)) if tags else [],
        depends_on=sorted(int(i) for i in depends_on.split(_LIST_SEPARATOR)) if depends_on else [],
        priority=importance.label(row["importance"]),
        notes_html=markdown.render(row["notes"]),
        actual_minutes=logged // worklog_service.MICROSECONDS_PER_MINUTE,
        repeat=repeat,
    )
    return TaskRead.trusted(row)
