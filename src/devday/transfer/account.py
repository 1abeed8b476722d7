"""A user's whole account as one JSON document, and that document imported into an empty
account.

The document is ``{"format": "devday-export", "version": 1, "profile": {...}, "<section>":
[rows]}``. Each section lists the rows of one table the user owns in their personal space, in
the order they were made, each with a ``ref`` (1, 2, ...); a row names another by that ref
(``"task_id": 3`` is the third task of the document), so nothing depends on the database's ids.
A column naming a user holds ``"self"`` for the account itself and null for anyone else.
Team data (team projects and their tasks, apps, stand-ups, meetings) belongs to the team and is
not part of it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, Integer, String, Text, delete, exists, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from devday.account.models import User
from devday.day.models import DayClose, HabitCheck, Reflection
from devday.db import Base, UTCDateTime
from devday.errors import Conflict, Invalid
from devday.inbox.models import InboxEvent, InboxItem
from devday.input_rules import MAX_YEAR, MIN_YEAR, text_clean
from devday.notify.models import Channel
from devday.planning import live
from devday.planning.models import BusyEvent, DayPlan, PlanBlock, Routine
from devday.project.models import Project
from devday.standup.models import Leave
from devday.task.models import Task, TaskDependency, TaskTag
from devday.transfer.common import check_acyclic
from devday.transfer.models import ExternalTaskId
from devday.worklog.models import TimeEntry

FORMAT = "devday-export"
VERSION = 1
SELF = "self"
# JSON fields that hold task ids, under these keys: remapped to refs and back.
_ID_LISTS = {"planned_task_ids", "goal_task_ids", "over_estimate"}


@dataclass(frozen=True)
class Section:
    """One table of the document: its rows for a user, and which columns name other sections."""

    name: str
    model: type[Base]
    rows: Callable[[User], ColumnElement[bool]]
    refs: dict[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ("id",)


def _in_mine(column: Any) -> Callable[[User], ColumnElement[bool]]:
    return lambda user: column.in_(
        select(Task.id).where(Task.owner_id == user.id, Task.team_id.is_(None))
    )


SECTIONS: tuple[Section, ...] = (
    Section(
        "projects",
        Project,
        lambda user: (Project.owner_id == user.id) & Project.team_id.is_(None),
    ),
    Section(
        "tasks",
        Task,
        lambda user: (Task.owner_id == user.id) & Task.team_id.is_(None),
        {"project_id": "projects"},
    ),
    Section(
        "task_tags",
        TaskTag,
        _in_mine(TaskTag.task_id),
        {"task_id": "tasks"},
        ("task_id", "tag"),
    ),
    Section(
        "task_dependencies",
        TaskDependency,
        _in_mine(TaskDependency.task_id),
        {"task_id": "tasks", "depends_on_id": "tasks"},
        ("task_id", "depends_on_id"),
    ),
    Section(
        "task_external_ids",
        ExternalTaskId,
        _in_mine(ExternalTaskId.task_id),
        {"task_id": "tasks"},
        ("task_id", "system"),
    ),
    Section(
        "time_entries",
        TimeEntry,
        lambda user: (TimeEntry.user_id == user.id) & _in_mine(TimeEntry.task_id)(user),
        {"task_id": "tasks"},
    ),
    Section("routine", Routine, lambda user: Routine.user_id == user.id, order=("user_id",)),
    Section("busy_events", BusyEvent, lambda user: BusyEvent.user_id == user.id),
    Section("leave", Leave, lambda user: Leave.user_id == user.id),
    Section("habit_checks", HabitCheck, lambda user: HabitCheck.user_id == user.id),
    Section("day_plans", DayPlan, lambda user: DayPlan.user_id == user.id),
    Section(
        "plan_blocks",
        PlanBlock,
        lambda user: (
            PlanBlock.plan_id.in_(select(DayPlan.id).where(DayPlan.user_id == user.id))
            & _in_mine(PlanBlock.task_id)(user)
        ),
        {"plan_id": "day_plans", "task_id": "tasks"},
    ),
    Section("day_closes", DayClose, lambda user: DayClose.user_id == user.id),
    Section("reflections", Reflection, lambda user: Reflection.user_id == user.id),
    Section("channels", Channel, lambda user: Channel.user_id == user.id),
    Section(
        "inbox_items",
        InboxItem,
        lambda user: (InboxItem.recipient_id == user.id) & InboxItem.team_id.is_(None),
        {"task_id": "tasks"},
    ),
    Section(
        "inbox_events",
        InboxEvent,
        lambda user: InboxEvent.item_id.in_(
            select(InboxItem.id).where(
                InboxItem.recipient_id == user.id, InboxItem.team_id.is_(None)
            )
        ),
        {"item_id": "inbox_items"},
    ),
)
_SKIPPED = {"id", "version", "team_id"}


def _user_columns(model: type[Base]) -> set[str]:
    return {
        column.name
        for column in model.__table__.columns
        if any(fk.column.table.name == "user_account" for fk in column.foreign_keys)
    }


def export_account(*, session: Session, user: User, now: datetime) -> dict[str, Any]:
    """Everything ``user`` owns in their personal space (see the module docstring)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "profile": {"email": user.email, "name": user.name, "timezone": user.timezone},
    }
    refs: dict[str, dict[Any, int]] = {}
    for section in SECTIONS:
        table = section.model.__table__
        order = [table.columns[name] for name in section.order]
        rows = session.scalars(
            select(section.model).where(section.rows(user)).order_by(*order)
        ).all()
        keys = [tuple(getattr(row, name) for name in section.order) for row in rows]
        refs[section.name] = {key[0]: index for index, key in enumerate(keys, start=1)}
        document[section.name] = [
            _row_out(section, row, index, refs, user) for index, row in enumerate(rows, start=1)
        ]
    return document


