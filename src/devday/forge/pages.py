"""The GitHub & GitLab section of Settings: connect a repository, see its last sync and
error, sync now, remove. A thin adapter over ``forge.service``; each POST answers 303 back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import HTMLResponse, Response

from devday.deps import IdPath
from devday.errors import Conflict, NotFound
from devday.forge import mapping, service, sync
from devday.forge.models import ForgeKind, OnFinish
from devday.forge.schemas import ForgeCreate, token_hint
from devday.project import service as project_service
from devday.web.forms import AnyFormStr, Refusal
from devday.web.page import Page, PageContext, page_router

router = page_router()

PAGE = "forge/connections.html"
SAVED = {
    "added": "Connected; the first sync runs within a minute.",
    "deleted": "Connection removed; its tasks stay.",
    "synced": "Synced.",
}


def _show(page: PageContext, status: int = 200, **extra: Any) -> Response:
    rows = service.list_connections(session=page.session, user=page.user)
    projects = project_service.list_projects(session=page.session, user=page.user)
    context = {
        "section": "forges",
        "connections": [(row, token_hint(row.token)) for row in rows],
        "projects": projects,
        "project_names": {p.id: p.name for p in projects},
        "kinds": [k.value for k in ForgeKind],
        "finishes": [f.value for f in OnFinish],
        "default_importance": mapping.DEFAULT_IMPORTANCE,
        **extra,
    }
    return page.render(PAGE, context, status=status)


@router.get("/settings/forges", response_class=HTMLResponse)
def forges_page(page: Page) -> Response:
    return _show(page, notice=SAVED.get(page.query("saved")))


@router.post("/settings/forges")
def add_forge(
    page: Page,
    kind: AnyFormStr = "github",
    repo: AnyFormStr = "",
    token: AnyFormStr = "",
    base_url: AnyFormStr = "",
    project_id: AnyFormStr = "",
    assignee: AnyFormStr = "",
    labels: AnyFormStr = "",
    importance_map: AnyFormStr = mapping.DEFAULT_IMPORTANCE,
    estimate_label: AnyFormStr = "estimate:",
    on_finish: AnyFormStr = "nothing",
) -> Response:
    values = {
        "forge-kind": kind,
        "forge-repo": repo,
        "forge-base_url": base_url,
        "forge-project_id": project_id,
        "forge-assignee": assignee,
        "forge-labels": labels,
        "forge-importance_map": importance_map,
        "forge-estimate_label": estimate_label,
        "forge-on_finish": on_finish,
    }

    def add() -> None:
        data = ForgeCreate(
            kind=kind,
            repo=repo,
            token=token.strip(),
            base_url=base_url.strip() or None,
            project_id=project_id or None,
            assignee=assignee.strip(),
            labels=[label for label in labels.split(",") if label.strip()],
            importance_map=importance_map,
            estimate_label=estimate_label.strip(),
            on_finish=on_finish,
        )
        team_id = None
        if data.project_id is not None:
            try:
                team_id = project_service.get_project(
                    session=page.session, user=page.user, project_id=data.project_id
                ).team_id
            except NotFound:
                team_id = None  # the service names the field
        page.session.commit()  # the host is looked up with no transaction open
        service.refuse_base_url(
            service.base_url_of(data.kind, data.base_url),
            page.state.settings.outbound_policy(),
            team_id,
        )
        service.create_connection(session=page.session, user=page.user, data=data, now=page.now)

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _show(page, 403, error=refusal.message)
        errors = refusal.prefixed("forge-", default="repo")
        return _show(page, refusal.status, errors=errors, values=values)

    return page.submit(add, then="/settings/forges?saved=added", refused=refused)


def _act(page: PageContext, change: Callable[[], object], saved: str) -> Response:
    def refused(refusal: Refusal) -> Response:
        message = refusal.message if refusal.expired else f"Connection: {refusal.message}"
        return _show(page, refusal.status, error=message)

    return page.submit(change, then=f"/settings/forges?saved={saved}", refused=refused)


@router.post("/settings/forges/{connection_id}/delete")
def delete_forge(page: Page, connection_id: IdPath) -> Response:
    def delete() -> None:
        service.delete_connection(session=page.session, user=page.user, connection_id=connection_id)

    return _act(page, delete, "deleted")


@router.post("/settings/forges/{connection_id}/sync")
def sync_forge(page: Page, connection_id: IdPath) -> Response:
    def run() -> None:
        row = service.get_connection(
            session=page.session, user=page.user, connection_id=connection_id
        )
        if row.retry_at is not None and row.retry_at > page.now:
            raise Conflict(f"the rate limit lasts until {row.retry_at:%Y-%m-%d %H:%M} UTC")
        done = sync.sync_now(
            page.session, connection_id, page.state.settings.outbound_policy(), page.state.clock
        )
        if done is None:
            raise Conflict("it is being synced right now; try again in a moment")

    return _act(page, run, "synced")
