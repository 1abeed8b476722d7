"""Moving in and out: /api/v1/export and /api/v1/import, whole or from another tool."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from devday.deps import ClockDep, CurrentUser, SessionDep
from devday.transfer import account, examples, taskwarrior, todoist
from devday.transfer.common import ImportReport
from devday.transfer.schemas import ImportReportRead, TodoistImport

router = APIRouter(prefix="/api/v1", tags=["transfer"])

TaskwarriorBody = Annotated[Any, Body(openapi_examples={"tasks": {"value": examples.TASKWARRIOR}})]
AccountBody = Annotated[Any, Body(openapi_examples={"account": {"value": examples.ACCOUNT}})]


def _example(value: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


@router.get("/export", responses=_example(examples.ACCOUNT))
def export_account(user: CurrentUser, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """Everything you own in your personal space (tasks, projects, time entries, plans,
    reflections, inbox items, routine, channels ...) as one document,
    `{"format": "devday-export", "version": 1, ...}`, that `POST /api/v1/import` reads."""
    return account.export_account(session=session, user=user, now=clock.now())


@router.post("/import", responses=_example(examples.COUNTS))
def import_account(document: AccountBody, user: CurrentUser, session: SessionDep) -> dict[str, int]:
    """Loads a `GET /api/v1/export` document into your account, which must be empty (409
    otherwise); answers how many rows of each kind came in."""
    counts = account.import_account(session=session, user=user, document=document)
    session.commit()
    return counts


@router.get("/export/taskwarrior", responses=_example(examples.TASKWARRIOR))
def export_taskwarrior(user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    """Your own tasks as the JSON list `task import` reads, each under its Taskwarrior UUID
    (one that came from Taskwarrior keeps its own)."""
    return taskwarrior.export_tasks(session=session, user=user)


@router.post("/import/taskwarrior", response_model=ImportReportRead)
def import_taskwarrior(
    records: TaskwarriorBody, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> ImportReport:
    """Tasks from `task export`'s JSON list. A task imported before (same UUID) is updated,
    not made twice; projects are found, or made, by name."""
    report = taskwarrior.import_tasks(session=session, user=user, records=records, now=clock.now())
    session.commit()
    return report


@router.post("/import/todoist", response_model=ImportReportRead)
def import_todoist(
    data: TodoistImport, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> ImportReport:
    """Tasks from a Todoist CSV (`{"csv": "<the file>", "project": "Name"}`) into the personal
    project of that name (made if missing): sections become tags, notes join the task above,
    sub-tasks become dependencies of their parent, recurring dates stay in the notes as text."""
    report = todoist.import_csv(
        session=session, user=user, text=data.csv, project=data.project, now=clock.now()
    )
    session.commit()
    return report
