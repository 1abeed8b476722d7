"""Standups, blockers and leave: /api/v1/teams/{id}/standups, /blockers, /leave."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import etag
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.errors import Invalid
from devday.isodate import IsoDate
from devday.standup import leave as leave_service
from devday.standup import service
from devday.standup.models import Blocker, Leave, Standup, StandupStatus
from devday.standup.schemas import (
    BlockerItem,
    BlockerRead,
    LeaveCreate,
    LeaveRead,
    MemberStandup,
    MyStandup,
    StandupRead,
    StandupWrite,
    TeamStandups,
)

router = APIRouter(prefix="/api/v1", tags=["standups"])
DayQuery = Annotated[
    IsoDate | None, Query(description="The team's local date, YYYY-MM-DD; default: its today")
]


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(user_ids)))}


def blocker_reads(session: Session, blockers: list[Blocker]) -> list[BlockerRead]:
    names = _names(session, {b.user_id for b in blockers})
    return [
        BlockerRead(
            id=b.id,
            team_id=b.team_id,
            user_id=b.user_id,
            user_name=names.get(b.user_id, ""),
            text=b.text,
            opened_on=b.opened_on,
            task_id=b.task_id,
            resolved_at=b.resolved_at,
            flagged_at=b.flagged_at,
        )
        for b in blockers
    ]


def standup_read(standup: Standup, name: str) -> StandupRead:
    return StandupRead(
        id=standup.id,
        team_id=standup.team_id,
        user_id=standup.user_id,
        user_name=name,
        day=standup.day,
        yesterday=standup.yesterday,
        today=standup.today,
        blockers=standup.blockers,
        status=standup.status,
        submitted_at=standup.submitted_at,
        updated_at=standup.updated_at,
        version=standup.version,
    )


def mine_read(mine: service.Mine) -> MyStandup:
    stored = mine.stored
    return MyStandup(
        team_id=mine.team.id,
        day=mine.day,
        stored=stored is not None,
        status=stored.status if stored else StandupStatus.draft,
        version=stored.version if stored else 0,
        yesterday=mine.yesterday,
        today=mine.today,
        blockers=mine.blockers,
        submitted_at=stored.submitted_at if stored else None,
        previous_day=mine.draft.previous_day,
        draft={
            "yesterday": mine.draft.yesterday,
            "today": mine.draft.today,
            "blockers": mine.draft.blockers,
        },
        blocker_items=[
            BlockerItem(
                text=i.text,
                task_id=i.task_id,
                blocker_id=i.blocker_id,
                opened_on=i.opened_on,
                flagged=i.flagged,
            )
            for i in mine.draft.blocker_items
        ],
        away=mine.away,
        meeting_at=service.meeting_at(mine.team, mine.day),
    )


@router.get("/teams/{team_id}/standups", response_model=TeamStandups)
def team_standups(
    team_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, day: DayQuery = None
) -> TeamStandups:
    """The team's standups on a day: each member's state (submitted, draft, missing, or away
    on leave) with the submitted standups, and the team's open blockers. Members only."""
    view = service.team_day(session=session, user=user, team_id=team_id, day=day, now=clock.now())
    return TeamStandups(
        team_id=view.team.id,
        day=view.day,
        timezone=view.team.timezone,
        meeting_at=view.meeting_at,
        members=[
            MemberStandup(
                user_id=m.user.id,
                name=m.user.name,
                role=m.role.value,
                state=m.state,
                standup=standup_read(m.standup, m.user.name)
                if m.standup is not None and m.state == "submitted"
                else None,
            )
            for m in view.members
        ],
        open_blockers=blocker_reads(session, view.open_blockers),
    )


@router.get("/teams/{team_id}/standups/mine", response_model=MyStandup)
def my_standup(
    team_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    day: DayQuery = None,
) -> MyStandup:
    """Your standup for the team's day: what you stored, or a draft from your data (yesterday's
    finished work and time, your goals and what you said you would do; today's plan; blockers
    carried from before and tasks waiting on others or on overdue work). The ETag is the
    version to send back (0 while nothing is stored)."""
    mine = service.get_mine(session=session, user=user, team_id=team_id, day=day, now=clock.now())
    response.headers["ETag"] = etag(mine.stored.version if mine.stored else 0)
    return mine_read(mine)


@router.put("/teams/{team_id}/standups/mine", response_model=MyStandup)
def save_my_standup(
    team_id: IdPath,
    data: StandupWrite,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> MyStandup:
    """Save your standup (parts left out keep their text) and, with `submit: true`, hand it in.
    Each line of a submitted blockers part opens a blocker that is carried into your next
    standups until resolved. Send the version you read once something is stored: a stale one
    gets 409."""
    version = data.version
    if if_match is not None:
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not raw.isdigit() or len(raw) > 10:
            raise Invalid(
                'If-Match must be an ETag from a previous read, like "3"', field="If-Match"
            )
        version = int(raw)
    now = clock.now()
    service.save_mine(
        session=session,
        user=user,
        team_id=team_id,
        day=data.day,
        yesterday=data.yesterday,
        today=data.today,
        blockers=data.blockers,
        submit=data.submit,
        version=version,
        now=now,
    )
    session.commit()
    mine = service.get_mine(session=session, user=user, team_id=team_id, day=data.day, now=now)
    response.headers["ETag"] = etag(mine.stored.version if mine.stored else 0)
    return mine_read(mine)


@router.get("/teams/{team_id}/blockers", response_model=list[BlockerRead])
def team_blockers(
    team_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    include_resolved: Annotated[
        bool, Query(description="Also the resolved ones (the newest 200)")
    ] = False,
) -> list[BlockerRead]:
    """The team's open blockers, newest first; members only."""
    blockers = service.list_blockers(
        session=session, user=user, team_id=team_id, include_resolved=include_resolved
    )
    return blocker_reads(session, blockers)


@router.post("/blockers/{blocker_id}/resolve", response_model=BlockerRead)
def resolve_blocker(
    blocker_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> BlockerRead:
    """Resolve a blocker: it is no longer carried into standups. Any member of its team may;
    resolving it again changes nothing."""
    blocker = service.resolve_blocker(
        session=session, user=user, blocker_id=blocker_id, now=clock.now()
    )
    session.commit()
    return blocker_reads(session, [blocker])[0]


def _leave_read(leave: Leave) -> LeaveRead:
    return LeaveRead(id=leave.id, start=leave.start, end=leave.end, note=leave.note)


@router.get("/leave", response_model=list[LeaveRead])
def list_leave(
    user: CurrentUser,
    session: SessionDep,
    since: Annotated[
        IsoDate | None, Query(description="Only leave ending on or after this date")
    ] = None,
) -> list[LeaveRead]:
    """Your leave, earliest first."""
    return [
        _leave_read(x) for x in leave_service.list_leave(session=session, user=user, since=since)
    ]


@router.post("/leave", status_code=status.HTTP_201_CREATED, response_model=LeaveRead)
def add_leave(
    data: LeaveCreate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> LeaveRead:
    """Add leave, from `start` to `end` inclusive (your local dates). On those days you get no
    standup reminders and show as away. Overlapping another of your ranges is a 409."""
    leave = leave_service.add_leave(
        session=session, user=user, start=data.start, end=data.end, note=data.note, now=clock.now()
    )
    session.commit()
    return _leave_read(leave)


@router.delete("/leave/{leave_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_leave(leave_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Remove one of your leave ranges."""
    leave_service.delete_leave(session=session, user=user, leave_id=leave_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
