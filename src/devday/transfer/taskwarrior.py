"""Taskwarrior both ways: what ``task export`` writes comes in, what ``task import`` reads goes
out.

Each task keeps its Taskwarrior UUID (``ExternalTaskId``): importing the same tasks again
updates them, and an export writes the UUID back. A task that never came from Taskwarrior is
exported under a UUID derived from its id, the same in every export, which a later import
recognises as that task.

Priority maps both ways as H critical (4), M high (3), none normal (2), L low (1). Annotations
become lines of the notes, each with its time (``[2026-12-05 09:30:00 UTC] text``); notes that
are not such lines go out as one annotation. A recurring task's template is skipped: its
occurrences come in as tasks of their own.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Invalid
from devday.input_rules import MAX_YEAR, MIN_YEAR, without_controls
from devday.project.models import Project
from devday.task.models import Source, Status, Task, TaskDependency, TaskTag
from devday.transfer.common import (
    ImportReport,
    Projects,
    check_acyclic,
    clean_tag,
    duration_of,
    external_ids,
    minutes_of,
    set_tags,
    title_and_rest,
)
from devday.transfer.models import ExternalTaskId

SYSTEM = "taskwarrior"
MAX_TASKS = 20_000
_NAMESPACE = uuid.UUID("5f0c1a3e-7d7e-4a55-9b1e-6d2f0e6c9a01")
_PRIORITY_IN = {"H": 4, "M": 3, "L": 1}
_PRIORITY_OUT = {4: "H", 3: "M", 1: "L"}
_ANNOTATION = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\] ?(.*)$")
_STATUS_IN = {
    "pending": Status.todo,
    "waiting": Status.todo,
    "completed": Status.done,
    "deleted": Status.dropped,
}


@dataclass
class Incoming:
    """One Taskwarrior task, read and checked."""

    uuid: str
    title: str
    notes: str
    status: Status
    project: str | None
    tags: list[str]
    importance: int
    deadline_at: datetime | None
    planned_date: date | None
    earliest_start_at: datetime | None
    created_at: datetime | None
    end_at: datetime | None
    estimate_minutes: int | None
    depends: list[str] = field(default_factory=list)


def derived_uuid(task: Task) -> str:
    """The UUID of a task that has none from Taskwarrior: the same in every export."""
    return str(uuid.uuid5(_NAMESPACE, f"{task.owner_id}/{task.id}"))


def import_tasks(*, session: Session, user: User, records: Any, now: datetime) -> ImportReport:
    """Creates or updates the user's tasks from ``task export``'s JSON (a list of objects)."""
    if not isinstance(records, list):
        raise Invalid("expected the JSON list that 'task export' writes", field="body")
    if len(records) > MAX_TASKS:
        raise Invalid(f"at most {MAX_TASKS} tasks in one import", field="body")
    zone = ZoneInfo(user.timezone)
    report = ImportReport()
    incoming = []
    for index, record in enumerate(records):
        if isinstance(record, dict) and record.get("status") == "recurring":
            title = str(record.get("description") or "")[:60]
            report.skip(
                f"tasks[{index}]: {title!r} is a recurring template (its instances are imported)"
            )
            continue
        incoming.append(_read(record, f"tasks[{index}]", zone))
    known = external_ids(session, user, SYSTEM)
    owned = {
        derived_uuid(task): task
        for task in session.scalars(select(Task).where(Task.owner_id == user.id))
    }
    projects = Projects(session, user, report)
    by_uuid: dict[str, Task] = {}
    applied: list[tuple[Incoming, Task, bool, bool]] = []
    for item in incoming:
        task = by_uuid.get(item.uuid)
        if task is None:
            task = (
                session.get(Task, known[item.uuid]) if item.uuid in known else owned.get(item.uuid)
            )
        created = task is None or task.owner_id != user.id
        if created:
            task = Task(
                owner_id=user.id, assignee_id=user.id, source=Source.import_, created_at=now
            )
        assert task is not None
        # A task placed in a team's project stays there: where it lives in devday is devday's.
        in_team = task.team_id is not None
        project = projects.get(item.project) if item.project and not in_team else None
        changed = _apply(task, item, project, now, keep_place=in_team)
        if created:
            session.add(task)
        by_uuid[item.uuid] = task
        applied.append((item, task, created, changed))
    session.flush()  # the new tasks in a few statements, and their ids
    for item, task, created, changed in applied:
        changed = set_tags(session, task, item.tags, new=created) or changed
        if item.uuid not in known:
            if not created:  # a new task has no id elsewhere yet
                session.execute(
                    delete(ExternalTaskId).where(
                        ExternalTaskId.task_id == task.id, ExternalTaskId.system == SYSTEM
                    )
                )
            session.add(
                ExternalTaskId(
                    task_id=task.id, system=SYSTEM, owner_id=user.id, external_id=item.uuid
                )
            )
            known[item.uuid] = task.id
        if created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    _link(session, incoming, by_uuid, known, report)
    session.flush()
    check_acyclic(session, user, "depends")
    return report


def _apply(
    task: Task, item: Incoming, project: Project | None, now: datetime, *, keep_place: bool
) -> bool:
    wanted: dict[str, Any] = {
        "title": item.title,
        "notes": item.notes,
        "status": item.status,
        "importance": item.importance,
        "deadline_at": item.deadline_at,
        "planned_date": item.planned_date,
        "earliest_start_at": item.earliest_start_at,
        "estimate_minutes": item.estimate_minutes,
        "completed_at": item.end_at or now if item.status == Status.done else None,
    }
    if not keep_place:
        wanted["project_id"], wanted["team_id"] = project.id if project else None, None
    if item.created_at is not None:
        wanted["created_at"] = item.created_at
    if item.status == Status.dropped and item.end_at is not None:
        wanted["updated_at"] = item.end_at  # when it was deleted; devday has no other place
    changed = [name for name, value in wanted.items() if getattr(task, name) != value]
    for name in changed:
        setattr(task, name, wanted[name])
    if changed and "updated_at" not in wanted:
        task.updated_at = now
    return bool(changed)


def _link(
    session: Session,
    incoming: list[Incoming],
    by_uuid: dict[str, Task],
    known: dict[str, int],
    report: ImportReport,
) -> None:
    """Sets each imported task's dependencies to exactly those Taskwarrior names."""
    ids = [task.id for task in by_uuid.values()]
    current: dict[int, set[int]] = {}
    for start in range(0, len(ids), 500):  # the dependencies there are, a few queries in all
        rows = session.execute(
            select(TaskDependency.task_id, TaskDependency.depends_on_id).where(
                TaskDependency.task_id.in_(ids[start : start + 500])
            )
        )
        for task_id, depends_on in rows:
            current.setdefault(task_id, set()).add(depends_on)
    for item in incoming:
        task = by_uuid[item.uuid]
        want: set[int] = set()
        for other in item.depends:
            other_id = by_uuid[other].id if other in by_uuid else known.get(other)
            if other_id is None or other_id == task.id:
                report.notes.append(f"{item.title!r} depends on {other}, which was not imported")
                continue
            want.add(other_id)
        have = current.get(task.id, set())
        if want == have:
            continue
        if have - want:
            session.execute(
                delete(TaskDependency).where(
                    TaskDependency.task_id == task.id,
                    TaskDependency.depends_on_id.in_(have - want),
                )
            )
        session.add_all(
            TaskDependency(task_id=task.id, depends_on_id=other) for other in sorted(want - have)
        )


