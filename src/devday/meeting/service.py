"""Meetings: today's meeting of a team (stored by its first change), its items, closing it with the
summary to the team's channels, and reassigning a task between members.

Every member of the team sees its meetings and adds notes, decisions and action items; only
owners and managers close a meeting, because that sends the summary to the team's channels
(who manages the channels decides what goes out on them). Anyone else gets NotFound.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Conflict, Forbidden, Invalid, NotFound
from devday.meeting import agenda as agenda_module
from devday.meeting import sources
from devday.meeting import summary as summary_module
from devday.meeting.models import ItemKind, Meeting, MeetingItem, MeetingStatus
from devday.meeting.schemas import MAX_TITLE, ItemCreate
from devday.notify import service as notify_service
from devday.planning import live
from devday.planning import service as planning_service
from devday.task import service as task_service
from devday.task.models import Kind, Source, Task
from devday.task.schemas import TaskCreate, TaskUpdate
from devday.team import service as team_service
from devday.team.models import Role, Team

MANAGING = team_service.MANAGING_ROLES
LIST_LIMIT = 60


def can_close(role: Role) -> bool:
    return role in MANAGING


def is_current(meeting: Meeting, team: Team, now: datetime) -> bool:
    """Whether the meeting is today's and still open: only then is its agenda built."""
    return (
        meeting.status == MeetingStatus.open
        and meeting.meeting_date == agenda_module.team_today(team, now)
    )


def today_meeting(
    *, session: Session, user: User, team_id: int, now: datetime
) -> tuple[Meeting, Team, Role]:
    """The team's meeting of its local today. Reads only: until a change stores it (see
    ``open_today``), this is the meeting as it will be stored, with ``id`` None."""
    team, role = team_service.get_team(session=session, user=user, team_id=team_id)
    return meeting_for_day(session=session, team=team, now=now), team, role


def open_today(
    *, session: Session, user: User, team_id: int, now: datetime
) -> tuple[Meeting, Team, Role]:
    """The team's meeting of its local today, stored now if it was not yet."""
    team, role = team_service.get_team(session=session, user=user, team_id=team_id)
    return open_for_day(session=session, team=team, now=now), team, role


def meeting_for_day(*, session: Session, team: Team, now: datetime) -> Meeting:
    """Today's meeting of ``team`` as stored, or, not stored yet, a new one left out of the
    session (``id`` None): a read never writes."""
    day = agenda_module.team_today(team, now)
    stored = session.scalar(
        select(Meeting).where(Meeting.team_id == team.id, Meeting.meeting_date == day)
    )
    return stored if stored is not None else Meeting(**_new_meeting(team, day, now))


def _new_meeting(team: Team, day: date, now: datetime) -> dict[str, object]:
    return {
        "team_id": team.id,
        "meeting_date": day,
        "starts_at": agenda_module.starts_at(team, day),
        "status": MeetingStatus.open,
        "created_at": now,
        "attendee_ids": [],
        "away_ids": [],
        "summary_markdown": "",
        "sent_to": 0,
        "version": 1,
    }


def open_for_day(*, session: Session, team: Team, now: datetime) -> Meeting:
    """Today's meeting row of ``team``, stored if it was not yet; two at once still make one."""
    day = agenda_module.team_today(team, now)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(Meeting)
        .values(**_new_meeting(team, day, now))
        .on_conflict_do_nothing(index_elements=["team_id", "meeting_date"])
    )
    meeting = session.scalar(
        select(Meeting).where(Meeting.team_id == team.id, Meeting.meeting_date == day)
    )
    assert meeting is not None  # inserted above, or already there
    return meeting


