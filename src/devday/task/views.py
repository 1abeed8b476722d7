"""What the task API shows of a task beyond its columns: its tags, dependencies and logged
time (read for a whole page at once), its priority label and its notes as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from devday import importance, markdown
from devday.readmodel import RowView
from devday.task import service
from devday.task.models import Task
from devday.worklog import service as worklog_service


@dataclass(frozen=True)
class TaskRow(RowView):
    """A task as ``TaskRead`` shows it."""

    row: Task
    tags: list[str]
    depends_on: list[int]
    actual_minutes: int

    @property
    def priority(self) -> str:
        return importance.label(self.row.importance)

    @property
    def notes_html(self) -> str:
        return markdown.render(self.row.notes)

    @property
    def deadline(self) -> datetime | None:
        return self.row.deadline_at

    @property
    def earliest_start(self) -> datetime | None:
        return self.row.earliest_start_at


def task_rows(session: Session, tasks: Sequence[Task], now: datetime) -> list[TaskRow]:
    """``tasks`` with their tags, dependencies and logged time, in three queries for the lot;
    a running timer counts up to ``now``."""
    ids = [t.id for t in tasks]
    tags = service.tags_of(session=session, task_ids=ids)
    deps = service.dependencies_of(session=session, task_ids=ids)
    actual = worklog_service.actual_minutes(session=session, task_ids=ids, now=now)
    return [
        TaskRow(row=t, tags=tags[t.id], depends_on=deps[t.id], actual_minutes=actual[t.id])
        for t in tasks
    ]
