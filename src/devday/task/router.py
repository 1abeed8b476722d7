"""Tasks: /api/v1/tasks."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, SessionDep
from devday.errors import Invalid
from devday.ids import MAX_ID, IdPath, IdQuery
from devday.task import service
from devday.task.models import Status
from devday.task.schemas import Instant, TaskCreate, TaskPage, TaskRead, TaskUpdate
from devday.task.views import TaskRow, task_rows

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])


def _statuses(raw: list[str] | None) -> tuple[Status, ...]:
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


@router.get("", response_model=TaskPage)
def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    status_: Annotated[
        list[str] | None,
        Query(
            alias="status",
            max_length=10,
            description="todo, doing, done, dropped, or open (todo and doing); repeat or "
            "separate with commas",
        ),
    ] = None,
    project_id: IdQuery = None,
    team_id: IdQuery = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    assignee_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Tasks assigned to this user")
    ] = None,
    deadline_before: Annotated[Instant | None, Query(description="Deadline before")] = None,
    deadline_after: Annotated[Instant | None, Query(description="Deadline at or after")] = None,
    planned_date: date | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in title or notes")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> TaskPage:
    """Tasks the caller can see, filtered, by deadline (none last), then importance.

    Paginate with `limit` and `offset`; `next_offset` is null on the last page.
    """
    filters = service.TaskFilter(
        status=_statuses(status_),
        project_id=project_id,
        team_id=team_id,
        tag=tag,
        assignee_id=assignee_id,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
        planned_date=planned_date,
        text=q,
    )
    rows = service.list_tasks(
        session=session, user=user, filters=filters, limit=limit + 1, offset=offset
    )
    more = len(rows) > limit
    return TaskPage.model_validate(
        {
            "items": task_rows(session, rows[:limit], clock.now()),
            "limit": limit,
            "offset": offset,
            "next_offset": offset + limit if more else None,
        }
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskRead)
def create_task(
    data: TaskCreate, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> TaskRow:
    """Create a task. A deadline given as a date alone means the end of that working day in
    your timezone; a dependency cycle is refused with the cycle named."""
    task = service.create_task(session=session, user=user, data=data, now=clock.now())
    session.commit()
    response.headers["ETag"] = etag(task.version)
    return task_rows(session, [task], clock.now())[0]


@router.get("/{task_id}", response_model=TaskRead)
def read_task(
    task_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> TaskRow:
    """One task; its ETag is the version to send back when updating it."""
    task = service.get_task(session=session, user=user, task_id=task_id)
    response.headers["ETag"] = etag(task.version)
    return task_rows(session, [task], clock.now())[0]


@router.patch("/{task_id}", response_model=TaskRead)
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
    gets 409 and nothing changes."""
    version = expected_version(if_match, data.version)
    now = clock.now()
    task = service.update_task(
        session=session, user=user, task_id=task_id, data=data, version=version, now=now
    )
    session.commit()
    response.headers["ETag"] = etag(task.version)
    return task_rows(session, [task], now)[0]


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(task_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a task for good (to keep it, set its status to dropped instead)."""
    service.delete_task(session=session, user=user, task_id=task_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
