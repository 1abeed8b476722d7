"""The Tasks pages' forms read into the task service's terms: the list's filters, quick add
(``TaskCreate``) and the edit form (``TaskUpdate``), each refusal named by its field."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.dateparse import format_duration, parse_duration, parse_when
from devday.errors import Invalid, NotFound
from devday.inputs import RANGE, day_in_range
from devday.project import service as project_service
from devday.quickadd import parse_quick_add
from devday.task import deadline_check
from devday.task import service as task_service
from devday.task.models import Kind, Status, Task
from devday.task.schemas import TaskCreate, TaskUpdate
from devday.web.forms import FormInvalid, field_errors, optional_id
from devday.web.rendering import local

QUICK_MAX = 500
KINDS = tuple(k.value for k in Kind)
STATUS_CHOICES = ("open", "any", *(s.value for s in Status))
# The query parameters a filter link keeps; the rest (messages, paging) are one-offs.
FILTER_KEYS = ("status", "project", "tag", "after", "before", "planned", "q", "mine")
#: The New task form's single-valued fields (``depends_on`` is a list of ticked tasks).
NEW_KEYS = (
    "title",
    "notes",
    "importance",
    "kind",
    "estimate_minutes",
    "deadline",
    "planned_date",
    "earliest_start",
    "splittable",
    "min_chunk_minutes",
    "project_id",
    "tags",
    "repeat",
    "form_token",
)
#: What a fresh New task form holds: the schema's defaults.
NEW_DEFAULTS = {
    "importance": "2",
    "kind": Kind.other.value,
    "splittable": "on",
    "min_chunk_minutes": "30m",
}
EDIT_KEYS = (
    "title",
    "notes",
    "importance",
    "deadline",
    "earliest_start",
    "planned_date",
    "estimate_minutes",
    "kind",
    "tags",
    "project_id",
    "splittable",
    "min_chunk_minutes",
    "repeat",
    "repeat_was",
    "version",
)


def filters(params: dict[str, str], user: User) -> tuple[task_service.TaskFilter, dict[str, str]]:
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
        project_id = optional_id(params["project"])
        if project_id is None:
            errors["project"] = "pick a project from the list"

    def day(key: str) -> date | None:
        if not params[key]:
            return None
        try:
            return day_in_range(date.fromisoformat(params[key]))
        except ValueError:
            errors[key] = f"use a date such as 2026-12-04, from {RANGE}"
            return None

    after, before, planned = day("after"), day("before"), day("planned")
    found = task_service.TaskFilter(
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
        # "Mine": the tasks on the user's plate, whoever made them.
        assignee_id=user.id if params["mine"] else None,
    )
    return found, errors


def quick_create(text: str, *, session: Session, user: User, now: datetime) -> TaskCreate:
    """The task a quick-add line describes; refusals name the ``text`` field."""
    if len(text) > QUICK_MAX:
        raise Invalid(
            f"keep it under {QUICK_MAX} characters; add notes on the task's page", field="text"
        )
    try:
        parsed = parse_quick_add(text, now=now, timezone=user.timezone)
    except ValueError as exc:
        raise Invalid(str(exc), field="text") from None
    project_id = None
    if parsed.project_name:
        found = project_service.list_projects(session=session, user=user, name=parsed.project_name)
        if not found:
            raise Invalid(f"no project named {parsed.project_name!r}", field="text")
        project_id = found[0].id
    values: dict[str, Any] = {
        "title": parsed.title,
        "deadline": parsed.deadline,
        "estimate_minutes": parsed.estimate_minutes,
        "tags": parsed.tags,
        "project_id": project_id,
        "repeat": parsed.repeat,
    }
    if parsed.importance is not None:
        values["importance"] = parsed.importance
    if parsed.kind is not None:
        if parsed.kind not in KINDS:
            kinds = ", ".join(KINDS)
            raise Invalid(f"no kind {parsed.kind!r}; use one of {kinds}", field="text")
        values["kind"] = parsed.kind
    return TaskCreate(**values)


def added_message(
    text: str, *, session: Session, user: User, now: datetime
) -> tuple[str | None, list[str]]:
    """What the list says after quick add redirected to it with ``added=<id>``: the line, and
    the warnings about the new task's deadline (see ``task.deadline_check``)."""
    task_id = optional_id(text)
    if task_id is None:
        return None, []
    try:
        task = task_service.get_task(session=session, user=user, task_id=task_id)
    except NotFound:
        return None, []
    due = f", due {local(task.deadline_at, user.timezone, now=now)}" if task.deadline_at else ""
    warnings = deadline_check.warnings(session=session, user=user, task=task, now=now)
    return f"Added: {task.title}{due}", warnings


