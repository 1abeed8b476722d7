"""What the meeting API and the meeting page show: items with their task as it stands and the
names of the people in them, the agenda, and the meeting itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from devday import markdown
from devday.meeting import service
from devday.meeting.models import ItemKind, Meeting, MeetingItem
from devday.meeting.schemas import AgendaRead, ItemRead, MeetingRead
from devday.readmodel import RowView
from devday.task.models import Task
from devday.team.models import Role, Team


@dataclass(frozen=True)
class ItemRow(RowView):
    """A meeting item as ``ItemRead`` shows it: an action item's task, names resolved."""

    row: MeetingItem
    task: Task | None
    names: dict[int, str]

    @property
    def html(self) -> str:
        return markdown.render(self.row.text)

    @property
    def author(self) -> str:
        return self.names.get(self.row.author_id or 0, "")

    @property
    def task_status(self) -> str | None:
        return self.task.status.value if self.task is not None else None

    @property
    def _action_task(self) -> Task | None:
        return self.task if self.row.kind == ItemKind.action else None

    @property
    def assignee_id(self) -> int | None:
        task = self._action_task
        return task.assignee_id if task is not None else None

    @property
    def assignee(self) -> str | None:
        task = self._action_task
        return self.names.get(task.assignee_id or 0) if task is not None else None

    @property
    def deadline(self) -> datetime | None:
        task = self._action_task
        return task.deadline_at if task is not None else None


def item_rows(session: Session, items: list[MeetingItem]) -> list[ItemRow]:
    """``items`` with their tasks and the names they mention, in two queries for the lot."""
    tasks = service.tasks_of(session=session, items=items)
    people = [i.author_id for i in items if i.author_id] + [
        t.assignee_id for t in tasks.values() if t.assignee_id
    ]
    names = service.names_of(session=session, user_ids=people)
    return [
        ItemRow(row=item, task=tasks.get(item.task_id) if item.task_id else None, names=names)
        for item in items
    ]


def items_read(session: Session, items: list[MeetingItem]) -> list[ItemRead]:
    return [ItemRead.model_validate(row) for row in item_rows(session, items)]


def agenda_read(session: Session, meeting: Meeting, team: Team, now: datetime) -> AgendaRead | None:
    """The agenda, built now, while the meeting is today's and open; None otherwise."""
    if not service.is_current(meeting, team, now):
        return None
    agenda = service.build_agenda(session=session, meeting=meeting, now=now)
    return AgendaRead.model_validate(agenda)


def meeting_read(
    session: Session, meeting: Meeting, team: Team, role: Role, now: datetime
) -> MeetingRead:
    return MeetingRead(
        id=meeting.id,
        team_id=team.id,
        team=team.name,
        date=meeting.meeting_date,
        starts_at=meeting.starts_at,
        status=meeting.status,
        my_role=role.value,
        can_close=service.can_close(role),
        items=items_read(session, service.items_of(session=session, meeting_id=meeting.id)),
        agenda=agenda_read(session, meeting, team, now),
        closed_at=meeting.closed_at,
        attendee_ids=[int(i) for i in meeting.attendee_ids],
        away_ids=[int(i) for i in meeting.away_ids],
        summary=meeting.summary_markdown,
        sent_to=meeting.sent_to,
        version=meeting.version,
    )
