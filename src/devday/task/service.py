"""Tasks: create, read, filter, update with optimistic concurrency, dependencies without cycles.

A task is visible to its owner, its assignee and the members of its project's team.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    delete,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from devday import events
from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.db import UTCDateTime
from devday.errors import Conflict, Forbidden, Invalid, NotFound
from devday.project import service as project_service
from devday.task.models import Status, Task, TaskDependency, TaskFormToken, TaskTag
from devday.task.schemas import TaskCreate, TaskUpdate
from devday.team import service as team_service
from devday.team.models import TeamMember
from devday.timeutil import end_of_working_day

OPEN_STATUSES = (Status.todo, Status.doing)


@dataclass(frozen=True)
class TaskFilter:
    status: tuple[Status, ...] = ()
    project_id: int | None = None
    team_id: int | None = None
    tag: str | None = None
    assignee_id: int | None = None
    deadline_before: datetime | None = None
    deadline_after: datetime | None = None
    planned_date: date | None = None
    text: str | None = None
    ids: tuple[int, ...] = field(default=())


def visible(user_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """The tasks user ``user_id`` can see: their own, assigned to them, or of one of their
    teams (a subquery, so that a list is one statement). Over table columns, so that a
    statement of columns stays a plain Core statement."""
    task, member = Task.__table__.c, TeamMember.__table__.c
    teams = select(member.team_id).where(member.user_id == user_id)
    return or_(task.owner_id == user_id, task.assignee_id == user_id, task.team_id.in_(teams))


def get_task(*, session: Session, user: User, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None or not can_see(session=session, user=user, task=task):
        raise NotFound(f"task {task_id} not found")
    return task


def can_see(*, session: Session, user: User, task: Task) -> bool:
    if user.id in (task.owner_id, task.assignee_id):
        return True
    return task.team_id is not None and (
        team_service.membership(session=session, team_id=task.team_id, user_id=user.id) is not None
    )


def can_change(*, session: Session, user: User, task: Task) -> bool:
    """Whether ``user`` may change ``task``: today everyone who sees it (its owner, its assignee
    and every member of its team works on tasks, see ``team.policy``). Pages that act on many
    tasks at once ask this first, so that a narrower rule here narrows them too."""
    return can_see(session=session, user=user, task=task)


def list_tasks(
    *, session: Session, user: User, filters: TaskFilter, limit: int, offset: int
) -> Sequence[Task]:
    """Visible tasks matching ``filters``: deadline first (none last), then importance, then id."""
    statement, params = list_query(_TASKS, user.id, filters, limit=limit, offset=offset)
    return session.scalars(statement, params).all()


_TASKS = select(Task)


def list_query(
    base: Select[Any], user_id: int, filters: TaskFilter, *, limit: int, offset: int
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement for one page of ``base`` (a select over ``Task``, a module constant) narrowed
    to the tasks user ``user_id`` can see that match ``filters``, in the list order (deadline
    first, none last, then importance, then id), and its parameters.

    Team membership is a subquery, so a page is one statement. Values are bound parameters, so
    that each shape of filter builds its statement once (cached) and the database's cache of
    compiled statements finds it again."""
    values: dict[str, Any] = {
        "status": list(filters.status) if filters.status else None,
        "project_id": filters.project_id,
        "team_id": filters.team_id,
        "assignee_id": filters.assignee_id,
        "deadline_before": filters.deadline_before,
        "deadline_after": filters.deadline_after,
        "planned_date": filters.planned_date,
        "tag": filters.tag.lower() if filters.tag else None,
        "text": "%" + _escape_like(filters.text.strip().lower()) + "%" if filters.text else None,
        "ids": list(filters.ids) if filters.ids else None,
    }
    shape = frozenset(name for name, value in values.items() if value is not None)
    params = {name: values[name] for name in shape}
    return _list_statement(base, shape), {
        **params,
        "user_id": user_id,
        "limit": limit,
        "offset": offset,
    }


