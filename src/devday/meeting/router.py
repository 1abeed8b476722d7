"""The daily meeting: /api/v1/teams/{team_id}/meetings and /api/v1/meetings/{meeting_id}."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from sqlalchemy.orm import Session

from devday import markdown
from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.meeting import service
from devday.meeting.agenda import Agenda
from devday.meeting.models import ItemKind, Meeting, MeetingItem
from devday.meeting.schemas import (
    AgendaRead,
    AtRiskRead,
    BlockerRead,
    IncidentRead,
    ItemCreate,
    ItemRead,
    MeetingClose,
    MeetingListItem,
    MeetingRead,
    PersonRead,
    PreviousActionRead,
    Reassign,
    ReassignRead,
    StandupRead,
    SuggestionRead,
)
from devday.team.models import Role, Team

router = APIRouter(prefix="/api/v1", tags=["meetings"])


def items_read(session: Session, items: list[MeetingItem]) -> list[ItemRead]:
    tasks = service.tasks_of(session=session, items=items)
    people = [i.author_id for i in items if i.author_id] + [
        t.assignee_id for t in tasks.values() if t.assignee_id
    ]
    names = service.names_of(session=session, user_ids=people)
    out = []
    for item in items:
        task = tasks.get(item.task_id) if item.task_id is not None else None
        is_action = item.kind == ItemKind.action
        out.append(
            ItemRead(
                id=item.id,
                kind=item.kind,
                text=item.text,
                html=markdown.render(item.text),
                author_id=item.author_id,
                author=names.get(item.author_id or 0, ""),
                task_id=item.task_id,
                task_status=task.status.value if task is not None else None,
                assignee_id=task.assignee_id if task is not None and is_action else None,
                assignee=names.get(task.assignee_id or 0)
                if task is not None and is_action
                else None,
                deadline=task.deadline_at if task is not None and is_action else None,
                created_at=item.created_at,
            )
        )
    return out


def agenda_read(agenda: Agenda) -> AgendaRead:
    names = {m.user.id: m.user.name for m in agenda.members}
    return AgendaRead(
        people=[
            PersonRead(
                user_id=m.user.id,
                name=m.user.name,
                role=m.role.value,
                away=m.user.id in agenda.away,
            )
            for m in agenda.members
        ],
        standups=[
            StandupRead(
                user_id=s.user_id,
                name=names.get(s.user_id, ""),
                yesterday=s.yesterday,
                today=s.today,
                blockers=s.blockers,
                submitted_at=s.submitted_at,
            )
            for s in agenda.standups
        ],
        missing_standups=agenda.missing_standups,
        blockers=[
            BlockerRead(
                id=b.id,
                user_id=b.user_id,
                name=names.get(b.user_id, ""),
                text=b.text,
                opened_on=b.opened_on,
                age_days=b.age_days,
                flagged=b.flagged,
                task_id=b.task_id,
            )
            for b in agenda.blockers
        ],
        at_risk=[
            AtRiskRead(
                task_id=r.task_id,
                title=r.title,
                user_id=r.user_id,
                name=names.get(r.user_id, ""),
                deadline=r.deadline,
                finish=r.finish,
                reason=r.reason,
            )
            for r in agenda.at_risk
        ],
        other_late=agenda.other_late,
        incidents=[
            IncidentRead(
                id=i.id,
                summary=i.summary,
                problem=i.problem,
                severity=i.severity,
                opened_at=i.opened_at,
                task_id=i.task_id,
            )
            for i in agenda.incidents
        ],
        previous_actions=[
            PreviousActionRead(
                item_id=a.item_id,
                meeting_date=a.meeting_date,
                title=a.title,
                task_id=a.task_id,
                status=a.status,
                assignee_id=a.assignee_id,
                assignee=names.get(a.assignee_id or 0),
                deadline=a.deadline,
            )
            for a in agenda.previous_actions
        ],
        suggestions=[
            SuggestionRead(
                task_id=s.task_id,
                title=s.title,
                deadline=s.deadline,
                from_user_id=s.from_user_id,
                from_name=s.from_name,
                to_user_id=s.to_user_id,
                to_name=s.to_name,
                finish=s.finish,
                saved=s.saved,
                reason=s.reason,
            )
            for s in agenda.suggestions
        ],
    )


def meeting_read(
    session: Session, meeting: Meeting, team: Team, role: Role, now: datetime
) -> MeetingRead:
    agenda = None
    if service.is_current(meeting, team, now):
        agenda = agenda_read(service.build_agenda(session=session, meeting=meeting, now=now))
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
        agenda=agenda,
        closed_at=meeting.closed_at,
        attendee_ids=[int(i) for i in meeting.attendee_ids],
        away_ids=[int(i) for i in meeting.away_ids],
        summary=meeting.summary_markdown,
        sent_to=meeting.sent_to,
        version=meeting.version,
    )


@router.get("/teams/{team_id}/meetings", response_model=list[MeetingListItem])
def list_meetings(team_id: IdPath, user: CurrentUser, session: SessionDep) -> list[MeetingListItem]:
    """The team's meetings, the newest first (members only)."""
    rows = service.list_meetings(session=session, user=user, team_id=team_id)
    return [
        MeetingListItem(
            id=m.id, date=m.meeting_date, status=m.status, closed_at=m.closed_at, items=n
        )
        for m, n in rows
    ]


