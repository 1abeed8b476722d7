"""Tasks: /api/v1/tasks."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.task import deadline_check, service, views
from devday.task.schemas import (
    TaskCreate,
    TaskListQuery,
    TaskPage,
    TaskRead,
    TaskSaved,
    TaskUpdate,
)
from devday.task.views import TaskRow, task_rows

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])


@router.get("", response_model=TaskPage)
def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    query: Annotated[TaskListQuery, Query()],
) -> TaskPage:
    """Tasks the caller can see, filtered, by deadline (none last), then importance.

    Paginate with `limit` and `offset`; `next_offset` is null on the last page.
    """
    return views.task_page(session=session, user=user, query=query, now=clock.now())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskSaved)
def create_task(
    data: TaskCreate, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> TaskRow:
    """Create a task. A deadline given as a date alone means the end of that working day in
    your timezone; a dependency cycle is refused with the cycle named. A deadline already past,
    or on a day that is not a working day in your routine, is saved with a `warnings` line."""
    now = clock.now()
    task = service.create_task(session=session, user=user, data=data, now=now)
    warnings = deadline_check.warnings(session=session, user=user, task=task, now=now)
    session.commit()
    response.headers["ETag"] = etag(task.version)
    return replace(task_rows(session, [task], now)[0], warnings=warnings)


@router.get("/{task_id}", response_model=TaskRead)
def read_task(
    task_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> TaskRow:
    """One task; its ETag is the version to send back when updating it."""
    task = service.get_task(session=session, user=user, task_id=task_id)
    response.headers["ETag"] = etag(task.version)
    return task_rows(session, [task], clock.now())[0]


@router.patch("/{task_id}", response_model=TaskSaved)
def update_task(
    task_id: IdPath,
    data: TaskUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> TaskRow:
    """Change the fields sent. Send the version you read (If-Match or `version`): a stale one
    gets 409 and nothing changes. A deadline changed to one already past, or to a day that is
    not a working day in your routine, is saved with a `warnings` line."""
    version = expected_version(if_match, data.version)
    now = clock.now()
    before = service.get_task(session=session, user=user, task_id=task_id).deadline_at
    task = service.update_task(
        session=session, user=user, task_id=task_id, data=data, version=version, now=now
    )
    warnings = deadline_check.warnings(
        session=session, user=user, task=task, now=now, before=before
    )
    session.commit()
    response.headers["ETag"] = etag(task.version)
    return replace(task_rows(session, [task], now)[0], warnings=warnings)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(task_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a task for good (to keep it, set its status to dropped instead)."""
    service.delete_task(session=session, user=user, task_id=task_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
