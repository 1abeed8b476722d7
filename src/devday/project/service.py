"""Projects in a personal space or a team. Visible to their owner or the team's members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Conflict, Invalid, NotFound
from devday.project.models import Project
from devday.project.schemas import ProjectCreate, ProjectUpdate
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action


def visible(user: User, team_ids: list[int]) -> ColumnElement[bool]:
    return or_(
        Project.owner_id == user.id,
        Project.team_id.in_(team_ids) if team_ids else false(),
    )


def get_project(*, session: Session, user: User, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None or not _can_see(session, user, project):
        raise NotFound("project not found")
    return project


def _can_see(session: Session, user: User, project: Project) -> bool:
    if project.owner_id == user.id:
        return True
    return project.team_id is not None and (
        team_service.membership(session=session, team_id=project.team_id, user_id=user.id)
        is not None
    )


def list_projects(
    *,
    session: Session,
    user: User,
    name: str | None = None,
    team_id: int | None = None,
    include_archived: bool = False,
) -> Sequence[Project]:
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    query = select(Project).where(visible(user, team_ids))
    if name is not None:
        query = query.where(func.lower(Project.name) == name.strip().lower())
    if team_id is not None:
        query = query.where(Project.team_id == team_id)
    if not include_archived:
        query = query.where(Project.archived.is_(False))
    return session.scalars(query.order_by(Project.name, Project.id)).all()


def create_project(*, session: Session, user: User, data: ProjectCreate) -> Project:
    if data.team_id is not None:
        try:
            team_service.get_team(session=session, user=user, team_id=data.team_id)
        except NotFound:
            raise Invalid(f"team {data.team_id} not found", field="team_id") from None
        policy.require(
            session=session, user=user, team_id=data.team_id, action=Action.manage_projects
        )
        project = Project(
            name=data.name.strip(), description=data.description, team_id=data.team_id
        )
    else:
        project = Project(name=data.name.strip(), description=data.description, owner_id=user.id)
    _unique_name(session, project, project.name)
    session.add(project)
    session.flush()
    return project


def update_project(
    *, session: Session, user: User, project_id: int, data: ProjectUpdate, version: int
) -> Project:
    project = get_project(session=session, user=user, project_id=project_id)
    _may_change(session, user, project)
    check_version(project.version, version, "this project")
    if data.name is not None:
        _unique_name(session, project, data.name.strip())
        project.name = data.name.strip()
    if data.description is not None:
        project.description = data.description
    if data.archived is not None:
        project.archived = data.archived
    flush_versioned(session, "this project")
    return project


def delete_project(*, session: Session, user: User, project_id: int) -> None:
    """Deletes the project; its tasks stay, without a project."""
    project = get_project(session=session, user=user, project_id=project_id)
    _may_change(session, user, project)
    session.delete(project)
    session.flush()


def _may_change(session: Session, user: User, project: Project) -> None:
    # A personal project is its owner's alone (get_project already hid it from anyone else).
    if project.team_id is not None:
        policy.require(
            session=session, user=user, team_id=project.team_id, action=Action.manage_projects
        )


def _unique_name(session: Session, project: Project, name: str) -> None:
    # Names are what the CLI uses (`--project api`), so they are unique within a space.
    space = (
        Project.team_id == project.team_id
        if project.team_id is not None
        else Project.owner_id == project.owner_id
    )
    clash = session.scalar(
        select(Project.id).where(
            space, func.lower(Project.name) == name.lower(), Project.id != (project.id or -1)
        )
    )
    if clash is not None:
        raise Conflict(f"a project named {name!r} already exists here", field="name")
