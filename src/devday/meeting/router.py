"""The daily meeting: /api/v1/teams/{team_id}/meetings and /api/v1/meetings/{meeting_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.meeting import service
from devday.meeting.schemas import (
    ItemCreate,
    ItemRead,
    MeetingClose,
    MeetingListItem,
    MeetingRead,
    Reassign,
    ReassignRead,
)
from devday.meeting.views import ItemRow, item_rows, meeting_read

router = APIRouter(prefix="/api/v1", tags=["meetings"])


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
    """Today's meeting of the team (its local today), with the agenda built from the team's
    data now: submitted standups, open blockers, deadlines at risk in each member's plan with
    the planner's reason, open incidents, last meeting's action items and reassignments that
    would save a deadline. Until its first change stores it, its `id` is null: open it with
    `POST` on this path to get one."""
    now = clock.now()
    meeting, team, role = service.today_meeting(
        session=session, user=user, team_id=team_id, now=now
    )
    response.headers["ETag"] = etag(meeting.version)
    return meeting_read(session, meeting, team, role, now)


@router.post("/teams/{team_id}/meetings/today", response_model=MeetingRead)
def open_today(
    team_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> MeetingRead:
    """Open today's meeting of the team: stored if it was not yet (safe to repeat), with its
    `id` for adding items, reassigning and closing."""
    now = clock.now()
    meeting, team, role = service.open_today(session=session, user=user, team_id=team_id, now=now)
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
) -> ItemRow:
    """Add a note (Markdown), a decision, or an action item to an open meeting. An action item
    needs an `assignee_id` (a team member) and a `deadline`; it becomes a task."""
    item = service.add_item(
        session=session, user=user, meeting_id=meeting_id, data=data, now=clock.now()
    )
    session.commit()
    return item_rows(session, [item])[0]


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