def _read(record: Any, where: str, zone: ZoneInfo) -> Incoming:
    if not isinstance(record, dict):
        raise Invalid("expected an object", field=where)
    raw_uuid = record.get("uuid")
    try:
        task_uuid = str(uuid.UUID(str(raw_uuid)))
    except ValueError:
        raise Invalid(f"{raw_uuid!r} is not a UUID", field=f"{where}.uuid") from None
    description = record.get("description")
    if not isinstance(description, str) or not description.strip():
        raise Invalid("a task needs a description", field=f"{where}.description")
    title, rest = title_and_rest(description)
    status_name = record.get("status", "pending")
    if not isinstance(status_name, str) or status_name not in _STATUS_IN:
        raise Invalid(
            f"unknown status {status_name!r}: pending, waiting, completed or deleted",
            field=f"{where}.status",
        )
    priority = record.get("priority") or ""
    if not isinstance(priority, str) or priority not in ("", *_PRIORITY_IN):
        raise Invalid(f"unknown priority {priority!r}: H, M or L", field=f"{where}.priority")
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise Invalid("tags are a list of words", field=f"{where}.tags")
    project = record.get("project")
    if project is not None and not isinstance(project, str):
        raise Invalid("a project is a name", field=f"{where}.project")
    scheduled = _instant(record.get("scheduled"), f"{where}.scheduled")
    notes = [rest] if rest else []
    notes += _annotation_lines(record.get("annotations"), f"{where}.annotations")
    return Incoming(
        uuid=task_uuid,
        title=title,
        notes="\n".join(notes),
        status=_STATUS_IN[status_name],
        project=project.strip() or None if project else None,
        tags=list(dict.fromkeys(clean_tag(t, f"{where}.tags") for t in tags)),
        importance=_PRIORITY_IN.get(priority, 2),
        deadline_at=_instant(record.get("due"), f"{where}.due"),
        planned_date=scheduled.astimezone(zone).date() if scheduled else None,
        earliest_start_at=_instant(record.get("wait"), f"{where}.wait"),
        created_at=_instant(record.get("entry"), f"{where}.entry"),
        end_at=_instant(record.get("end"), f"{where}.end"),
        estimate_minutes=minutes_of(record.get("estimate"), f"{where}.estimate"),
        depends=_depends(record.get("depends"), f"{where}.depends"),
    )


