"""Todoist's CSV (a project exported, or the template format) as tasks of one devday project.

The columns are Todoist's: TYPE (task, section, note), CONTENT, DESCRIPTION, PRIORITY (1 the
highest, as devday's P1), INDENT (2 and deeper are sub-tasks of the task above), AUTHOR,
RESPONSIBLE, DATE, DATE_LANG, TIMEZONE, DURATION, DURATION_UNIT (minute or day), and DEADLINE
when present. A section becomes a tag on the tasks under it; a note is added to the notes of
the task above it. A task with sub-tasks depends on them (it is done after they are). A
recurring DATE ("every mon") makes the task the first of a devday series; a DATE that devday
cannot read (a rule included) is kept in the notes as written.
Todoist's CSV has no ids: importing the same file twice makes the tasks twice.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.dateparse import parse_when
from devday.errors import Invalid
from devday.importance import from_rank
from devday.input_rules import without_controls
from devday.recurrence import service as recurrence_service
from devday.task.models import Source, Task, TaskDependency, TaskTag
from devday.timeutil import DEFAULT_WORKDAY_END
from devday.transfer.common import ImportReport, Projects, title_and_rest

MAX_ROWS = 20_000
_RECURRING = re.compile(r"^\s*(every|each|daily|weekly|monthly|yearly)\b", re.IGNORECASE)
_MARKUP = re.compile(r"^\s*\*\s+")  # Todoist marks a task that cannot be completed with "* "


@dataclass
class _Made:
    task: Task
    indent: int


def import_csv(
    *, session: Session, user: User, text: str, project: str, now: datetime
) -> ImportReport:
    """Makes a task for each task row of ``text`` in the personal project named ``project``."""
    if not project.strip():
        raise Invalid("name the project the tasks go in", field="project")
    rows = _rows(text)
    report = ImportReport()
    target = Projects(session, user, report).get(project)
    section = ""
    made: list[_Made] = []
    stack: list[_Made] = []
    for index, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"line {index}"
        kind = (row.get("TYPE") or "").strip().lower()
        content = without_controls(row.get("CONTENT") or "", lines=True).strip()
        if kind == "section":
            section = _tag(content)
            stack = []
            continue
        if kind == "note":
            if made and content:
                task = made[-1].task
                task.notes = (task.notes + "\n\n" if task.notes else "") + content
            continue
        if kind != "task" or not content:
            if kind == "task":
                report.skip(f"{where}: a task with no CONTENT")
            elif kind not in ("", "meta"):
                report.skip(f"{where}: a row of type {kind!r}, which devday does not import")
            continue
        task = _task(row, content, where, user, now, report)
        task.project_id = target.id
        session.add(task)
        session.flush()
        if section:
            session.add(TaskTag(task_id=task.id, tag=section))
            session.flush()
        _repeat(session, user, task, row.get("DATE") or "", now, report, where)
        indent = _int(row.get("INDENT"), 1, f"{where}: INDENT")
        while stack and stack[-1].indent >= indent:
            stack.pop()
        if stack:
            parent = stack[-1].task
            session.add(TaskDependency(task_id=parent.id, depends_on_id=task.id))
            task.notes = (
                task.notes + "\n\n" if task.notes else ""
            ) + f"Sub-task of: {parent.title}"
        entry = _Made(task, indent)
        stack.append(entry)
        made.append(entry)
        report.created += 1
    session.flush()
    return report


def _rows(text: str) -> list[dict[str, str]]:
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    fields = [name.strip().upper() for name in reader.fieldnames or []]
    if "TYPE" not in fields or "CONTENT" not in fields:
        raise Invalid("not a Todoist CSV: it needs the columns TYPE and CONTENT", field="csv")
    rows = []
    try:
        for raw in reader:
            rows.append({k.strip().upper(): (v or "") for k, v in raw.items() if k is not None})
            if len(rows) > MAX_ROWS:
                raise Invalid(f"at most {MAX_ROWS} rows in one import", field="csv")
    except csv.Error as exc:
        raise Invalid(f"not a CSV file: {exc}", field="csv") from None
    return rows


def _task(
    row: dict[str, str], content: str, where: str, user: User, now: datetime, report: ImportReport
) -> Task:
    content = _MARKUP.sub("", content)
    title, rest = title_and_rest(content)
    notes = [rest] if rest else []
    description = without_controls(row.get("DESCRIPTION") or "", lines=True).strip()
    if description:
        notes.append(description)
    for column, label in (("AUTHOR", "Author"), ("RESPONSIBLE", "Responsible")):
        who = without_controls(row.get(column) or "", lines=False).strip()
        if who:
            notes.append(f"{label}: {who}")
    priority = _int(row.get("PRIORITY"), 4, f"{where}: PRIORITY")
    if not 1 <= priority <= 4:
        raise Invalid(f"{where}: PRIORITY is 1 (highest) to 4, not {priority}", field="csv")
    zone_name = (row.get("TIMEZONE") or "").strip() or user.timezone
    try:
        ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        report.notes.append(f"{where}: unknown timezone {zone_name!r}; used {user.timezone}")
        zone_name = user.timezone
    deadline, date_note = _when(row.get("DATE") or "", row.get("DATE_LANG") or "", zone_name, now)
    if date_note:
        notes.append(date_note)
    if row.get("DEADLINE"):
        hard, hard_note = _when(row["DEADLINE"], row.get("DEADLINE_LANG") or "", zone_name, now)
        deadline = hard or deadline
        if hard_note:
            notes.append(hard_note.replace("Due:", "Deadline:"))
    return Task(
        owner_id=user.id,
        assignee_id=user.id,
        title=title,
        notes="\n\n".join(notes),
        importance=from_rank(priority),
        deadline_at=deadline,
        estimate_minutes=_estimate(row, where),
        source=Source.import_,
        created_at=now,
        updated_at=now,
    )


def _repeat(
    session: Session,
    user: User,
    task: Task,
    text: str,
    now: datetime,
    report: ImportReport,
    where: str,
) -> None:
    """A recurring Todoist date ("every mon") becomes a devday series with ``task`` as its first
    instance; a rule devday does not read stays in the notes as written, and the report says so."""
    text = without_controls(text, lines=False).strip()
    if not _RECURRING.match(text):
        return
    try:
        with session.begin_nested():
            recurrence_service.repeat_task(
                session=session, user=user, task=task, text=text, now=now
            )
    except Invalid:
        report.notes.append(f"{where}: the recurrence {text!r} is kept in the notes")
        return
    task.notes = "\n\n".join(
        part for part in task.notes.split("\n\n") if part != f"Repeats: {text}"
    )


def _when(text: str, lang: str, zone: str, now: datetime) -> tuple[datetime | None, str]:
    """A deadline from Todoist's date text, or the text kept for the notes."""
    text = without_controls(text, lines=False).strip()
    if not text:
        return None, ""
    if _RECURRING.match(text):
        return None, f"Repeats: {text}"
    if lang.strip().lower() not in ("", "en"):
        return None, f"Due: {text}"
    try:
        found = parse_when(text, now=now, timezone=zone)
    except ValueError:
        return None, f"Due: {text}"
    if isinstance(found, datetime):
        return found, ""
    assert isinstance(found, date)
    return datetime.combine(found, DEFAULT_WORKDAY_END, ZoneInfo(zone)), ""


def _estimate(row: dict[str, str], where: str) -> int | None:
    amount = _int(row.get("DURATION"), 0, f"{where}: DURATION")
    if amount <= 0:
        return None
    unit = (row.get("DURATION_UNIT") or "minute").strip().lower()
    minutes = amount * 480 if unit.startswith("day") else amount
    return min(minutes, 100_000)


def _int(value: Any, default: int, where: str) -> int:
    text = str(value or "").strip()
    if not text:
        return default
    if not text.isdigit() or len(text) > 6:
        raise Invalid(f"{where} is a whole number, not {text!r}", field="csv")
    return int(text)


def _tag(name: str) -> str:
    """A section's name as a tag: lower case, words joined by hyphens."""
    words = re.findall(r"[\w.]+", name.lower())
    return "-".join(words)[:50].strip("-.") or ""
