"""The Tasks pages: the filtered list with quick add and bulk done/drop, and one task with its
edit form. A thin adapter over the task service; ``task.forms`` reads the forms.

Every action is a form POST that answers 303 (Post/Redirect/Get); a refused one re-renders the
page with the message and a 4xx status, never JSON.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from devday import markdown
from devday.account.models import User
from devday.deps import IdPath
from devday.errors import Invalid, NotFound
from devday.project import service as project_service
from devday.recurrence.views import repeats_of, series_form
from devday.task import deadline_check, forms
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
NEW_PAGE = "task/new.html"
#: How many open tasks the New task form offers as dependencies.
DEPENDENCY_CHOICES = 500
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
    assignee: str


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
    people = _names(page, [t.assignee_id for t in rows if t.assignee_id is not None])
    kept = {k: v for k, v in params.items() if v}
    added, warnings = forms.added_message(
        page.query("added"), session=session, user=user, now=page.now
    )
    context = {
        "rows": [
            Row(
                task=t,
                project=names.get(t.project_id, "") if t.project_id else "",
                tags=tags[t.id],
                actual=actual[t.id],
                assignee=people.get(t.assignee_id, "") if t.assignee_id else "",
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
        "added": added,
        "warnings": warnings,
        "bulk_message": _bulk_message(page),
        # Said in our words, never echoed from the address: a link could carry any text.
        "deleted": page.query("deleted") == "1",
        "error": error,
        "quick_text": quick_text,
        "quick_error": quick_error,
        "form_token": new_form_token(),
    }
    return page.render(LIST_PAGE, context, status=status)


def _names(page: PageContext, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = page.session.execute(select(User.id, User.name).where(User.id.in_(set(user_ids))))
    return {user_id: name for user_id, name in rows}


_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_token() -> str:
    """A one-time token for a form that makes a task (see ``task_service.create_task_once``)."""
    return secrets.token_urlsafe(18)


def _form_token(text: str) -> str:
    return text if _FORM_TOKEN.fullmatch(text) else ""


def _once(page: PageContext, token: str, refused: Refusal) -> Response | None:
    """Where a second post of a form goes: to the task its first post made."""
    if not token or refused.status != 409:
        return None
    earlier = task_service.task_made_by_form(session=page.session, user=page.user, token=token)
    return page.redirect(f"/tasks/{earlier.id}") if earlier else None


def _page_link(kept: dict[str, str], offset: int) -> str:
    return "/tasks?" + urlencode({**kept, "offset": max(0, offset)})


def _bulk_message(page: PageContext) -> str | None:
    action = page.query("bulk")
    count = form_version(page.query("count"))  # a count of none changed is 0
    if action not in BULK_ACTIONS or count is None:
        return None
    noun = "task" if count == 1 else "tasks"
    message = f"Marked {count} {noun} {'done' if action == 'done' else 'dropped'}."
    skipped = optional_id(page.query("skipped"))
    if skipped:
        others = "task" if skipped == 1 else "tasks"
        message += f" Left {skipped} {others} unchanged: you may see them but not change them."
    return message


# --- quick add and bulk --------------------------------------------------------------------------


@router.post("/tasks/quick")
def quick_add(page: Page, text: AnyFormStr = "", form_token: FormStr = "") -> Response:
    token = _form_token(form_token)

    def add() -> Task:
        data = forms.quick_create(text, session=page.session, user=page.user, now=page.now)
        return task_service.create_task_once(
            session=page.session, user=page.user, data=data, now=page.now, token=token
        )

    def refused(refusal: Refusal) -> Response:
        if again := _once(page, token, refusal):
            return again
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
    skipped: list[int] = []

    def mark() -> None:
        if action not in BULK_ACTIONS or not task_ids:
            message = "Tick at least one task first." if not task_ids else "Pick Mark done or Drop."
            raise Invalid(message)
        for task_id in dict.fromkeys(task_ids):
            if task_id is None:
                raise NotFound("task not found")
            # A task the user cannot see is a forged form: nothing changes (404). One they see
            # but may not change is left as it is, and the list says how many were.
            task = task_service.get_task(session=page.session, user=page.user, task_id=task_id)
            if not task_service.can_change(session=page.session, user=page.user, task=task):
                skipped.append(task_id)
                continue
            task_service.update_task(
                session=page.session,
                user=page.user,
                task_id=task_id,
                data=TaskUpdate(status=BULK_ACTIONS[action]),
                version=task.version,
                now=page.now,
            )

    kept = [(k, v) for k, v in parse_qsl(back[:2000]) if k in forms.FILTER_KEYS]

    def then(_: None) -> str:
        changed = len(set(task_ids)) - len(skipped)
        done = [("bulk", action), ("count", str(changed))]
        if skipped:
            done.append(("skipped", str(len(skipped))))
        return "/tasks?" + urlencode([*kept, *done])

    return page.submit(
        mark,
        then=then,
        refused=lambda refusal: _list(page, error=refusal.message, status=refusal.status),
    )


# --- a new task ---------------------------------------------------------------------------------


@router.get("/tasks/new", response_class=HTMLResponse)
def new_task_page(page: Page) -> Response:
    values = {key: "" for key in forms.NEW_KEYS} | forms.NEW_DEFAULTS
    return _new(page, values, [])


def _new(
    page: PageContext,
    values: dict[str, str],
    depends_on: list[str],
    refused: Refusal | None = None,
) -> Response:
    projects = project_service.list_projects(session=page.session, user=page.user)
    fields = {*values, "depends_on"}
    errors = {k: v for k, v in refused.errors.items() if k in fields} if refused else {}
    # A refused form keeps its token: it made no task, and its next post may make one.
    token = _form_token(values.get("form_token", "")) if refused else new_form_token()
    context: dict[str, Any] = {
        "values": {**values, "form_token": token},
        "depends_on": set(depends_on),
        "dependency_choices": _dependency_choices(page, depends_on),
        "projects": [p for p in projects if not p.archived],
        "kinds": forms.KINDS,
        "errors": errors,
        "error": refused.message if refused and not errors else None,
    }
    return page.render(NEW_PAGE, context, status=refused.status if refused else 200)


@router.post("/tasks/new")
def create_task(page: Page) -> Response:
    values = {key: page.form_value(key, max_length=50_000) for key in forms.NEW_KEYS}
    depends_on = _picked(page)
    token = _form_token(values["form_token"])

    def create() -> Task:
        data = forms.create_from(values, depends_on, page.user, page.now)
        return task_service.create_task_once(
            session=page.session, user=page.user, data=data, now=page.now, token=token
        )

    def refused(refusal: Refusal) -> Response:
        return _once(page, token, refusal) or _new(page, values, depends_on, refusal)

    return page.submit(create, then=lambda task: f"/tasks/{task.id}?created=1", refused=refused)


def _picked(page: PageContext) -> list[str]:
    """The tasks ticked in a form's "Depends on" list, as sent."""
    return [str(v)[:20] for v in page.form.getlist("depends_on")][:100]