def _instant(value: Any, where: str) -> datetime | None:
    """Taskwarrior's ``20261205T093000Z`` (or an ISO 8601 instant with an offset)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{8}T\d{6}Z", text):
            moment = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid(f"{value!r} is not a date such as 20261205T093000Z", field=where)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise Invalid(f"use a date from {MIN_YEAR} to {MAX_YEAR}, not {text}", field=where)
    return moment.astimezone(UTC)


def _depends(value: Any, where: str) -> list[str]:
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else value  # 2.5 wrote a string
    if not isinstance(items, list):
        raise Invalid("depends is a list of UUIDs", field=where)
    found = []
    for item in items:
        try:
            found.append(str(uuid.UUID(str(item).strip())))
        except ValueError:
            raise Invalid(f"{item!r} is not a UUID", field=where) from None
    return list(dict.fromkeys(found))


def _annotation_lines(value: Any, where: str) -> list[str]:
    if not value:
        return []
    if not isinstance(value, list):
        raise Invalid("annotations are a list", field=where)
    lines = []
    for index, annotation in enumerate(value):
        if not isinstance(annotation, dict):
            raise Invalid("an annotation is an object", field=f"{where}[{index}]")
        at = _instant(annotation.get("entry"), f"{where}[{index}].entry")
        text = without_controls(str(annotation.get("description") or ""), lines=True)
        stamp = at.strftime("%Y-%m-%d %H:%M:%S") if at else "1970-01-01 00:00:00"
        first, *more = text.splitlines() or [""]
        lines.append(f"[{stamp} UTC] {first}".rstrip())
        lines += [f"  {line}" for line in more]
    return lines


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def export_tasks(*, session: Session, user: User) -> list[dict[str, Any]]:
    """The user's own tasks as ``task import`` reads them."""
    tasks = session.scalars(select(Task).where(Task.owner_id == user.id).order_by(Task.id)).all()
    ids = [task.id for task in tasks]
    known = {task_id: ext for ext, task_id in external_ids(session, user, SYSTEM).items()}
    uuids = {task.id: known.get(task.id) or derived_uuid(task) for task in tasks}
    tags: dict[int, list[str]] = defaultdict(list)
    for task_id, tag in session.execute(
        select(TaskTag.task_id, TaskTag.tag).where(TaskTag.task_id.in_(ids)).order_by(TaskTag.tag)
    ):
        tags[task_id].append(tag)
    depends: dict[int, list[str]] = defaultdict(list)
    for task_id, other in session.execute(
        select(TaskDependency.task_id, TaskDependency.depends_on_id).where(
            TaskDependency.task_id.in_(ids)
        )
    ):
        if other in uuids:
            depends[task_id].append(uuids[other])
    project_ids = {task.project_id for task in tasks if task.project_id is not None}
    names = dict(
        session.execute(select(Project.id, Project.name).where(Project.id.in_(project_ids))).all()
    )
    zone = ZoneInfo(user.timezone)
    return [
        _record(task, uuids[task.id], names, tags[task.id], depends[task.id], zone)
        for task in tasks
    ]


def _record(
    task: Task,
    task_uuid: str,
    names: dict[int, str],
    tags: list[str],
    depends: list[str],
    zone: ZoneInfo,
) -> dict[str, Any]:
    status = {Status.done: "completed", Status.dropped: "deleted"}.get(task.status, "pending")
    record: dict[str, Any] = {
        "uuid": task_uuid,
        "description": task.title,
        "status": status,
        "entry": _stamp(task.created_at),
        "modified": _stamp(task.updated_at),
    }
    if task.project_id is not None and task.project_id in names:
        record["project"] = names[task.project_id]
    if tags:
        record["tags"] = tags
    if task.importance in _PRIORITY_OUT:
        record["priority"] = _PRIORITY_OUT[task.importance]
    if task.deadline_at is not None:
        record["due"] = _stamp(task.deadline_at)
    if task.planned_date is not None:
        record["scheduled"] = _stamp(datetime.combine(task.planned_date, time(), zone))
    if task.earliest_start_at is not None:
        record["wait"] = _stamp(task.earliest_start_at)
    if status == "completed":
        record["end"] = _stamp(task.completed_at or task.updated_at)
    elif status == "deleted":
        record["end"] = _stamp(task.updated_at)
    if task.estimate_minutes:
        record["estimate"] = duration_of(task.estimate_minutes)
    annotations = _annotations(task.notes, task.updated_at)
    if annotations:
        record["annotations"] = annotations
    if depends:
        record["depends"] = sorted(depends)
    return record


def _annotations(notes: str, fallback: datetime) -> list[dict[str, str]]:
    """The notes' annotation lines back as annotations; other text as one more, at ``fallback``."""
    found: list[dict[str, str]] = []
    other: list[str] = []
    current: dict[str, str] | None = None
    for line in notes.splitlines():
        match = _ANNOTATION.match(line)
        if match:
            at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            current = {"entry": _stamp(at), "description": match.group(2)}
            found.append(current)
        elif current is not None and line.startswith("  "):
            current["description"] += "\n" + line[2:]
        else:
            current = None
            other.append(line)
    text = "\n".join(other).strip()
    if text:
        found.insert(0, {"entry": _stamp(fallback), "description": text})
    return found
