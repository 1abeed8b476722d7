"""Connections to GitHub and GitLab: who sees and changes them, and what finishing an imported
task does on the forge.

A personal connection is its owner's alone. A connection whose tasks go into a team project
is seen by the team's members and set up by its owners and managers (the same people who
manage its projects). Tokens are kept as given, since devday must send them, and never
answered back: reads show their last four characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from devday import netguard
from devday.account.models import User
from devday.errors import Invalid, NotFound
from devday.forge.client import Remote
from devday.forge.models import ForgeConnection, ForgeIssue, ForgeKind, OnFinish
from devday.forge.schemas import DEFAULT_BASE, ForgeCreate, ForgeUpdate
from devday.jobs import service as jobs_service
from devday.project import service as project_service
from devday.task.models import Source
from devday.task.service import TaskFinished
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action

POLL = "forge.poll"
FINISH = "forge.finish"
#: Fields whose change means a different issue list: what was read before no longer counts.
_LIST_FIELDS = {"repo", "base_url", "assignee", "labels", "token"}


def list_connections(*, session: Session, user: User) -> Sequence[ForgeConnection]:
    """The caller's own connections and those of their teams' projects."""
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    visible = or_(
        ForgeConnection.owner_id == user.id,
        ForgeConnection.team_id.in_(team_ids) if team_ids else false(),
    )
    return session.scalars(
        select(ForgeConnection).where(visible).order_by(ForgeConnection.id)
    ).all()


def get_connection(*, session: Session, user: User, connection_id: int) -> ForgeConnection:
    """The connection, if the caller may see it; NotFound otherwise."""
    row = session.get(ForgeConnection, connection_id)
    if row is None:
        raise NotFound("connection not found")
    if row.owner_id == user.id and row.team_id is None:
        return row
    if row.team_id is not None and team_service.membership(
        session=session, team_id=row.team_id, user_id=user.id
    ):
        return row
    raise NotFound("connection not found")


def _may_change(session: Session, user: User, row: ForgeConnection) -> None:
    if row.team_id is not None:
        policy.require(
            session=session, user=user, team_id=row.team_id, action=Action.manage_projects
        )


def _project(session: Session, user: User, project_id: int) -> tuple[int, int | None]:
    try:
        project = project_service.get_project(session=session, user=user, project_id=project_id)
    except NotFound:
        raise Invalid(f"project {project_id} not found", field="project_id") from None
    if project.team_id is not None:
        policy.require(
            session=session, user=user, team_id=project.team_id, action=Action.manage_projects
        )
    return project.id, project.team_id


def _check_repo(kind: ForgeKind, repo: str) -> None:
    if kind == ForgeKind.github and repo.count("/") != 1:
        raise Invalid("a GitHub repository is written owner/name", field="repo")


def base_url_of(kind: ForgeKind, base_url: str | None) -> str:
    return base_url or DEFAULT_BASE[kind]


def refuse_base_url(
    base_url: str, outbound: netguard.OutboundPolicy, team_id: int | None = None
) -> None:
    """Invalid when the server will not connect to ``base_url`` (an address in its own
    network that the administrator did not allow). It resolves the name: call it with no
    transaction open. Each sync checks again, since a name may be re-pointed later."""
    reason = netguard.private_target_reason(base_url, outbound, team_id=team_id)
    if reason is not None:
        raise Invalid(reason, field="base_url")


def create_connection(
    *, session: Session, user: User, data: ForgeCreate, now: datetime
) -> ForgeConnection:
    """A new connection; its first sync is queued at once. The caller checks the base URL
    first with ``refuse_base_url``."""
    _check_repo(data.kind, data.repo)
    project_id, team_id = (None, None)
    if data.project_id is not None:
        project_id, team_id = _project(session, user, data.project_id)
    row = ForgeConnection(
        owner_id=user.id,
        team_id=team_id,
        project_id=project_id,
        kind=data.kind,
        base_url=base_url_of(data.kind, data.base_url),
        repo=data.repo,
        token=data.token,
        assignee=data.assignee,
        labels=",".join(data.labels),
        importance_map=data.importance_map,
        estimate_label=data.estimate_label,
        estimate_from_body=data.estimate_from_body,
        on_finish=data.on_finish,
        poll_minutes=data.poll_minutes,
        created_at=now,
    )
    session.add(row)
    session.flush()
    schedule_poll(session, row, now, now)
    return row


def update_connection(
    *, session: Session, user: User, connection_id: int, data: ForgeUpdate
) -> ForgeConnection:
    """Changes the fields sent. A change of what is read (repository, base URL, filters,
    token) forgets the last list read, so the next sync reads it whole again."""
    row = get_connection(session=session, user=user, connection_id=connection_id)
    _may_change(session, user, row)
    sent = data.model_dump(exclude_unset=True)
    for name, value in sent.items():
        if value is None and name != "project_id":
            raise Invalid("may not be null", field=name)
    if "project_id" in sent:
        if sent["project_id"] is None:
            row.project_id, row.team_id = None, None
        else:
            row.project_id, row.team_id = _project(session, user, sent["project_id"])
    if "labels" in sent:
        sent["labels"] = ",".join(sent["labels"])
    for name, value in sent.items():
        if name != "project_id":
            setattr(row, name, value)
    _check_repo(row.kind, row.repo)
    if sent.keys() & _LIST_FIELDS:
        row.etag, row.cursor, row.last_error, row.retry_at = None, None, None, None
    session.flush()
    return row


def delete_connection(*, session: Session, user: User, connection_id: int) -> None:
    """Removes the connection; its tasks stay, no longer linked to their issues."""
    row = get_connection(session=session, user=user, connection_id=connection_id)
    _may_change(session, user, row)
    session.delete(row)
    session.flush()


def issue_of(*, session: Session, task_id: int) -> ForgeIssue | None:
    """The forge issue a task was imported from, if any."""
    return session.scalar(select(ForgeIssue).where(ForgeIssue.task_id == task_id))


def remote_of(row: ForgeConnection) -> Remote:
    return Remote(
        connection_id=row.id,
        team_id=row.team_id,
        kind=row.kind,
        base_url=row.base_url,
        repo=row.repo,
        token=row.token,
        assignee=row.assignee,
        labels=row.labels,
        etag=row.etag,
        cursor=row.cursor,
    )


# --- jobs -------------------------------------------------------------------------------------


def _slot(due_at: datetime, row_id: int) -> datetime:
    # Whole minutes, so that two workers queueing "the next poll" pick the same slot, less the
    # row's id in microseconds so that each connection (or issue) has slots of its own (a job's
    # slot is its kind, user, team and due instant) and none is due later than asked.
    return due_at.replace(second=0, microsecond=0) - timedelta(microseconds=row_id % 1_000_000)


def schedule_poll(session: Session, row: ForgeConnection, due_at: datetime, now: datetime) -> None:
    jobs_service.schedule(
        session=session,
        kind=POLL,
        due_at=_slot(due_at, row.id),
        now=now,
        user_id=row.owner_id,
        payload={"connection_id": row.id},
    )


def schedule_finish(
    session: Session,
    issue: ForgeIssue,
    action: OnFinish,
    due_at: datetime,
    now: datetime,
    attempt: int,
) -> None:
    jobs_service.schedule(
        session=session,
        kind=FINISH,
        due_at=due_at.replace(microsecond=0) - timedelta(microseconds=issue.id % 1_000_000),
        now=now,
        payload={"issue_id": issue.id, "action": action.value, "attempt": attempt},
    )


def task_finished(session: Session, event: TaskFinished) -> None:
    """A finished task closes its issue, or comments on it, as its connection says; through
    a job (``forge.finish``) that retries. An issue already closed on the forge (which is
    what finished the task, in a sync) is left alone."""
    if event.task.source != Source.import_:
        return
    # No flush here: the task service flushes its own change once, with one new version.
    with session.no_autoflush:
        issue = issue_of(session=session, task_id=event.task.id)
        if issue is None or issue.state == "closed":
            return
        row = session.get(ForgeConnection, issue.connection_id)
        if row is None or row.on_finish == OnFinish.nothing:
            return
        schedule_finish(session, issue, row.on_finish, event.now, event.now, 1)
