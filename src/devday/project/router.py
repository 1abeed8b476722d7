"""Projects: /api/v1/projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from devday.concurrency import etag, expected_version
from devday.deps import CurrentUser, IdPath, SessionDep
from devday.project import service
from devday.project.schemas import ProjectCreate, ProjectListQuery, ProjectRead, ProjectUpdate

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@router.get("", response_model=list[ProjectRead])
def list_projects(
    user: CurrentUser, session: SessionDep, query: Annotated[ProjectListQuery, Query()]
) -> list[ProjectRead]:
    """Projects the caller can see: their personal ones and their teams'."""
    rows = service.list_projects(
        session=session,
        user=user,
        name=query.name,
        team_id=query.team_id,
        include_archived=query.include_archived,
    )
    return [ProjectRead.model_validate(p) for p in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRead)
def create_project(
    data: ProjectCreate, user: CurrentUser, session: SessionDep, response: Response
) -> ProjectRead:
    """Create a personal project, or a team project when `team_id` names a team of the caller's."""
    project = service.create_project(session=session, user=user, data=data)
    session.commit()
    response.headers["ETag"] = etag(project.version)
    return ProjectRead.model_validate(project)


@router.get("/{project_id}", response_model=ProjectRead)
def read_project(
    project_id: IdPath, user: CurrentUser, session: SessionDep, response: Response
) -> ProjectRead:
    """One project; its ETag is the version to send back when updating it."""
    project = service.get_project(session=session, user=user, project_id=project_id)
    response.headers["ETag"] = etag(project.version)
    return ProjectRead.model_validate(project)


@router.patch("/{project_id}", response_model=ProjectRead)
def update_project(
    project_id: IdPath,
    data: ProjectUpdate,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> ProjectRead:
    """Rename, describe or archive a project. A stale version gets 409."""
    version = expected_version(if_match, data.version)
    project = service.update_project(
        session=session, user=user, project_id=project_id, data=data, version=version
    )
    session.commit()
    response.headers["ETag"] = etag(project.version)
    return ProjectRead.model_validate(project)


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_project(project_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a project. Its tasks are kept, without a project."""
    service.delete_project(session=session, user=user, project_id=project_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
