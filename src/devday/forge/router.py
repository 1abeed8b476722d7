"""GitHub and GitLab connections: /api/v1/forges."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep, StateDep
from devday.errors import Conflict, NotFound, RateLimited
from devday.forge import service, sync
from devday.forge.models import ForgeConnection
from devday.forge.schemas import ForgeCreate, ForgeRead, ForgeUpdate, SyncRead
from devday.project import service as project_service

router = APIRouter(prefix="/api/v1", tags=["forges"])


@router.get("/forges", response_model=list[ForgeRead])
def list_forges(user: CurrentUser, session: SessionDep) -> list[ForgeRead]:
    """Your connections and those of your teams' projects; tokens show their last four
    characters only."""
    return [ForgeRead.of(row) for row in service.list_connections(session=session, user=user)]


@router.post("/forges", status_code=status.HTTP_201_CREATED, response_model=ForgeRead)
def create_forge(
    data: ForgeCreate, user: CurrentUser, session: SessionDep, state: StateDep, clock: ClockDep
) -> ForgeRead:
    """Connect a GitHub repository or a GitLab project: its issues become tasks (in
    `project_id`, when given; a team project's connection is for its owners and managers).
    The first sync runs within a minute. A base URL in the server's own network is refused
    unless the administrator allows it (DEVDAY_OUTBOUND_ALLOW)."""
    team_id = None
    if data.project_id is not None:
        try:
            project = project_service.get_project(
                session=session, user=user, project_id=data.project_id
            )
            team_id = project.team_id
        except NotFound:  # the service names the field below
            team_id = None
    session.commit()  # the host is looked up with no transaction open
    base_url = service.base_url_of(data.kind, data.base_url)
    service.refuse_base_url(base_url, state.settings.outbound_policy(), team_id)
    row = service.create_connection(session=session, user=user, data=data, now=clock.now())
    session.commit()
    return ForgeRead.of(row)


@router.get("/forges/{connection_id}", response_model=ForgeRead)
def read_forge(connection_id: IdPath, user: CurrentUser, session: SessionDep) -> ForgeRead:
    """One connection: its settings, its last sync and its last error."""
    return ForgeRead.of(
        service.get_connection(session=session, user=user, connection_id=connection_id)
    )


@router.patch("/forges/{connection_id}", response_model=ForgeRead)
def update_forge(
    connection_id: IdPath,
    data: ForgeUpdate,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> ForgeRead:
    """Change a connection; only the fields sent change. A new token, repository, base URL or
    filter makes the next sync read the issue list whole again."""
    row = service.get_connection(session=session, user=user, connection_id=connection_id)
    if data.base_url is not None:
        team_id = row.team_id
        session.commit()  # the host is looked up with no transaction open
        service.refuse_base_url(data.base_url, state.settings.outbound_policy(), team_id)
    row = service.update_connection(
        session=session, user=user, connection_id=connection_id, data=data
    )
    session.commit()
    return ForgeRead.of(row)


@router.delete("/forges/{connection_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_forge(connection_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Remove a connection. Its tasks stay, no longer linked to their issues."""
    service.delete_connection(session=session, user=user, connection_id=connection_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/forges/{connection_id}/sync", response_model=SyncRead)
def sync_forge(
    connection_id: IdPath, user: CurrentUser, session: SessionDep, state: StateDep, clock: ClockDep
) -> SyncRead:
    """Sync now rather than wait for the next poll. A failure is answered in `error` and kept
    as the connection's `last_error`. While a forge's rate limit lasts, 429 with
    `Retry-After`; while another sync of it runs, 409."""
    row: ForgeConnection = service.get_connection(
        session=session, user=user, connection_id=connection_id
    )
    now = clock.now()
    if row.retry_at is not None and row.retry_at > now:
        raise RateLimited(
            f"the forge's rate limit lasts until {row.retry_at:%Y-%m-%d %H:%M} UTC; "
            "devday syncs again then",
            retry_after=max(1, int((row.retry_at - now).total_seconds())),
        )
    result = sync.sync_now(session, connection_id, state.settings.outbound_policy(), clock)
    if result is None:
        raise Conflict("this connection is being synced right now; try again in a moment")
    return SyncRead.model_validate(result)