def _row_out(
    section: Section, row: Any, ref: int, refs: dict[str, dict[Any, int]], user: User
) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": ref}
    users = _user_columns(section.model)
    tasks = refs.get("tasks", {})
    for column in section.model.__table__.columns:
        name = column.name
        if name in _SKIPPED:
            continue
        value = getattr(row, _attribute(section.model, name))
        if name in section.refs:
            value = refs[section.refs[name]].get(value)
        elif name in users:
            value = SELF if value == user.id else None
        elif isinstance(column.type, JSON):
            value = _remap(value, tasks.get, name)
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        out[name] = value
    return out


def _attribute(model: type[Base], column_name: str) -> str:
    for prop in model.__mapper__.column_attrs:
        if any(column.name == column_name for column in prop.columns):
            return prop.key
    raise KeyError(column_name)  # pragma: no cover - every column is mapped


def _remap(value: Any, task: Callable[[Any], Any], key: str = "") -> Any:
    """``value`` with every task id in it (as the plan, wrap-up and reflection JSON hold them)
    passed through ``task``; ids it does not know are left out."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for name, item in value.items():
            if key == "chances":
                mapped = task(int(name)) if str(name).isdigit() else None
                if mapped is not None:
                    out[str(mapped)] = _remap(item, task, "")
            elif name == "task_id" and isinstance(item, int):
                out[name] = task(item)
            else:
                out[name] = _remap(item, task, name)
        return out
    if isinstance(value, list):
        if key in _ID_LISTS:
            return [task(item) for item in value if task(item) is not None]
        if key == "movable":
            return [
                [task(pair[0]), *pair[1:]]
                for pair in value
                if isinstance(pair, list) and pair and task(pair[0]) is not None
            ]
        return [_remap(item, task, key) for item in value]
    return value


def _has_data(session: Session, user: User) -> bool:
    for section in SECTIONS:
        if section.name in ("routine",):
            continue
        if session.scalar(select(exists().where(section.rows(user)))):
            return True
    return False


def import_account(*, session: Session, user: User, document: Any) -> dict[str, int]:
    """Loads an ``export_account`` document into ``user``'s account, which must hold no data
    yet; the counts of rows made, by section. The stored plans come in as they were exported,
    not re-planned."""
    if isinstance(document, dict) and document.get("format") == "devday-export/1":
        raise Invalid(
            "this is the readable copy from Settings (GET /api/v1/me/export); import reads "
            "what devday export (GET /api/v1/export) writes",
            field="format",
        )
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Invalid(f'not a devday export: expected "format": "{FORMAT}"', field="format")
    if document.get("version") != VERSION:
        raise Invalid(
            f"export version {document.get('version')!r} is not one this server reads "
            f"(it reads {VERSION})",
            field="version",
        )
    if _has_data(session, user):
        raise Conflict(
            "your account already holds tasks, projects or other data: "
            "import into a new, empty account"
        )
    profile = document.get("profile") or {}
    if isinstance(profile, dict):
        _profile(user, profile)
    counts: dict[str, int] = {}
    ids: dict[str, dict[int, Any]] = {}
    with live.paused(session):
        if document.get("routine"):  # one per user: the imported one replaces the one kept
            session.execute(delete(Routine).where(Routine.user_id == user.id))
        for section in SECTIONS:
            rows = document.get(section.name) or []
            if not isinstance(rows, list):
                raise Invalid("expected a list", field=section.name)
            ids[section.name] = {}
            for index, raw in enumerate(rows):
                where = f"{section.name}[{index}]"
                row = _row_in(section, raw, where, ids, user)
                session.add(row)
                session.flush()
                if isinstance(raw.get("ref"), int):
                    ids[section.name][raw["ref"]] = _key(row)
            counts[section.name] = len(rows)
        session.flush()
    check_acyclic(session, user, "task_dependencies")
    return counts


def _key(row: Any) -> Any:
    return getattr(row, "id", None) if hasattr(row, "id") else getattr(row, "user_id", None)


def _profile(user: User, profile: dict[str, Any]) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name, timezone = profile.get("name"), profile.get("timezone")
    if isinstance(name, str) and name.strip():
        user.name = text_clean(name.strip())[:100]
    if isinstance(timezone, str):
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"unknown timezone {timezone!r}", field="profile.timezone") from None
        user.timezone = timezone


def _row_in(
    section: Section, raw: Any, where: str, ids: dict[str, dict[int, Any]], user: User
) -> Any:
    if not isinstance(raw, dict):
        raise Invalid("expected an object", field=where)
    users = _user_columns(section.model)
    tasks = ids.get("tasks", {})
    values: dict[str, Any] = {}
    for column in section.model.__table__.columns:
        name = column.name
        attribute = _attribute(section.model, name)
        if name in ("id", "version"):
            continue
        if name == "team_id":
            values[attribute] = None
            continue
        if name in section.refs:
            target = ids[section.refs[name]]
            ref = raw.get(name)
            if ref is None and column.nullable:
                values[attribute] = None
            elif isinstance(ref, int) and ref in target:
                values[attribute] = target[ref]
            else:
                raise Invalid(f"no {section.refs[name]} with ref {ref!r}", field=f"{where}.{name}")
            continue
        if name in users:
            values[attribute] = user.id if name == "user_id" or raw.get(name) == SELF else None
            if values[attribute] is None and not column.nullable:
                values[attribute] = user.id
            continue
        if name not in raw:
            if not column.nullable and column.default is None and column.server_default is None:
                raise Invalid("required", field=f"{where}.{name}")
            continue
        value = _value(column, raw[name], f"{where}.{name}")
        if isinstance(column.type, JSON):
            value = _remap(value, tasks.get, name)
        values[attribute] = value
    try:
        return section.model(**values)
    except (TypeError, ValueError) as exc:  # pragma: no cover - the checks above come first
        raise Invalid(str(exc), field=where) from None


def _value(column: Any, value: Any, where: str) -> Any:
    kind = column.type
    if value is None:
        if not column.nullable:
            raise Invalid("must not be null", field=where)
        return None
    try:
        if isinstance(kind, UTCDateTime):
            moment = datetime.fromisoformat(str(value))
            if moment.tzinfo is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise ValueError
            return moment
        if isinstance(kind, Date):
            return date.fromisoformat(str(value))
        if isinstance(kind, Enum):
            if value not in kind.enums:
                raise Invalid(f"one of {', '.join(kind.enums)}", field=where)
            return value
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError
            return value
        if isinstance(kind, Integer):
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**31:
                raise ValueError
            return value
        if isinstance(kind, String | Text):
            if not isinstance(value, str):
                raise ValueError
            text_clean(value)
            if kind.length is not None and len(value) > kind.length:
                raise Invalid(f"at most {kind.length} characters", field=where)
            return value
    except ValueError:
        raise Invalid(
            f"{value!r} is not a valid {kind.python_type.__name__}", field=where
        ) from None
    return value  # JSON: as it came