def _dependency_choices(
    page: PageContext, picked: list[str], *, task: Task | None = None
) -> list[Task]:
    """What a "Depends on" list offers: the user's open tasks (never ``task`` itself), and the
    tasks already picked that they still see, done ones too, so that saving keeps them."""
    open_tasks = task_service.list_tasks(
        session=page.session,
        user=page.user,
        filters=task_service.TaskFilter(status=task_service.OPEN_STATUSES),
        limit=DEPENDENCY_CHOICES,
        offset=0,
    )
    listed = {t.id for t in open_tasks}
    ids = [i for i in (optional_id(v) for v in picked) if i is not None and i not in listed]
    offered = [*open_tasks, *_visible_tasks(page, ids)]
    return [t for t in offered if task is None or t.id != task.id]


# --- one task ------------------------------------------------------------------------------------


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(page: Page, task: CurrentTask) -> Response:
    notice = NOTICES.get(page.query("did"), "Saved." if page.query("saved") == "1" else "")
    created = page.query("created") == "1"
    if created:
        notice = "Task added."
    # Said again from the task as it is (never echoed from the address): a new task, or an
    # edit that changed the deadline, redirects here with a flag.
    warnings = []
    if created or page.query("check") == "deadline":
        warnings = deadline_check.warnings(
            session=page.session, user=page.user, task=task, now=page.now
        )
    return _detail(page, task, notice=notice, warnings=warnings)


