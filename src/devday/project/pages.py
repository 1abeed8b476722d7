"""The Projects pages: your personal projects and your teams', a form to create one
(/projects), and a project's page to rename, describe and archive it (/projects/{id}).

A team's projects are changed by its owners and managers (``devday.team.policy``); the forms
are offered only to them, and the service refuses the rest anyway.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import HTMLResponse, Response

from devday.deps import IdPath
from devday.project import service as project_service
from devday.project.models import Project
from devday.project.schemas import ProjectCreate, ProjectUpdate
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action
from devday.web.forms import AnyFormStr, FormStr, Refusal, form_version, optional_id
from devday.web.page import Missing, Page, PageContext, page_router

router = page_router(
    Missing(
        title="Project not found",
        text="There is no such project, or it is not yours or your team's.",
        back="/projects",
        back_label="Your projects",
    )
)

LIST = "project/list.html"
DETAIL = "project/detail.html"
SAVED = {"created": "Project created.", "saved": "Project saved."}


def current_project(page: Page, project_id: IdPath) -> Project:
    return project_service.get_project(session=page.session, user=page.user, project_id=project_id)


CurrentProject = Annotated[Project, Depends(current_project)]


def _may_change(page: PageContext, project: Project) -> bool:
    if project.team_id is None:
        return True
    role = team_service.member_role(
        session=page.session, team_id=project.team_id, user_id=page.user.id
    )
    return policy.allows(role, Action.manage_projects)


@router.get("/projects", response_class=HTMLResponse)
def projects_page(page: Page) -> Response:
    return _list(page)


def _list(page: PageContext, *, status: int = 200, **extra: Any) -> Response:
    teams = team_service.list_teams(session=page.session, user=page.user)
    archived = page.query("archived") == "1"
    projects = project_service.list_projects(
        session=page.session, user=page.user, include_archived=archived
    )
    context: dict[str, Any] = {
        "projects": projects,
        "team_names": {team.id: team.name for team, _role in teams},
        # A team's projects are made by its owners and managers: only their teams are offered.
        "teams": [team for team, role in teams if policy.allows(role, Action.manage_projects)],
        "archived": archived,
        "values": {"team_id": page.query("team")},
        "errors": {},
        "error": None,
        **extra,
    }
    return page.render(LIST, context, status=status)


@router.post("/projects", response_class=HTMLResponse)
def create_project(
    page: Page, name: FormStr = "", description: AnyFormStr = "", team_id: FormStr = ""
) -> Response:
    values = {"name": name, "description": description, "team_id": team_id}

    def create() -> Project:
        data = ProjectCreate(name=name, description=description, team_id=optional_id(team_id))
        return project_service.create_project(session=page.session, user=page.user, data=data)

    def refused(refusal: Refusal) -> Response:
        errors = refusal.errors or {"name": refusal.message}
        return _list(page, values=values, errors=errors, status=refusal.status)

    return page.submit(create, then=lambda p: f"/projects/{p.id}?saved=created", refused=refused)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(page: Page, project: CurrentProject) -> Response:
    return _show(page, project, notice=SAVED.get(page.query("saved")))


def _show(page: PageContext, project: Project, *, status: int = 200, **extra: Any) -> Response:
    team = None
    if project.team_id is not None:
        team, _role = team_service.get_team(
            session=page.session, user=page.user, team_id=project.team_id
        )
    context: dict[str, Any] = {
        "project": project,
        "team": team,
        "may_change": _may_change(page, project),
        "errors": {},
        "error": None,
        "notice": None,
        **extra,
    }
    return page.render(DETAIL, context, status=status)


def _refused(page: PageContext, project: Project) -> Any:
    def show(refusal: Refusal) -> Response:
        message = None if refusal.errors and not refusal.expired else refusal.message
        return _show(page, project, errors=refusal.errors, error=message, status=refusal.status)

    return show


@router.post("/projects/{project_id}", response_class=HTMLResponse)
def update_project(
    page: Page,
    project: CurrentProject,
    name: FormStr = "",
    description: AnyFormStr = "",
    version: FormStr = "",
) -> Response:
    def change() -> None:
        data = ProjectUpdate(name=name, description=description)
        project_service.update_project(
            session=page.session,
            user=page.user,
            project_id=project.id,
            data=data,
            version=form_version(version) or project.version,
        )

    then = f"/projects/{project.id}?saved=saved"
    return page.submit(change, then=then, refused=_refused(page, project))


@router.post("/projects/{project_id}/archive", response_class=HTMLResponse)
def archive_project(
    page: Page, project: CurrentProject, archived: FormStr = "1", version: FormStr = ""
) -> Response:
    def change() -> None:
        data = ProjectUpdate(archived=archived == "1")
        project_service.update_project(
            session=page.session,
            user=page.user,
            project_id=project.id,
            data=data,
            version=form_version(version) or project.version,
        )

    then = f"/projects/{project.id}?saved=saved"
    return page.submit(change, then=then, refused=_refused(page, project))
