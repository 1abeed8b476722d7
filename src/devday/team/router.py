"""Teams, their members and invitations: /api/v1/teams and /api/v1/invitations."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Response, status

from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep, StateDep
from devday.team import invitations, service
from devday.team.models import Role, Team
from devday.team.schemas import (
    InvitationCreate,
    InvitationRead,
    MemberAdd,
    MemberRead,
    MemberUpdate,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    Weekday,
)

router = APIRouter(prefix="/api/v1", tags=["teams"])


def _read(team: Team, role: Role) -> TeamRead:
    return TeamRead(
        id=team.id,
        name=team.name,
        timezone=team.timezone,
        my_role=role,
        meeting_time=team.meeting_time,
        meeting_days=cast("list[Weekday]", team.meeting_weekdays),
        standup_reminder_minutes=team.standup_reminder_minutes,
        created_at=team.created_at,
    )


@router.get("/teams", response_model=list[TeamRead])
def list_teams(user: CurrentUser, session: SessionDep) -> list[TeamRead]:
    """The teams the caller belongs to, with their role in each."""
    return [_read(team, role) for team, role in service.list_teams(session=session, user=user)]


@router.post("/teams", status_code=status.HTTP_201_CREATED, response_model=TeamRead)
def create_team(data: TeamCreate, user: CurrentUser, session: SessionDep) -> TeamRead:
    """Create a team; the caller becomes its owner."""
    team = service.create_team(session=session, user=user, data=data)
    session.commit()
    return _read(team, Role.owner)


@router.get("/teams/{team_id}", response_model=TeamRead)
def read_team(team_id: IdPath, user: CurrentUser, session: SessionDep) -> TeamRead:
    """One team the caller belongs to; 404 for any other."""
    team, role = service.get_team(session=session, user=user, team_id=team_id)
    return _read(team, role)


@router.patch("/teams/{team_id}", response_model=TeamRead)
def update_team(
    team_id: IdPath, data: TeamUpdate, user: CurrentUser, session: SessionDep
) -> TeamRead:
    """Rename a team, or change its timezone, meeting time and days or standup reminder (owners
    and managers)."""
    team = service.update_team(session=session, user=user, team_id=team_id, data=data)
    _, role = service.get_team(session=session, user=user, team_id=team_id)
    session.commit()
    return _read(team, role)


@router.delete("/teams/{team_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_team(team_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a team with its projects and their tasks (owners only)."""
    service.delete_team(session=session, user=user, team_id=team_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/teams/{team_id}/members", response_model=list[MemberRead])
def list_members(team_id: IdPath, user: CurrentUser, session: SessionDep) -> list[MemberRead]:
    """The team's members and their roles."""
    rows = service.list_members(session=session, user=user, team_id=team_id)
    return [
        MemberRead(user_id=m.id, email=m.email, name=m.name, role=role, timezone=m.timezone)
        for m, role in rows
    ]


@router.post(
    "/teams/{team_id}/members", status_code=status.HTTP_201_CREATED, response_model=MemberRead
)
def add_member(
    team_id: IdPath, data: MemberAdd, user: CurrentUser, session: SessionDep
) -> MemberRead:
    """Add a member by the email of their devday account, with a role (owners and managers)."""
    member = service.add_member(session=session, user=user, team_id=team_id, data=data)
    session.commit()
    return _member(session, member.user_id, member.role)


@router.patch("/teams/{team_id}/members/{user_id}", response_model=MemberRead)
def change_role(
    team_id: IdPath, user_id: IdPath, data: MemberUpdate, user: CurrentUser, session: SessionDep
) -> MemberRead:
    """Change a member's role. A team always keeps at least one owner."""
    member = service.change_role(
        session=session, user=user, team_id=team_id, member_id=user_id, role=data.role
    )
    session.commit()
    return _member(session, member.user_id, member.role)


@router.delete("/teams/{team_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    team_id: IdPath, user_id: IdPath, user: CurrentUser, session: SessionDep
) -> Response:
    """Remove a member (or leave, when it is yourself). The last owner cannot leave."""
    service.remove_member(session=session, user=user, team_id=team_id, member_id=user_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/teams/{team_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationRead,
)
def create_invitation(
    team_id: IdPath,
    data: InvitationCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
) -> InvitationRead:
    """An invitation link with a role, valid for 7 days and for one person (owners and
    managers; only owners invite owners). The link is shown only in this answer. With `email`
    devday also emails the link there (through the outbox: `GET /api/v1/outbox` follows it);
    a server that sends no email answers 422 for `email`."""
    invitation, secret = invitations.invite(
        session=session,
        settings=state.settings,
        limits=state.rate_limits,
        user=user,
        team_id=team_id,
        role=data.role,
        email=data.email,
        now=clock.now(),
    )
    session.commit()
    return InvitationRead(
        id=invitation.id,
        team_id=invitation.team_id,
        role=invitation.role,
        expires_at=invitation.expires_at,
        token=secret,
        link=invitations.PREFIX + secret,
        email=invitation.email,
        emailed=invitation.email is not None,
    )


@router.post("/invitations/{token}/accept", response_model=TeamRead)
def accept_invitation(
    token: Annotated[str, Path(min_length=1, max_length=100)],
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> TeamRead:
    """Join the team of an invitation link as the caller, with the invitation's role. An
    unknown link is 404; a used or expired one 410. A member keeps the role they have."""
    team, role = invitations.accept(session=session, user=user, secret=token, now=clock.now())
    session.commit()
    return _read(team, role)


def _member(session: SessionDep, user_id: IdPath, role: Role) -> MemberRead:
    from devday.account import service as account_service

    member = account_service.get_user(session=session, user_id=user_id)
    return MemberRead(
        user_id=member.id,
        email=member.email,
        name=member.name,
        role=role,
        timezone=member.timezone,
    )
