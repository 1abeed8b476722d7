"""The Tasks pages: the filtered list with quick add and bulk done/drop, and one task with its
edit form. A thin adapter over the task service; ``task.forms`` reads the forms.

Every action is a form POST that answers 303 (Post/Redirect/Get); a refused one re-renders the
page with the message and a 4xx status, never JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from devday import markdown
from devday.deps import IdPath
from devday.errors import Invalid, NotFound
from devday.project import service as project_service
from devday.task import forms
from devday.task import service as task_service
from devday.task.models import Kind, Status, Task
from devday.task.schemas import TaskUpdate
from devday.web.forms import AnyFormStr, FormList, FormStr, Refusal, form_version, optional_id
from devday.web.page import Missing, Page, PageContext, page_router
from devday.worklog import service as worklog_service

router = page_router(
    Missing(
        title="Task not found",
        text="There is no such task, or it is not shared with you.",
        back="/tasks",
        back_label="Back to your tasks",
    )
)

LIST_PAGE = "task/list.html"
TASK_PAGE = "task/detail.html"
STALE = "Someone changed this task; here is the new version."
PAGE_SIZE = 50
BULK_ACTIONS = {"done": Status.done, "drop": Status.dropped}


def current_task(page: Page, task_id: IdPath) -> Task:
    """The task in the path, if the user may see it; otherwise the router's 404 page."""
    return task_service.get_task(session=page.session, user=page.user, task_id=task_id)


CurrentTask = Annotated[Task, Depends(current_task)]


@dataclass(frozen=True)
class Row:
    task: Task
    project: str
    tags: list[str]
    actual: int


# --- the list ------------------------------------------------------------------------------------


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(page: Page) -> Response:
    return _list(page)


def _list(
    page: PageContext,
    *,
    error: str | None = None,
    status: int = 200,
    quick_text: str = "",
    quick_error: str | None = None,
) -> Response:
    session, user = page.session, page.user
    params = {k: page.query(k) for k in forms.FILTER_KEYS}
    filters, filter_errors = forms.filters(params, user)
    offset = min(optional_id(page.query("offset")) or 0, 1_000_000)
    rows: list[Task] = []
    if not filter_errors:
        rows = list(
            task_service.list_tasks(
                session=session, user=user, filters=filters, limit=PAGE_SIZE + 1, offset=offset
            )
        )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    projects = project_service.list_projects(session=session, user=user, include_archived=True)
    names = {p.id: p.name for p in projects}
    ids = [t.id for t in rows]
    tags = task_service.tags_of(session=session, task_ids=ids)
    actual = worklog_service.actual_minutes(session=session, task_ids=ids, now=page.now)
    kept = {k: v for k, v in params.items() if v}
    context = {
        "rows": [
            Row(
                task=t,
                project=names.get(t.project_id, "") if t.project_id else "",
                tags=tags[t.id],
                actual=actual[t.id],
            )
            for t in rows
        ],
        "params": params,
        "status_choices": forms.STATUS_CHOICES,
        "projects": [p for p in projects if not p.archived],
        "filter_errors": filter_errors,
        "filtered": bool(kept) and kept != {"status": "open"},
        "previous": _page_link(kept, offset - PAGE_SIZE) if offset > 0 else None,
        "next": _page_link(kept, offset + PAGE_SIZE) if more else None,
        "back": urlencode(kept),
        "added": forms.added_message(page.query("added"), session=session, user=user),
        "bulk_message": _bulk_message(page),
        "error": error,
        "quick_text": quick_text,
        "quick_error": quick_error,
    }
    return page.render(LIST_PAGE, context, status=status)


def _page_link(kept: dict[str, str], offset: int) -> str:
    return "/tasks?" + urlencode({**kept, "offset": max(0, offset)})


def _bulk_message(page: PageContext) -> str | None:
    action = page.query("bulk")
    count = optional_id(page.query("count"))
    if action not in BULK_ACTIONS or count is None:
        return None
    noun = "task" if count == 1 else "tasks"
    return f"Marked {count} {noun} {'done' if action == 'done' else 'dropped'}."


# --- quick add and bulk --------------------------------------------------------------------------