@router.get("/teams/{team_id}/meetings/today", response_model=MeetingRead)
def today(
    team_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> MeetingRead:
    """Today's meeting of the team (its local today), made on first view, with the agenda built
    from the team's data now: submitted standups, open blockers, deadlines at risk in each
    member's plan with the planner's reason, open incidents, last meeting's action items and
    reassignments that would save a deadline."""
    now = clock.now()
    meeting, team, role = service.today_meeting(
        session=session, user=user, team_id=team_id, now=now
    )
    session.commit()
    response.headers["ETag"] = etag(meeting.version)
    return meeting_read(session, meeting, team, role, now)


@router.get("/meetings/{meeting_id}", response_model=MeetingRead)
def read_meeting(
    meeting_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> MeetingRead:
    """One meeting: its items, and its agenda while it is open or its summary once closed."""
    meeting, team, role = service.get_meeting(session=session, user=user, meeting_id=meeting_id)
    response.headers["ETag"] = etag(meeting.version)
    return meeting_read(session, meeting, team, role, clock.now())


@router.post(
    "/meetings/{meeting_id}/items", status_code=status.HTTP_201_CREATED, response_model=ItemRead
)
def add_item(
    meeting_id: IdPath, data: ItemCreate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> ItemRead:
    """Add a note (Markdown), a decision, or an action item to an open meeting. An action item
    needs an `assignee_id` (a team member) and a `deadline`; it becomes a task."""
    item = service.add_item(
        session=session, user=user, meeting_id=meeting_id, data=data, now=clock.now()
    )
    session.commit()
    return items_read(session, [item])[0]


@router.delete(
    "/meetings/{meeting_id}/items/{meeting_item_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_item(
    meeting_id: IdPath, meeting_item_id: IdPath, user: CurrentUser, session: SessionDep
) -> Response:
    """Remove an item from an open meeting (its author, owners, managers); an action item's task
    stays."""
    service.delete_item(session=session, user=user, meeting_id=meeting_id, item_id=meeting_item_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/meetings/{meeting_id}/close", response_model=MeetingRead)
def close_meeting(
    meeting_id: IdPath,
    data: MeetingClose,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> MeetingRead:
    """Close the meeting (owners and managers) and send its summary (attendees and who was
    away, decisions, action items with owners and deadlines, notes) to the team's channels
    through the outbox. A version (If-Match or `version`) is checked when sent."""
    version = (
        expected_version(if_match, data.version)
        if if_match is not None or data.version is not None
        else None
    )
    now = clock.now()
    meeting = service.close(
        session=session, user=user, meeting_id=meeting_id, version=version, now=now
    )
    session.commit()
    meeting, team, role = service.get_meeting(session=session, user=user, meeting_id=meeting.id)
    response.headers["ETag"] = etag(meeting.version)
    return meeting_read(session, meeting, team, role, now)


@router.post("/meetings/{meeting_id}/reassign", response_model=ReassignRead)
def reassign(
    meeting_id: IdPath, data: Reassign, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> ReassignRead:
    """Give a team task to another member (the task's assignee, owners and managers) and
    re-plan both; in an open meeting the change is recorded as a decision."""
    task, previous, late, item = service.reassign(
        session=session,
        user=user,
        meeting_id=meeting_id,
        task_id=data.task_id,
        assignee_id=data.assignee_id,
        now=clock.now(),
    )
    session.commit()
    return ReassignRead(
        task_id=task.id,
        from_user_id=previous,
        to_user_id=data.assignee_id,
        late=late,
        item_id=item.id if item is not None else None,
    )