@functools.lru_cache(maxsize=512)
def _list_statement(base: Select[Any], shape: frozenset[str]) -> Select[Any]:
    # Table columns, not ORM attributes: over table columns the page is a plain Core statement.
    task, tag = Task.__table__.c, TaskTag.__table__.c
    query = base.where(visible(bindparam("user_id", type_=Integer())))
    if "status" in shape:
        query = query.where(task.status.in_(bindparam("status", expanding=True)))
    for name in ("project_id", "team_id", "assignee_id", "planned_date"):
        if name in shape:
            query = query.where(task[name] == bindparam(name))
    if "deadline_before" in shape:
        query = query.where(task.deadline_at < bindparam("deadline_before", type_=UTCDateTime()))
    if "deadline_after" in shape:
        query = query.where(task.deadline_at >= bindparam("deadline_after", type_=UTCDateTime()))
    if "tag" in shape:
        query = query.where(task.id.in_(select(tag.task_id).where(tag.tag == bindparam("tag"))))
    if "text" in shape:
        pattern = bindparam("text", type_=String())
        query = query.where(
            or_(task.title.ilike(pattern, escape="\\"), task.notes.ilike(pattern, escape="\\"))
        )
    if "ids" in shape:
        query = query.where(task.id.in_(bindparam("ids", expanding=True)))
    return (
        query.order_by(task.deadline_at.asc().nulls_last(), task.importance.desc(), task.id)
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def create_task(*, session: Session, user: User, data: TaskCreate, now: datetime) -> Task:
    task = Task(owner_id=user.id, created_at=now, updated_at=now)
    if data.project_id is not None:
        _set_project(session, user, task, data.project_id)
    task.assignee_id = user.id if data.assignee_id is None else None
    if data.assignee_id is not None:
        _set_assignee(session, task, data.assignee_id)
    task.title = data.title.strip()
    task.notes = data.notes
    task.importance = data.importance
    task.deadline_at = _deadline_instant(data.deadline, user)
    task.planned_date = data.planned_date
    task.estimate_minutes = data.estimate_minutes
    task.earliest_start_at = data.earliest_start
    task.splittable = data.splittable
    task.min_chunk_minutes = data.min_chunk_minutes
    task.kind = data.kind
    task.source = data.source
    task.status = data.status
    task.completed_at = now if data.status == Status.done else None
    session.add(task)
    session.flush()
    _set_tags(session, task, data.tags)
    _set_dependencies(session, user, task, data.depends_on)
    session.flush()
    if data.repeat is not None:
        _repeat(session, user, task, data.repeat, now)
    return task


#: How long a form's one-time token is remembered: longer than anyone leaves a form open.
FORM_TOKEN_KEPT = timedelta(days=1)


def task_made_by_form(*, session: Session, user: User, token: str) -> Task | None:
    """The task an earlier post of the form with this one-time ``token`` made, if any."""
    found = session.get(TaskFormToken, token)
    if found is None or found.user_id != user.id:
        return None
    task = session.get(Task, found.task_id)
    return task if task is not None and can_see(session=session, user=user, task=task) else None


def create_task_once(
    *, session: Session, user: User, data: TaskCreate, now: datetime, token: str
) -> Task:
    """``create_task``, unless the form with this one-time ``token`` already made a task: then
    that task, and nothing new. Two posts racing past the look-up cannot both make one: the
    token is the key of its row, and the loser gets ``Conflict`` (its transaction must be
    rolled back; ``task_made_by_form`` then finds the winner's task)."""
    if not token:
        return create_task(session=session, user=user, data=data, now=now)
    earlier = task_made_by_form(session=session, user=user, token=token)
    if earlier is not None:
        return earlier
    session.execute(delete(TaskFormToken).where(TaskFormToken.created_at < now - FORM_TOKEN_KEPT))
    task = create_task(session=session, user=user, data=data, now=now)
    session.add(TaskFormToken(token=token, user_id=user.id, task_id=task.id, created_at=now))
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("this form was sent twice; the first one made the task") from None
    return task


#: Fields a client may not clear (send null for): their columns have no empty value.
NOT_NULL = ("title", "importance", "splittable", "min_chunk_minutes", "kind", "status")
#: TaskUpdate fields stored as they are, and their column where the name differs.
PLAIN_FIELDS = {
    "title": "title",
    "notes": "notes",
    "importance": "importance",
    "planned_date": "planned_date",
    "estimate_minutes": "estimate_minutes",
    "earliest_start": "earliest_start_at",
    "splittable": "splittable",
    "min_chunk_minutes": "min_chunk_minutes",
    "kind": "kind",
}


def update_task(
    *, session: Session, user: User, task_id: int, data: TaskUpdate, version: int, now: datetime
) -> Task:
    """Applies the fields present in ``data``; refuses a stale ``version`` with 409."""
    task = get_task(session=session, user=user, task_id=task_id)
    if not can_change(session=session, user=user, task=task):
        raise Forbidden(f"you can see {task.title!r} but not change it")
    check_version(task.version, version, repr(task.title))
    sent = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in NOT_NULL:
        if name in sent and sent[name] is None:
            raise Invalid("may not be null", field=name)
    if "title" in sent:
        sent["title"] = sent["title"].strip()
    if "notes" in sent:
        sent["notes"] = sent["notes"] or ""
    for name, column in PLAIN_FIELDS.items():
        if name in sent:
            setattr(task, column, sent[name])
    if "deadline" in sent:
        task.deadline_at = _deadline_instant(sent["deadline"], _owner(session, task))
    if "project_id" in sent:
        if sent["project_id"] is None:
            task.project_id, task.team_id = None, None
        else:
            _set_project(session, user, task, sent["project_id"])
    if "assignee_id" in sent:
        task.assignee_id = None
        if sent["assignee_id"] is not None:
            _set_assignee(session, task, sent["assignee_id"])
    if "status" in sent:
        set_status(session=session, task=task, status=sent["status"], now=now)
    if "tags" in sent:
        _set_tags(session, task, sent["tags"] or [])
    if "depends_on" in sent:
        _set_dependencies(session, user, task, sent["depends_on"] or [])
    if "repeat" in sent:
        _repeat(session, user, task, sent["repeat"], now)
    task.updated_at = now
    flush_versioned(session, repr(task.title))
    return task


def delete_task(*, session: Session, user: User, task_id: int) -> None:
    task = get_task(session=session, user=user, task_id=task_id)
    if not can_change(session=session, user=user, task=task):
        raise Forbidden(f"you can see {task.title!r} but not change it")
    session.delete(task)
    session.flush()


def tags_of(*, session: Session, task_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(task_ids)
    result: dict[int, list[str]] = {task_id: [] for task_id in ids}
    if ids:
        rows = session.execute(
            select(TaskTag.task_id, TaskTag.tag)
            .where(TaskTag.task_id.in_(ids))
            .order_by(TaskTag.tag)
        )
        for task_id, tag in rows:
            result[task_id].append(tag)
    return result


def dependencies_of(*, session: Session, task_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(task_ids)
    result: dict[int, list[int]] = {task_id: [] for task_id in ids}
    if ids:
        rows = session.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id)
            .where(TaskDependency.task_id.in_(ids))
            .order_by(TaskDependency.depends_on_id)
        )
        for task_id, depends_on_id in rows:
            result[task_id].append(depends_on_id)
    return result


# --- the pieces ---------------------------------------------------------------------------------


def _owner(session: Session, task: Task) -> User:
    owner = session.get(User, task.owner_id)
    assert owner is not None  # the foreign key guarantees it
    return owner


def _deadline_instant(value: datetime | date | None, owner: User) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return end_of_working_day(value, owner.timezone)


@dataclass(frozen=True)
class TaskFinished:
    """A task became done (not: was created done, or was saved again while done). Raised by
    ``set_status``, however the task was finished; the inbox tells the requester."""

    task: Task
    now: datetime


@dataclass(frozen=True)
class TaskDropped:
    """A task became dropped. Raised by ``set_status``; a repeating task's next one is made."""

    task: Task
    now: datetime


def set_status(*, session: Session, task: Task, status: Status, now: datetime) -> None:
    """Moves ``task`` to ``status``, stamping its completion; a task that becomes done raises
    ``TaskFinished``, one that becomes dropped ``TaskDropped`` (see ``devday.events``)."""
    finished = status == Status.done and task.status != Status.done
    dropped = status == Status.dropped and task.status != Status.dropped
    if finished:
        task.completed_at = now
    elif status != Status.done:
        task.completed_at = None
    task.status = status
    if finished:
        events.publish(session, TaskFinished(task=task, now=now))
    if dropped:
        events.publish(session, TaskDropped(task=task, now=now))


def _repeat(session: Session, user: User, task: Task, text: str | None, now: datetime) -> None:
    # Recurrence builds on this module (its instances are tasks made here), so it is imported
    # when a task asks to repeat, not with this module.
    from devday.recurrence import service as recurrence_service

    recurrence_service.repeat_task(session=session, user=user, task=task, text=text, now=now)


def _set_project(session: Session, user: User, task: Task, project_id: int) -> None:
    try:
        project = project_service.get_project(session=session, user=user, project_id=project_id)
    except NotFound:
        raise Invalid(f"project {project_id} not found", field="project_id") from None
    task.project_id = project.id
    task.team_id = project.team_id


def _set_assignee(session: Session, task: Task, assignee_id: int) -> None:
    # An assignee must share the task's space: its team, or the owner for a personal task.
    if task.team_id is None:
        if assignee_id != task.owner_id:
            raise Invalid(
                "a personal task can only be assigned to its owner; put it in a team project first",
                field="assignee_id",
            )
    elif (
        team_service.membership(session=session, team_id=task.team_id, user_id=assignee_id) is None
    ):
        raise Invalid(
            f"user {assignee_id} is not a member of this task's team", field="assignee_id"
        )
    task.assignee_id = assignee_id


def _set_tags(session: Session, task: Task, tags: list[str]) -> None:
    session.execute(delete(TaskTag).where(TaskTag.task_id == task.id))
    session.add_all(TaskTag(task_id=task.id, tag=tag) for tag in tags)


def _set_dependencies(session: Session, user: User, task: Task, depends_on: list[int]) -> None:
    wanted = list(dict.fromkeys(depends_on))
    for other_id in wanted:
        if other_id == task.id:
            raise Invalid(f"{task.title!r} cannot depend on itself", field="depends_on")
        try:
            get_task(session=session, user=user, task_id=other_id)
        except NotFound:
            raise Invalid(f"task {other_id} not found", field="depends_on") from None
    cycle = _find_cycle(session, task.id, wanted)
    if cycle:
        path = " → ".join(_cycle_titles(session, user, task, cycle))
        raise Invalid(f"this would make a dependency cycle: {path}", field="depends_on")
    session.execute(delete(TaskDependency).where(TaskDependency.task_id == task.id))
    session.add_all(TaskDependency(task_id=task.id, depends_on_id=other) for other in wanted)


def _cycle_titles(session: Session, user: User, task: Task, cycle: list[int]) -> list[str]:
    """The steps of ``cycle`` by title; one the user may not see is not named."""
    rows = session.scalars(select(Task).where(Task.id.in_(cycle))).all()
    titles = {
        row.id: repr(row.title) for row in rows if can_see(session=session, user=user, task=row)
    }
    titles[task.id] = repr(task.title)
    return [titles.get(step, "a task you cannot see") for step in cycle]


def _find_cycle(session: Session, task_id: int, depends_on: list[int]) -> list[int]:
    """A path task → ... → task that the new edges would close, or [] when there is none."""
    parents: dict[int, int] = {}
    frontier = []
    for other in depends_on:
        parents[other] = task_id
        frontier.append(other)
    while frontier:
        rows = session.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id).where(
                TaskDependency.task_id.in_(frontier), TaskDependency.task_id != task_id
            )
        ).all()
        frontier = []
        for node, nxt in rows:
            if nxt == task_id:
                # Walk back from `node` to the task through the recorded parents.
                chain = [node]
                while parents[chain[-1]] != task_id:
                    chain.append(parents[chain[-1]])
                return [task_id, *reversed(chain), task_id]
            if nxt not in parents:
                parents[nxt] = node
                frontier.append(nxt)
    return []