def form_values(task: Task, tags: list[str], user: User) -> dict[str, str]:
    """The edit form filled with the task as stored."""
    return {
        "title": task.title,
        "notes": task.notes,
        "importance": str(task.importance),
        # The shape of <input type="datetime-local">; dateparse reads it as the user's wall time.
        "deadline": local(task.deadline_at, user.timezone, "%Y-%m-%dT%H:%M"),
        "earliest_start": local(task.earliest_start_at, user.timezone, "%Y-%m-%dT%H:%M"),
        "planned_date": task.planned_date.isoformat() if task.planned_date else "",
        "estimate_minutes": format_duration(task.estimate_minutes) if task.estimate_minutes else "",
        "kind": task.kind.value,
        "tags": ", ".join(tags),
        "project_id": str(task.project_id or ""),
        "splittable": "on" if task.splittable else "",
        "min_chunk_minutes": format_duration(task.min_chunk_minutes),
        "repeat": "",
        "repeat_was": "",
        "version": str(task.version),
    }


def update_from(
    values: dict[str, str], depends_on: list[str], user: User, now: datetime
) -> TaskUpdate:
    """The TaskUpdate the edit form describes, its dependencies the ids of the tasks picked
    from the list; ``FormInvalid`` with a message per field."""
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
    # The Repeat field as the page showed it is no change; emptied, it ends the series.
    repeat = " ".join(values["repeat"].split())
    if repeat != " ".join(values["repeat_was"].split()):
        fields["repeat"] = repeat or None

    _read_typed(values, user, now, fields, errors)
    if fields.get("min_chunk_minutes") is None and "min_chunk_minutes" not in errors:
        errors["min_chunk_minutes"] = "give the shortest useful piece of work, such as 30m"
    fields["depends_on"] = dependency_ids(depends_on, errors)
    try:
        data = TaskUpdate(**fields)
    except ValidationError as exc:
        errors = {**field_errors(exc), **errors}
    if errors:
        raise FormInvalid(errors)
    return data


def create_from(
    values: dict[str, str], depends_on: list[str], user: User, now: datetime
) -> TaskCreate:
    """The TaskCreate the New task form describes: the deadline and earliest start as wall
    times in the user's zone, durations as people write them (90m, 1h30), dependencies as the
    ids of the ticked tasks; ``FormInvalid`` with a message per field."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {
        "title": values["title"],
        "notes": values["notes"],
        "importance": values["importance"] or 2,
        "kind": values["kind"] or Kind.other.value,
        "splittable": values["splittable"] == "on",
        "tags": [t for t in (p.strip() for p in values["tags"].split(",")) if t],
        "project_id": values["project_id"] or None,
        "planned_date": values["planned_date"].strip() or None,
        "repeat": values["repeat"].strip() or None,
    }

    _read_typed(values, user, now, fields, errors)
    if fields.get("min_chunk_minutes") is None:
        fields.pop("min_chunk_minutes")  # empty: the schema's default
    fields["depends_on"] = dependency_ids(depends_on, errors)
    try:
        data = TaskCreate(**fields)
    except ValidationError as exc:
        errors = {**field_errors(exc), **errors}
    if errors:
        raise FormInvalid(errors)
    return data


def dependency_ids(picked: list[str], errors: dict[str, str]) -> list[int]:
    """The ids of the tasks picked in a form's "Depends on" list; anything else is a message
    under ``depends_on`` in ``errors`` (the list offers only tasks, so it is a forged form)."""
    ids = [optional_id(v) for v in picked]
    if any(i is None for i in ids):
        errors["depends_on"] = "pick the tasks from the list"
    return list(dict.fromkeys(i for i in ids if i is not None))


def _read_typed(
    values: dict[str, str],
    user: User,
    now: datetime,
    fields: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """The fields people type in their own words (times in the user's zone, durations such as
    1h30) into ``fields``, or a message per field into ``errors``; an empty one is None."""
    readers: dict[str, Any] = {
        "deadline": lambda t: parse_when(t, now=now, timezone=user.timezone),
        "earliest_start": lambda t: start_at(t, user, now),
        "estimate_minutes": parse_duration,
        "min_chunk_minutes": parse_duration,
    }
    for key, reader in readers.items():
        text = values[key].strip()
        try:
            fields[key] = reader(text) if text else None
        except ValueError as exc:
            errors[key] = str(exc)


def start_at(text: str, user: User, now: datetime) -> datetime:
    """An earliest start as typed (or picked) in the user's zone; a day alone is its start."""
    found = parse_when(text, now=now, timezone=user.timezone)
    if isinstance(found, datetime):
        return found
    return datetime.combine(found, time(0), tzinfo=ZoneInfo(user.timezone))