def _detail(
    page: PageContext,
    task: Task,
    *,
    values: dict[str, str] | None = None,
    picked: list[str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    notice: str = "",
    warnings: list[str] | None = None,
    status: int = 200,
) -> Response:
    session, user = page.session, page.user
    running = worklog_service.running_entry(session=session, user=user)
    tags = task_service.tags_of(session=session, task_ids=[task.id])[task.id]
    deps = task_service.dependencies_of(session=session, task_ids=[task.id])[task.id]
    picked = [str(d) for d in deps] if picked is None else picked
    visible_deps = {d.id: d for d in _visible_tasks(page, deps)}
    projects = project_service.list_projects(session=session, user=user, include_archived=True)
    project = next((p for p in projects if p.id == task.project_id), None)
    actual = worklog_service.actual_minutes(session=session, task_ids=[task.id], now=page.now)
    series = series_form(session=session, task_id=task.id)
    if values is None:
        values = forms.form_values(task, tags, user)
        if series is not None and series.get("ended") != "yes":
            values["repeat"] = values["repeat_was"] = series["repeat"]
    context: dict[str, Any] = {
        "task": task,
        "tags": tags,
        "project": project,
        "projects": [p for p in projects if not p.archived or p.id == task.project_id],
        "dependencies": [(d, visible_deps.get(d)) for d in deps],
        "actual": actual[task.id],
        "notes_html": markdown.render(task.notes),
        "values": values,
        "depends_on": set(picked),
        "dependency_choices": _dependency_choices(page, picked, task=task),
        "errors": errors or {},
        "error": error,
        "notice": notice,
        "warnings": warnings or [],
        "kinds": [k.value for k in Kind],
        "entries": [
            (item.entry, item.who, worklog_service.minutes_of(item.entry, page.now))
            for item in worklog_service.task_entries(session=session, task_id=task.id)
        ],
        "timing": running is not None and running.task_id == task.id,
        "repeat": repeats_of(session=session, task_ids=[task.id]).get(task.id),
        "series": series,
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
    picked = _picked(page)

    before = task.deadline_at

    def save() -> bool:
        """Whether there is something to say about the deadline saved."""
        saved = task_service.update_task(
            session=page.session,
            user=page.user,
            task_id=task_id,
            data=forms.update_from(values, picked, page.user, page.now),
            version=form_version(values["version"]) or 0,
            now=page.now,
        )
        return bool(
            deadline_check.warnings(
                session=page.session, user=page.user, task=saved, now=page.now, before=before
            )
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _detail(
                page, task, values=values, picked=picked, error=refusal.message, status=403
            )
        fresh = task_service.get_task(session=page.session, user=page.user, task_id=task_id)
        if refusal.status == 409:
            return _detail(page, fresh, error=STALE, status=409)
        errors = {k: v for k, v in refusal.errors.items() if k in {*values, "depends_on"}}
        error = None if errors else refusal.message
        return _detail(
            page,
            fresh,
            values=values,
            picked=picked,
            errors=errors,
            error=error,
            status=refusal.status,
        )

    def then(warn: bool) -> str:
        return f"/tasks/{task_id}?saved=1" + ("&check=deadline" if warn else "")

    return page.submit(save, then=then, refused=refused)


# --- one task's actions: the timer, done, drop, delete ------------------------------------------

NOTICES = {
    "start": "Timer started.",
    "stop": "Timer stopped.",
    "done": "Marked done.",
    "drop": "Dropped.",
}


def _act(page: PageContext, task: Task, change: Callable[[], None], did: str) -> Response:
    task_id = task.id

    def refused(refusal: Refusal) -> Response:
        fresh = task_service.get_task(session=page.session, user=page.user, task_id=task_id)
        return _detail(page, fresh, error=refusal.message, status=refusal.status)

    return page.submit(change, then=f"/tasks/{task_id}?did={did}", refused=refused)


@router.post("/tasks/{task_id}/start")
def start_timer(page: Page, task: CurrentTask) -> Response:
    def start() -> None:
        worklog_service.start_timer(
            session=page.session, user=page.user, task_id=task.id, now=page.now
        )

    return _act(page, task, start, "start")


@router.post("/tasks/{task_id}/stop")
def stop_timer(page: Page, task: CurrentTask) -> Response:
    def stop() -> None:
        running = worklog_service.running_entry(session=page.session, user=page.user)
        if running is None or running.task_id != task.id:
            raise Invalid("the timer is not running on this task")
        worklog_service.stop_timer(session=page.session, user=page.user, now=page.now)

    return _act(page, task, stop, "stop")


@router.post("/tasks/{task_id}/delete")
def delete(page: Page, task: CurrentTask, confirm: FormStr = "") -> Response:
    def remove() -> None:
        if confirm != "yes":
            raise Invalid("tick “Yes, delete it” to delete the task")
        task_service.delete_task(session=page.session, user=page.user, task_id=task.id)

    def refused(refusal: Refusal) -> Response:
        return _detail(page, task, error=refusal.message, status=refusal.status)

    return page.submit(remove, then="/tasks?deleted=1", refused=refused)


@router.post("/tasks/{task_id}/{action}")
def finish(page: Page, task: CurrentTask, action: str, version: FormStr = "") -> Response:
    if action not in BULK_ACTIONS:
        raise NotFound(f"no action {action!r}")

    def mark() -> None:
        task_service.update_task(
            session=page.session,
            user=page.user,
            task_id=task.id,
            data=TaskUpdate(status=BULK_ACTIONS[action]),
            version=form_version(version) or 0,
            now=page.now,
        )

    return _act(page, task, mark, action)
