"""The Tasks pages: the filtered list with quick add and bulk done/drop, and one task with its
edit form. A thin adapter over the task service: forms become TaskCreate/TaskUpdate, and their
validation errors are shown next to the field that caused them.

Every action is a form POST that answers 303 (Post/Redirect/Get); a refused one re-renders the
page with the message and a 4xx status, never JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import markdown
from devday.account.models import User
from devday.dateparse import format_duration, parse_duration, parse_when
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import Conflict, DomainError, NotFound
from devday.ids import MAX_ID
from devday.planning import service as planning_service
from devday.project import service as project_service
from devday.quickadd import parse_quick_add
from devday.task import service as task_service
from devday.task.models import Kind, Status, Task
from devday.task.schemas import TaskCreate, TaskUpdate
from devday.web._legacy import form_ok, login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import local, render
from devday.worklog import service as worklog_service

router = APIRouter(include_in_schema=False)

LIST_PAGE = "web/tasks.html"
TASK_PAGE = "web/tasks_detail.html"
MISSING_PAGE = "web/tasks_missing.html"
EXPIRED = "Your form expired; please try again."
STALE = "Someone changed this task; here is the new version."
PAGE_SIZE = 50
QUICK_MAX = 500
STATUS_CHOICES = ("open", "any", *(s.value for s in Status))
BULK_ACTIONS = {"done": Status.done, "drop": Status.dropped}
# The query parameters a filter link keeps; the rest (messages, paging) are one-offs.
FILTER_KEYS = ("status", "project", "tag", "after", "before", "planned", "q")
EDIT_KEYS = (
    "title",
    "notes",
    "importance",
    "deadline",
    "planned_date",
    "estimate_minutes",
    "kind",
    "tags",
    "project_id",
    "depends_on",
    "splittable",
    "min_chunk_minutes",
    "version",
)


@dataclass(frozen=True)
class Row:
    task: Task
    project: str
    tags: list[str]
    actual: int


# --- the list ------------------------------------------------------------------------------------


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    return _list(request, state, session, user)


def _list(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    *,
    error: str | None = None,
    quick_text: str = "",
    quick_error: str | None = None,
    status: int = 200,
) -> Response:
    params = {k: request.query_params.get(k, "")[:200] for k in FILTER_KEYS}
    filters, filter_errors = _filters(params, user)
    offset = _offset(request.query_params.get("offset", ""))
    rows: list[Task] = []
    if not filter_errors:
        rows = list(
            task_service.list_tasks(
                session=session, user=user, filters=filters, limit=PAGE_SIZE + 1, offset=offset
            )
        )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    now = state.clock.now()
    projects = project_service.list_projects(session=session, user=user, include_archived=True)
    names = {p.id: p.name for p in projects}
    ids = [t.id for t in rows]
    tags = task_service.tags_of(session=session, task_ids=ids)
    actual = worklog_service.actual_minutes(session=session, task_ids=ids, now=now)
    kept = {k: v for k, v in params.items() if v}
    context = {
        "user": user,
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
        "status_choices": STATUS_CHOICES,
        "projects": [p for p in projects if not p.archived],
        "filter_errors": filter_errors,
        "filtered": bool(kept) and kept != {"status": "open"},
        "previous": _page_link(kept, offset - PAGE_SIZE) if offset > 0 else None,
        "next": _page_link(kept, offset + PAGE_SIZE) if more else None,
        "back": urlencode(kept),
        "added": _added(request, session, user),
        "bulk_message": _bulk_message(request),
        "error": error,
        "quick_text": quick_text,
        "quick_error": quick_error,
    }
    return render(request, state, LIST_PAGE, context, status=status)


def _filters(params: dict[str, str], user: User) -> tuple[task_service.TaskFilter, dict[str, str]]:
    """The service filter the form asks for, and a message per field it could not read."""
    errors: dict[str, str] = {}
    zone = ZoneInfo(user.timezone)
    status = params["status"] or "open"
    statuses: tuple[Status, ...] = ()
    if status == "open":
        statuses = task_service.OPEN_STATUSES
    elif status in {s.value for s in Status}:
        statuses = (Status(status),)
    elif status != "any":
        errors["status"] = f"unknown status {status!r}"
    project_id = None
    if params["project"]:
        project_id = _int(params["project"])
        if project_id is None:
            errors["project"] = "pick a project from the list"

    def day(key: str) -> date | None:
        if not params[key]:
            return None
        try:
            return date.fromisoformat(params[key])
        except ValueError:
            errors[key] = "use a date such as 2026-12-04"
            return None

    after, before, planned = day("after"), day("before"), day("planned")
    filters = task_service.TaskFilter(
        status=statuses,
        project_id=project_id,
        tag=params["tag"].strip().lstrip("#") or None,
        # Both ends are whole days in the user's zone: "on or after" and "on or before".
        deadline_after=datetime.combine(after, time(0), tzinfo=zone) if after else None,
        deadline_before=(
            datetime.combine(before + timedelta(days=1), time(0), tzinfo=zone) if before else None
        ),
        planned_date=planned,
        text=params["q"].strip() or None,
    )
    return filters, errors


def _offset(text: str) -> int:
    value = _int(text, allow_zero=True)
    return min(value or 0, 1_000_000)


def _int(text: str, *, allow_zero: bool = False) -> int | None:
    text = text.strip().lstrip("#")
    if not text.isdigit() or not text.isascii() or len(text) > 10:
        return None
    value = int(text)
    return value if (allow_zero or value >= 1) and value <= MAX_ID else None


def _page_link(kept: dict[str, str], offset: int) -> str:
    return "/tasks?" + urlencode({**kept, "offset": max(0, offset)})


def _added(request: Request, session: Session, user: User) -> str | None:
    task_id = _int(request.query_params.get("added", ""))
    if task_id is None:
        return None
    try:
        task = task_service.get_task(session=session, user=user, task_id=task_id)
    except NotFound:
        return None
    due = f", due {local(task.deadline_at, user.timezone)}" if task.deadline_at else ""
    return f"Added: {task.title}{due}"


def _bulk_message(request: Request) -> str | None:
    action = request.query_params.get("bulk", "")
    count = _int(request.query_params.get("count", ""))
    if action not in BULK_ACTIONS or count is None:
        return None
    noun = "task" if count == 1 else "tasks"
    return f"Marked {count} {noun} {'done' if action == 'done' else 'dropped'}."


# --- quick add and bulk --------------------------------------------------------------------------


@router.post("/tasks/quick")
def quick_add(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    text: Annotated[str, Form()] = "",
    csrf_token: FormStr = "",
) -> Response:
    if user is None:
        return login_redirect(request)
    if not form_ok(request, state, csrf_token):
        return _list(request, state, session, user, error=EXPIRED, quick_text=text, status=403)
    now = state.clock.now()
    try:
        if len(text) > QUICK_MAX:
            raise ValueError(f"keep it under {QUICK_MAX} characters; add notes on the task's page")
        parsed = parse_quick_add(text, now=now, timezone=user.timezone)
        project_id = None
        if parsed.project_name:
            found = project_service.list_projects(
                session=session, user=user, name=parsed.project_name
            )
            if not found:
                raise NotFound(f"no project named {parsed.project_name!r}")
            project_id = found[0].id
        values: dict[str, Any] = {
            "title": parsed.title,
            "deadline": parsed.deadline,
            "estimate_minutes": parsed.estimate_minutes,
            "tags": parsed.tags,
            "project_id": project_id,
        }
        if parsed.importance is not None:
            values["importance"] = parsed.importance
        task = task_service.create_task(
            session=session, user=user, data=TaskCreate(**values), now=now
        )
        session.commit()
    except (ValueError, DomainError) as exc:
        session.rollback()
        message = _message(exc)
        return _list(
            request, state, session, user, quick_text=text, quick_error=message, status=422
        )
    return RedirectResponse(f"/tasks?added={task.id}", status_code=303)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        text = str(first["msg"]).removeprefix("Value error, ")
        return f"{where}: {text}" if where else text
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc)


@router.post("/tasks/bulk")
async def bulk(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    form = await request.form()
    csrf_token = str(form.get("csrf_token", ""))
    if not form_ok(request, state, csrf_token):
        return _list(request, state, session, user, error=EXPIRED, status=403)
    action = str(form.get("action", ""))
    ids = [_int(str(v)) for v in form.getlist("ids")][:PAGE_SIZE]
    if action not in BULK_ACTIONS or not ids:
        message = "Tick at least one task first." if ids == [] else "Pick Mark done or Drop."
        return _list(request, state, session, user, error=message, status=422)
    now = state.clock.now()
    try:
        for task_id in dict.fromkeys(ids):
            if task_id is None:
                raise NotFound("task not found")
            task = task_service.get_task(session=session, user=user, task_id=task_id)
            task_service.update_task(
                session=session,
                user=user,
                task_id=task_id,
                data=TaskUpdate(status=BULK_ACTIONS[action]),
                version=task.version,
                now=now,
            )
        # Finished tasks free their blocks: re-plan the rest of today, as the API does.
        planning_service.replan_if_planned(session=session, user=user, now=now)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _list(request, state, session, user, error=exc.message, status=exc.status_code)
    back = [(k, v) for k, v in parse_qsl(str(form.get("back", ""))[:2000]) if k in FILTER_KEYS]
    query = urlencode([*back, ("bulk", action), ("count", str(len(set(ids))))])
    return RedirectResponse(f"/tasks?{query}", status_code=303)


# --- one task ------------------------------------------------------------------------------------


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, task_id: str
) -> Response:
    if user is None:
        return login_redirect(request)
    task = _visible(session, user, task_id)
    if task is None:
        return _missing(request, state, user)
    return _detail(request, state, session, user, task, saved=request.query_params.get("saved"))


def _visible(session: Session, user: User, raw_id: str) -> Task | None:
    task_id = _int(raw_id)
    if task_id is None:
        return None
    try:
        return task_service.get_task(session=session, user=user, task_id=task_id)
    except NotFound:
        return None


def _missing(request: Request, state: StateDep, user: User) -> Response:
    return render(request, state, MISSING_PAGE, {"user": user}, status=404)


def _detail(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    task: Task,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    saved: str | None = None,
    status: int = 200,
) -> Response:
    tags = task_service.tags_of(session=session, task_ids=[task.id])[task.id]
    deps = task_service.dependencies_of(session=session, task_ids=[task.id])[task.id]
    visible_deps = {d.id: d for d in _visible_tasks(session, user, deps)}
    projects = project_service.list_projects(session=session, user=user, include_archived=True)
    project = next((p for p in projects if p.id == task.project_id), None)
    actual = worklog_service.actual_minutes(
        session=session, task_ids=[task.id], now=state.clock.now()
    )[task.id]
    context = {
        "user": user,
        "task": task,
        "tags": tags,
        "project": project,
        "projects": [p for p in projects if not p.archived or p.id == task.project_id],
        "dependencies": [(d, visible_deps.get(d)) for d in deps],
        "actual": actual,
        "notes_html": markdown.render(task.notes),
        "values": values or _form_values(task, tags, deps, user),
        "errors": errors or {},
        "error": error,
        "saved": saved == "1",
        "kinds": [k.value for k in Kind],
    }
    return render(request, state, TASK_PAGE, context, status=status)


def _visible_tasks(session: Session, user: User, ids: list[int]) -> list[Task]:
    if not ids:
        return []
    found = session.scalars(select(Task).where(Task.id.in_(ids))).all()
    return [t for t in found if task_service.can_see(session=session, user=user, task=t)]


def _form_values(task: Task, tags: list[str], deps: list[int], user: User) -> dict[str, str]:
    return {
        "title": task.title,
        "notes": task.notes,
        "importance": str(task.importance),
        # The shape of <input type="datetime-local">; dateparse reads it as the user's wall time.
        "deadline": local(task.deadline_at, user.timezone, "%Y-%m-%dT%H:%M"),
        "planned_date": task.planned_date.isoformat() if task.planned_date else "",
        "estimate_minutes": format_duration(task.estimate_minutes) if task.estimate_minutes else "",
        "kind": task.kind.value,
        "tags": ", ".join(tags),
        "project_id": str(task.project_id or ""),
        "depends_on": ", ".join(str(d) for d in deps),
        "splittable": "on" if task.splittable else "",
        "min_chunk_minutes": format_duration(task.min_chunk_minutes),
        "version": str(task.version),
    }


@router.post("/tasks/{task_id}")
async def edit_task(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, task_id: str
) -> Response:
    if user is None:
        return login_redirect(request)
    task = _visible(session, user, task_id)
    if task is None:
        return _missing(request, state, user)
    form = await request.form()
    values = {key: str(form.get(key, ""))[:50_000] for key in (*EDIT_KEYS, "csrf_token")}
    if not form_ok(request, state, values.pop("csrf_token")):
        return _detail(
            request, state, session, user, task, values=values, error=EXPIRED, status=403
        )
    now = state.clock.now()
    data, errors = _update_from(values, user, now)
    if data is None:
        return _detail(
            request, state, session, user, task, values=values, errors=errors, status=422
        )
    try:
        task_service.update_task(
            session=session,
            user=user,
            task_id=task.id,
            data=data,
            version=_int(values["version"]) or 0,
            now=now,
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        fresh = _visible(session, user, str(task.id))
        if fresh is None:
            return _missing(request, state, user)
        if isinstance(exc, Conflict):
            return _detail(request, state, session, user, fresh, error=STALE, status=409)
        field = exc.field if exc.field in values else None
        return _detail(
            request,
            state,
            session,
            user,
            fresh,
            values=values,
            errors={field: exc.message} if field else {},
            error=None if field else exc.message,
            status=exc.status_code,
        )
    return RedirectResponse(f"/tasks/{task.id}?saved=1", status_code=303)


def _update_from(
    values: dict[str, str], user: User, now: datetime
) -> tuple[TaskUpdate | None, dict[str, str]]:
    """The TaskUpdate the edit form describes, or None and a message per field."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {
        "title": values["title"],
        "notes": values["notes"],
        "importance": values["importance"],
        "kind": values["kind"],
        "splittable": values["splittable"] == "on",
        "tags": [t for t in (p.strip() for p in values["tags"].split(",")) if t],
        "project_id": values["project_id"] or None,
        "planned_date": values["planned_date"].strip() or None,
    }

    def read(key: str, reader: Any) -> None:
        text = values[key].strip()
        try:
            fields[key] = reader(text) if text else None
        except ValueError as exc:
            errors[key] = str(exc)

    read("deadline", lambda t: parse_when(t, now=now, timezone=user.timezone))
    read("estimate_minutes", parse_duration)
    read("min_chunk_minutes", parse_duration)
    if fields.get("min_chunk_minutes") is None and "min_chunk_minutes" not in errors:
        errors["min_chunk_minutes"] = "give the shortest useful piece of work, such as 30m"
    depends: list[int] = []
    for part in (p.strip() for p in values["depends_on"].split(",")):
        if not part:
            continue
        dep_id = _int(part)
        if dep_id is None:
            errors["depends_on"] = f"{part!r} is not a task id; write ids such as 12, 15"
            break
        depends.append(dep_id)
    fields["depends_on"] = depends
    try:
        data = TaskUpdate(**fields)
    except ValidationError as exc:
        for item in exc.errors():
            key = str(item["loc"][0]) if item["loc"] else "title"
            errors.setdefault(key, str(item["msg"]).removeprefix("Value error, "))
        return None, errors
    return (None, errors) if errors else (data, errors)
