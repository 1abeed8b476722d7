"""Teams and membership. Owners and managers manage members; only owners grant ownership."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from devday.account import service as account_service
from devday.account.models import User
from devday.errors import Conflict, Forbidden, Invalid, NotFound
from devday.team import policy
from devday.team.models import Role, Team, TeamMember, meeting_days_text
from devday.team.policy import Action
from devday.team.schemas import MemberAdd, TeamCreate, TeamUpdate

MANAGING_ROLES = tuple(Action.change_settings.roles)


def team_ids_of(*, session: Session, user_id: int) -> list[int]:
    return list(session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id)))


def membership(*, session: Session, team_id: int, user_id: int) -> TeamMember | None:
    return session.get(TeamMember, (team_id, user_id))


def member_role(*, session: Session, team_id: int, user_id: int) -> Role | None:
    """The user's role in the team, or None when they are not a member."""
    member = membership(session=session, team_id=team_id, user_id=user_id)
    return member.role if member else None


def get_team(*, session: Session, user: User, team_id: int) -> tuple[Team, Role]:
    """The team and the caller's role in it; NotFound if the caller is not a member."""
    member = membership(session=session, team_id=team_id, user_id=user.id)
    team = session.get(Team, team_id) if member else None
    if team is None or member is None:
        raise NotFound("team not found")
    return team, member.role


def list_teams(*, session: Session, user: User) -> Sequence[tuple[Team, Role]]:
    rows = session.execute(
        select(Team, TeamMember.role)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user.id)
        .order_by(Team.name, Team.id)
    ).all()
    return [(team, role) for team, role in rows]


def create_team(*, session: Session, user: User, data: TeamCreate) -> Team:
    team = Team(name=data.name.strip(), timezone=data.timezone or user.timezone)
    if data.meeting_time is not None:
        team.meeting_time = data.meeting_time
    if data.meeting_days is not None:
        team.meeting_days = meeting_days_text(list(data.meeting_days))
    if data.standup_reminder_minutes is not None:
        team.standup_reminder_minutes = data.standup_reminder_minutes
    session.add(team)
    session.flush()
    session.add(TeamMember(team_id=team.id, user_id=user.id, role=Role.owner))
    session.flush()
    return team


def update_team(*, session: Session, user: User, team_id: int, data: TeamUpdate) -> Team:
    team, role = get_team(session=session, user=user, team_id=team_id)
    policy.require_role(role, Action.change_settings)
    if data.name is not None:
        team.name = data.name.strip()
    if data.timezone is not None:
        team.timezone = data.timezone
    if data.meeting_time is not None:
        team.meeting_time = data.meeting_time
    if data.meeting_days is not None:
        team.meeting_days = meeting_days_text(list(data.meeting_days))
    if data.standup_reminder_minutes is not None:
        team.standup_reminder_minutes = data.standup_reminder_minutes
    session.flush()
    return team


def delete_team(*, session: Session, user: User, team_id: int) -> None:
    team, role = get_team(session=session, user=user, team_id=team_id)
    policy.require_role(role, Action.delete_team)
    session.delete(team)
    session.flush()


def list_members(*, session: Session, user: User, team_id: int) -> Sequence[tuple[User, Role]]:
    get_team(session=session, user=user, team_id=team_id)
    rows = session.execute(
        select(User, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team_id)
        .order_by(User.name, User.id)
    ).all()
    return [(member, role) for member, role in rows]


def add_member(*, session: Session, user: User, team_id: int, data: MemberAdd) -> TeamMember:
    _team, role = get_team(session=session, user=user, team_id=team_id)
    policy.require_role(role, Action.manage_members)
    if data.role == Role.owner and role != Role.owner:
        raise Forbidden("only owners can add owners", field="role")
    new = account_service.get_user_by_email(session=session, email=data.email)
    if new is None:
        raise Invalid("no devday account uses this email; ask them to sign up first", field="email")
    if membership(session=session, team_id=team_id, user_id=new.id) is not None:
        raise Conflict("already a member of this team", field="email")
    member = TeamMember(team_id=team_id, user_id=new.id, role=data.role)
    session.add(member)
    session.flush()
    return member


def change_role(
    *, session: Session, user: User, team_id: int, member_id: int, role: Role
) -> TeamMember:
    _team, my_role = get_team(session=session, user=user, team_id=team_id)
    member = membership(session=session, team_id=team_id, user_id=member_id)
    if member is None:
        raise NotFound("member not found")
    policy.require_role(my_role, Action.manage_members)
    if Role.owner in (role, member.role) and my_role != Role.owner:
        raise Forbidden("only owners can grant or take away ownership", field="role")
    if member.role == Role.owner and role != Role.owner:
        _keep_an_owner(session=session, team_id=team_id)
    member.role = role
    session.flush()
    return member


def remove_member(*, session: Session, user: User, team_id: int, member_id: int) -> None:
    _team, my_role = get_team(session=session, user=user, team_id=team_id)
    member = membership(session=session, team_id=team_id, user_id=member_id)
    if member is None:
        raise NotFound("member not found")
    if member_id != user.id:
        policy.require_role(my_role, Action.manage_members)
        if member.role == Role.owner and my_role != Role.owner:
            raise Forbidden("only owners can remove an owner")
    if member.role == Role.owner:
        _keep_an_owner(session=session, team_id=team_id)
    session.delete(member)
    session.flush()


def _keep_an_owner(*, session: Session, team_id: int) -> None:
    owners = session.scalar(
        select(func.count())
        .select_from(TeamMember)
        .where(TeamMember.team_id == team_id, TeamMember.role == Role.owner)
    )
    if (owners or 0) <= 1:
        raise Conflict("a team needs at least one owner; make someone else owner first")