@router.post("/tasks/quick")
def quick_add(page: Page, text: AnyFormStr = "") -> Response:
    def add() -> Task:
        data = forms.quick_create(text, session=page.session, user=page.user, now=page.now)
        return task_service.create_task(
            session=page.session, user=page.user, data=data, now=page.now
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:  # the form expired: said at the top, the text kept
            return _list(page, error=refusal.message, status=403, quick_text=text)
        return _list(page, status=422, quick_text=text, quick_error=refusal.message)

    return page.submit(add, then=lambda task: f"/tasks?added={task.id}", refused=refused)


@router.post("/tasks/bulk")
def bulk(
    page: Page,
    action: FormStr = "",
    ids: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    back: AnyFormStr = "",
) -> Response:
    task_ids = [optional_id(v) for v in ids][:PAGE_SIZE]

    def mark() -> None:
        if action not in BULK_ACTIONS or not task_ids:
            message = "Tick at least one task first." if not task_ids else "Pick Mark done or Drop."
            raise Invalid(message)
        for task_id in dict.fromkeys(task_ids):
            if task_id is None:
                raise NotFound("task not found")
            task = task_service.get_task(session=page.session, user=page.user, task_id=task_id)
            task_service.update_task(
                session=page.session,
                user=page.user,
                task_id=task_id,
                data=TaskUpdate(status=BULK_ACTIONS[action]),
                version=task.version,
                now=page.now,
            )

    kept = [(k, v) for k, v in parse_qsl(back[:2000]) if k in forms.FILTER_KEYS]
    query = urlencode([*kept, ("bulk", action), ("count", str(len(set(task_ids))))])
    return page.submit(
        mark,
        then=f"/tasks?{query}",
        refused=lambda refusal: _list(page, error=refusal.message, status=refusal.status),
    )


# --- one task ------------------------------------------------------------------------------------


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(page: Page, task: CurrentTask) -> Response:
    return _detail(page, task, saved=page.query("saved") == "1")


def _detail(
    page: PageContext,
    task: Task,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    session, user = page.session, page.user
    tags = task_service.tags_of(session=session, task_ids=[task.id])[task.id]
    deps = task_service.dependencies_of(session=session, task_ids=[task.id])[task.id]
    visible_deps = {d.id: d for d in _visible_tasks(page, deps)}
    projects = project_service.list_projects(session=session, user=user, include_archived=True)
    project = next((p for p in projects if p.id == task.project_id), None)
    actual = worklog_service.actual_minutes(session=session, task_ids=[task.id], now=page.now)
    context: dict[str, Any] = {
        "task": task,
        "tags": tags,
        "project": project,
        "projects": [p for p in projects if not p.archived or p.id == task.project_id],
        "dependencies": [(d, visible_deps.get(d)) for d in deps],
        "actual": actual[task.id],
        "notes_html": markdown.render(task.notes),
        "values": values or forms.form_values(task, tags, deps, user),
        "errors": errors or {},
        "error": error,
        "saved": saved,
        "kinds": [k.value for k in Kind],
    }
    return page.render(TASK_PAGE, context, status=status)


def _visible_tasks(page: PageContext, ids: list[int]) -> list[Task]:
    if not ids:
        return []
    found = page.session.scalars(select(Task).where(Task.id.in_(ids))).all()
    return [t for t in found if task_service.can_see(session=page.session, user=page.user, task=t)]


@router.post("/tasks/{task_id}")
def edit_task(page: Page, task: CurrentTask) -> Response:
    task_id = task.id
    values = {key: page.form_value(key, max_length=50_000) for key in forms.EDIT_KEYS}

    def save() -> None:
        task_service.update_task(
            session=page.session,
            user=page.user,
            task_id=task_id,
            data=forms.update_from(values, page.user, page.now),
            version=form_version(values["version"]) or 0,
            now=page.now,
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _detail(page, task, values=values, error=refusal.message, status=403)
        fresh = task_service.get_task(session=page.session, user=page.user, task_id=task_id)
        if refusal.status == 409:
            return _detail(page, fresh, error=STALE, status=409)
        errors = {k: v for k, v in refusal.errors.items() if k in values}
        error = None if errors else refusal.message
        return _detail(
            page, fresh, values=values, errors=errors, error=error, status=refusal.status
        )

    return page.submit(save, then=f"/tasks/{task_id}?saved=1", refused=refused)
