"""What the imports share: projects found by name, tags cleaned, external ids, durations."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Invalid
from devday.input_rules import without_controls
from devday.project.models import Project
from devday.task.models import Task, TaskDependency, TaskTag
from devday.transfer.models import ExternalTaskId

_TAG = re.compile(r"^[\w][\w.\-/]{0,49}$")
_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
TITLE_MAX = 300


@dataclass
class ImportReport:
    """What an import did, counted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    skipped_reasons: list[str] = field(default_factory=list)
    projects_created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        """Counts a record left out, and why (``where: why``)."""
        self.skipped += 1
        self.skipped_reasons.append(reason)


class Projects:
    """The user's personal projects by name; a name not seen yet makes a project."""

    def __init__(self, session: Session, user: User, report: ImportReport) -> None:
        self.session = session
        self.user = user
        self.report = report
        rows = session.scalars(select(Project).where(Project.owner_id == user.id)).all()
        self.by_name = {project.name: project for project in rows}

    def get(self, name: str) -> Project:
        name = without_controls(name, lines=False).strip()[:100]
        found = self.by_name.get(name)
        if found is None:
            found = Project(name=name, owner_id=self.user.id)
            self.session.add(found)
            self.session.flush()
            self.by_name[name] = found
            self.report.projects_created.append(name)
        return found


def clean_tag(raw: str, where: str) -> str:
    tag = raw.strip().lstrip("#").lower()
    if not _TAG.match(tag):
        raise Invalid(f"tag {raw!r}: letters, digits and . - / _ only, at most 50", field=where)
    return tag


def title_and_rest(text: str) -> tuple[str, str]:
    """A title that fits (one line, at most ``TITLE_MAX``) and what did not fit, for the notes."""
    text = without_controls(text, lines=True).strip()
    first, _, rest = text.partition("\n")
    first = " ".join(first.split())
    if len(first) > TITLE_MAX:
        return first[: TITLE_MAX - 1] + "…", text
    return first, rest.strip()


def set_tags(session: Session, task: Task, tags: list[str], *, new: bool = False) -> bool:
    """Gives ``task`` exactly ``tags`` (``new``: it has none yet); whether anything changed."""
    have = (
        set()
        if new
        else set(session.scalars(select(TaskTag.tag).where(TaskTag.task_id == task.id)))
    )
    want = set(tags)
    if have == want:
        return False
    for tag in have - want:
        row = session.get(TaskTag, (task.id, tag))
        if row is not None:
            session.delete(row)
    session.add_all(TaskTag(task_id=task.id, tag=tag) for tag in sorted(want - have))
    return True


def external_ids(session: Session, user: User, system: str) -> dict[str, int]:
    """The user's tasks by their id in ``system``."""
    rows = session.execute(
        select(ExternalTaskId.external_id, ExternalTaskId.task_id).where(
            ExternalTaskId.owner_id == user.id, ExternalTaskId.system == system
        )
    )
    return {external: task_id for external, task_id in rows}


def minutes_of(value: object, where: str) -> int | None:
    """Minutes from a number of minutes or an ISO 8601 duration (``PT1H30M``); None for none."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid("use minutes or a duration such as PT1H30M", field=where)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise Invalid("use minutes or a duration such as PT1H30M", field=where)
        minutes = round(value)
    else:
        text = str(value).strip().upper()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            minutes = round(float(text))
        else:
            found = _DURATION.match(text)
            if found is None or text in ("P", "PT"):
                raise Invalid(
                    f"{value!r} is not a duration: use minutes or one such as PT1H30M",
                    field=where,
                )
            parts = {k: int(v) for k, v in found.groupdict(default="0").items()}
            seconds = (
                parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60
            ) + parts["seconds"]
            minutes = round(seconds / 60)
    if minutes <= 0:
        return None
    return min(minutes, 100_000)


def duration_of(minutes: int) -> str:
    """``PT1H30M`` for 90 minutes."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def check_acyclic(session: Session, user: User, field: str) -> None:
    """Raises Invalid naming a cycle if the user's task dependencies now make one: the planner
    needs an order in which each task comes after what it depends on."""
    edges = session.execute(
        select(TaskDependency.task_id, TaskDependency.depends_on_id)
        .join(Task, Task.id == TaskDependency.task_id)
        .where(Task.owner_id == user.id)
    ).all()
    graph: dict[int, list[int]] = {}
    for task_id, other in edges:
        graph.setdefault(task_id, []).append(other)
    state: dict[int, int] = {}  # 1 on the current path, 2 done
    for start in graph:
        if state.get(start):
            continue
        path, stack = [start], [iter(graph.get(start, []))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                cycle = [*path[path.index(following) :], following]
                titles = dict(
                    session.execute(select(Task.id, Task.title).where(Task.id.in_(cycle))).all()
                )
                named = " → ".join(repr(titles.get(step, step)) for step in cycle)
                raise Invalid(f"the dependencies make a cycle: {named}", field=field)
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(graph.get(following, [])))