def get_meeting(*, session: Session, user: User, meeting_id: int) -> tuple[Meeting, Team, Role]:
    """A meeting of one of the caller's teams; NotFound for any other."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("meeting not found")
    member = team_service.membership(session=session, team_id=meeting.team_id, user_id=user.id)
    team = session.get(Team, meeting.team_id)
    if member is None or team is None:
        raise NotFound("meeting not found")
    return meeting, team, member.role


def list_meetings(*, session: Session, user: User, team_id: int) -> list[tuple[Meeting, int]]:
    """The team's meetings, the newest first, with how many items each has."""
    team_service.get_team(session=session, user=user, team_id=team_id)
    counts = (
        select(MeetingItem.meeting_id, func.count().label("n"))
        .group_by(MeetingItem.meeting_id)
        .subquery()
    )
    rows = session.execute(
        select(Meeting, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
        .where(Meeting.team_id == team_id)
        .order_by(Meeting.meeting_date.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [(meeting, int(n)) for meeting, n in rows]


def items_of(*, session: Session, meeting_id: int | None) -> list[MeetingItem]:
    """The meeting's items, the oldest first; none for a meeting not stored yet."""
    if meeting_id is None:
        return []
    return list(
        session.scalars(
            select(MeetingItem)
            .where(MeetingItem.meeting_id == meeting_id)
            .order_by(MeetingItem.created_at, MeetingItem.id)
        )
    )


def build_agenda(*, session: Session, meeting: Meeting, now: datetime) -> agenda_module.Agenda:
    return agenda_module.build_agenda(session=session, meeting=meeting, now=now)


def add_item(
    *, session: Session, user: User, meeting_id: int, data: ItemCreate, now: datetime
) -> MeetingItem:
    """Adds a note, a decision or an action item to an open meeting. An action item becomes a
    team task (source ``meeting``) owned by the caller and assigned to the member named."""
    meeting, team, _role = get_meeting(session=session, user=user, meeting_id=meeting_id)
    _require_open(meeting)
    text = data.text.strip()
    _check_item(data, text)
    item = MeetingItem(meeting_id=meeting.id, kind=data.kind, author_id=user.id, created_at=now)
    if data.kind == ItemKind.action:
        assert data.assignee_id is not None  # the schema requires it
        task = _action_task(session, user, meeting, team, data, text, now)
        item.task_id = task.id
    item.text = text
    session.add(item)
    session.flush()
    return item


def _check_item(data: ItemCreate, text: str) -> None:
    if data.kind != ItemKind.action:
        for name in ("assignee_id", "deadline"):
            if getattr(data, name) is not None:
                raise Invalid("only action items take an assignee and a deadline", field=name)
        return
    if len(text) > MAX_TITLE:
        raise Invalid(
            f"an action item becomes a task title: {MAX_TITLE} characters at most", field="text"
        )
    if data.assignee_id is None:
        raise Invalid("an action item needs an assignee (a team member)", field="assignee_id")
    if data.deadline is None:
        raise Invalid("an action item needs a deadline", field="deadline")


def _action_task(
    session: Session,
    user: User,
    meeting: Meeting,
    team: Team,
    data: ItemCreate,
    title: str,
    now: datetime,
) -> Task:
    assert data.assignee_id is not None
    if team_service.membership(session=session, team_id=team.id, user_id=data.assignee_id) is None:
        raise Invalid(
            f"user {data.assignee_id} is not a member of {team.name}", field="assignee_id"
        )
    task = task_service.create_task(
        session=session,
        user=user,
        data=TaskCreate(
            title=title,
            notes=f"Action item from the {team.name} meeting on "
            f"{meeting.meeting_date.strftime('%a %d %b %Y')}.",
            importance=data.importance,
            deadline=data.deadline,
            estimate_minutes=data.estimate_minutes,
            kind=Kind.other,
            source=Source.meeting,
        ),
        now=now,
    )
    # A team task without a project: the team sees it and may take it over, as with the
    # tasks of its projects.
    task.team_id = team.id
    session.flush()
    if data.assignee_id != task.assignee_id:
        task = task_service.update_task(
            session=session,
            user=user,
            task_id=task.id,
            data=TaskUpdate(assignee_id=data.assignee_id),
            version=task.version,
            now=now,
        )
    return task


def delete_item(*, session: Session, user: User, meeting_id: int, item_id: int) -> None:
    """Removes an item from an open meeting (its author, or an owner or manager). An action
    item's task stays: it may already be under way."""
    meeting, _team, role = get_meeting(session=session, user=user, meeting_id=meeting_id)
    item = session.get(MeetingItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound("item not found")
    _require_open(meeting)
    if item.author_id != user.id and role not in MANAGING:
        raise Forbidden("only its author or the team's owners and managers remove an item")
    session.delete(item)
    session.flush()


def close(
    *, session: Session, user: User, meeting_id: int, version: int | None, now: datetime
) -> Meeting:
    """Closes the meeting and queues its summary for each of the team's channels (once: the
    outbox dedupes on the meeting)."""
    meeting, team, role = get_meeting(session=session, user=user, meeting_id=meeting_id)
    if not can_close(role):
        raise Forbidden("only the team's owners and managers close the meeting")
    if version is not None:
        check_version(meeting.version, version, "this meeting")
    _require_open(meeting)
    members = agenda_module.members_of(session=session, team_id=team.id)
    away = sources.away(
        session=session, user_ids=[m.user.id for m in members], day=meeting.meeting_date
    )
    items = items_of(session=session, meeting_id=meeting.id)
    tasks = _tasks(session, items)
    names = {m.user.id: m.user.name for m in members}
    text = summary_module.render(
        team=team,
        meeting=meeting,
        attendees=[m.user.name for m in members if m.user.id not in away],
        away=[m.user.name for m in members if m.user.id in away],
        items=items,
        tasks=tasks,
        names=names,
    )
    meeting.status = MeetingStatus.closed
    meeting.closed_at = now
    meeting.closed_by_id = user.id
    meeting.attendee_ids = [m.user.id for m in members if m.user.id not in away]
    meeting.away_ids = sorted(away)
    meeting.summary_markdown = text
    channels = notify_service.channels_for_team(session=session, team_id=team.id)
    messages = notify_service.enqueue(
        session=session,
        channels=channels,
        subject=f"{team.name} meeting, {meeting.meeting_date.strftime('%a %d %b')}",
        text=text,
        html=summary_module.html(text),
        payload={
            "type": "meeting.summary",
            "team_id": team.id,
            "meeting_id": meeting.id,
            "date": meeting.meeting_date.isoformat(),
        },
        now=now,
        dedupe_key=f"meeting:{meeting.id}",
    )
    meeting.sent_to = len(messages)
    flush_versioned(session, "this meeting")
    return meeting


def _tasks(session: Session, items: list[MeetingItem]) -> dict[int, Task]:
    ids = [i.task_id for i in items if i.task_id is not None]
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(ids)))}


def tasks_of(*, session: Session, items: list[MeetingItem]) -> dict[int, Task]:
    return _tasks(session, items)


def reassign(
    *,
    session: Session,
    user: User,
    meeting_id: int,
    task_id: int,
    assignee_id: int,
    now: datetime,
) -> tuple[Task, int | None, dict[int, int], MeetingItem | None]:
    """Gives a team task to another member through the task service, then re-plans both.

    Allowed to the task's current assignee (giving it away) and to owners and managers. In an
    open meeting the change is recorded as a decision. Returns the task, who had it, each
    one's late tasks after re-planning, and the decision item.
    """
    meeting, team, role = get_meeting(session=session, user=user, meeting_id=meeting_id)
    try:
        task = task_service.get_task(session=session, user=user, task_id=task_id)
    except NotFound:
        raise Invalid(f"task {task_id} not found", field="task_id") from None
    if task.team_id != team.id:
        raise Invalid(f"task {task_id} is not a task of {team.name}", field="task_id")
    if role not in MANAGING and task.assignee_id != user.id:
        raise Forbidden("only the task's assignee or the team's owners and managers reassign it")
    if assignee_id == task.assignee_id:
        raise Invalid("the task is already assigned to them", field="assignee_id")
    previous = task.assignee_id
    task = task_service.update_task(
        session=session,
        user=user,
        task_id=task.id,
        data=TaskUpdate(assignee_id=assignee_id),
        version=task.version,
        now=now,
    )
    late: dict[int, int] = {}
    live.settle(session, now)  # both plans re-planned now, to count what is late in them
    for uid in (previous, assignee_id):
        person = session.get(User, uid) if uid is not None else None
        if person is None:
            continue
        plan = planning_service.find_plan(
            session=session, user=person, plan_date=now.astimezone(_zone(person)).date()
        )
        if plan is None:
            day = now.astimezone(_zone(person)).date()
            plan = planning_service.build_plan(session=session, user=person, plan_date=day, now=now)
        late[person.id] = len(plan.late)
    item = None
    if meeting.status == MeetingStatus.open:
        names = _names(session, [uid for uid in (previous, assignee_id) if uid is not None])
        giver = names.get(previous or 0, "no one")
        item = MeetingItem(
            meeting_id=meeting.id,
            kind=ItemKind.decision,
            text=f"Reassigned '{task.title}' (#{task.id}) from {giver} to {names[assignee_id]}.",
            author_id=user.id,
            task_id=task.id,
            created_at=now,
        )
        session.add(item)
        session.flush()
    return task, previous, late, item


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.timezone)


def _names(session: Session, user_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()
    return {uid: name for uid, name in rows}


def names_of(*, session: Session, user_ids: list[int]) -> dict[int, str]:
    return _names(session, list(set(user_ids)))


def meeting_on(*, session: Session, user: User, team_id: int, day: date) -> Meeting:
    """The team's meeting of ``day``; NotFound if none was held."""
    team_service.get_team(session=session, user=user, team_id=team_id)
    meeting = session.scalar(
        select(Meeting).where(Meeting.team_id == team_id, Meeting.meeting_date == day)
    )
    if meeting is None:
        raise NotFound(f"no meeting on {day.isoformat()}")
    return meeting


def _require_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.open:
        raise Conflict("the meeting is closed", field="meeting")
