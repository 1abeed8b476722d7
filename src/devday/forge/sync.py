"""One sync of a connection, in three steps so that no database transaction is open while
devday talks to the forge:

1. ``claim`` (a short transaction): takes the connection's sync lease, so that one sync runs
   at a time, and returns a snapshot of it; nothing while a rate limit lasts;
2. ``client.list_issues`` (no transaction);
3. ``record`` (a new transaction): creates or updates the tasks, finishes those whose issue
   was closed, keeps the outcome on the connection and gives the lease back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.clock import Clock
from devday.errors import DomainError
from devday.forge import client, mapping, service
from devday.forge.client import Listing, Remote
from devday.forge.models import ForgeConnection, ForgeIssue
from devday.netguard import OutboundPolicy
from devday.task import service as task_service
from devday.task.models import Source, Status, Task
from devday.task.schemas import TaskCreate, TaskUpdate

#: How long a sync holds its connection; a sync that died gives it up after this.
SYNC_LEASE = timedelta(minutes=5)
NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class SyncResult:
    not_modified: bool = False
    created: int = 0
    updated: int = 0
    finished: int = 0
    error: str | None = None
    retry_at: datetime | None = None


def claim(session: Session, connection_id: int, now: datetime) -> Remote | None:
    """Takes the connection's sync lease and returns its snapshot; None when another sync
    holds it or a rate limit still lasts. The caller commits before the exchange."""
    taken = session.execute(
        update(ForgeConnection)
        .where(
            ForgeConnection.id == connection_id,
            or_(
                ForgeConnection.sync_claimed_until.is_(None),
                ForgeConnection.sync_claimed_until <= now,
            ),
            or_(ForgeConnection.retry_at.is_(None), ForgeConnection.retry_at <= now),
        )
        .values(sync_claimed_until=now + SYNC_LEASE)
        .execution_options(**NO_SYNC)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return None
    return service.remote_of(
        session.get_one(ForgeConnection, connection_id, populate_existing=True)
    )


def release(session: Session, connection_id: int) -> None:
    session.execute(
        update(ForgeConnection)
        .where(ForgeConnection.id == connection_id)
        .values(sync_claimed_until=None)
        .execution_options(**NO_SYNC)
    )


def record(session: Session, remote: Remote, listing: Listing, now: datetime) -> SyncResult:
    """Applies what the exchange read and keeps the outcome on the connection."""
    row = session.get(ForgeConnection, remote.connection_id, populate_existing=True)
    if row is None:  # deleted while the forge was asked
        return SyncResult(error=listing.error)
    row.sync_claimed_until = None
    if _what_is_read(service.remote_of(row)) != _what_is_read(remote):
        # Changed while the forge was asked: what was read is another list; the next sync
        # reads the new one.
        session.flush()
        return SyncResult(error="the connection changed during the sync; sync again")
    if listing.error is not None:
        row.last_error = listing.error
        row.retry_at = listing.retry_at(now)
        if row.retry_at is not None:
            row.last_error = f"{listing.error} ({row.retry_at:%Y-%m-%d %H:%M} UTC)"
            service.schedule_poll(session, row, row.retry_at + timedelta(minutes=1), now)
        session.flush()
        return SyncResult(error=row.last_error, retry_at=row.retry_at)
    row.last_synced_at, row.last_error, row.retry_at = now, None, None
    if listing.not_modified:
        session.flush()
        return SyncResult(not_modified=True)
    owner = session.get(User, row.owner_id)
    assert owner is not None  # the foreign key guarantees it
    importance_map = mapping.parse_importance_map(row.importance_map)
    counts = {"created": 0, "updated": 0, "finished": 0}
    problems: list[str] = []
    # Oldest change first, so that the newest state of an issue listed twice wins.
    for issue in reversed(listing.issues):
        fields = mapping.task_fields(
            issue, importance_map, row.estimate_label, row.estimate_from_body
        )
        try:
            what = _apply(session, row, owner, issue, fields, now)
        except DomainError as exc:
            problems.append(f"issue #{issue.number}: {exc}")
            continue
        except ValidationError as exc:  # a milestone due in the year 3000, say
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problems.append(f"issue #{issue.number}: {where}: {first['msg']}")
            continue
        if what:
            counts[what] += 1
    if listing.issues:
        newest = max(issue.updated_at for issue in listing.issues)
        row.cursor = max(newest, row.cursor or "")
    row.etag = listing.etag
    if problems:
        row.last_error = "; ".join(problems[:3])
    session.flush()
    return SyncResult(
        error=row.last_error,
        created=counts["created"],
        updated=counts["updated"],
        finished=counts["finished"],
    )


def _what_is_read(remote: Remote) -> tuple[str, ...]:
    return (remote.base_url, remote.repo, remote.token, remote.assignee, remote.labels)


def _apply(
    session: Session,
    row: ForgeConnection,
    owner: User,
    issue: mapping.Issue,
    fields: dict[str, Any],
    now: datetime,
) -> str | None:
    link = session.scalar(
        select(ForgeIssue).where(
            ForgeIssue.connection_id == row.id, ForgeIssue.number == issue.number
        )
    )
    if link is None:
        if issue.closed:
            return None
        source = f"{row.repo}#{issue.number}"
        task = task_service.create_task(
            session=session,
            user=owner,
            data=TaskCreate(
                **fields,
                notes=f"From [{source}]({issue.url})" if issue.url else f"From {source}",
                project_id=row.project_id,
                source=Source.import_,
            ),
            now=now,
        )
        state = "open"
        session.add(
            ForgeIssue(
                connection_id=row.id,
                task_id=task.id,
                number=issue.number,
                url=issue.url[:1000],
                state=state,
                imported=fields,
            )
        )
        session.flush()
        return "created"
    task = session.get_one(Task, link.task_id)
    changed = {name: value for name, value in fields.items() if link.imported.get(name) != value}
    what = "updated" if changed else None
    if issue.closed and link.state != "closed":
        # Marked closed first: the task's TaskFinished then knows the forge needs no word.
        link.state = "closed"
        if task.status not in (Status.done, Status.dropped):
            changed["status"] = Status.done
            what = "finished"
    elif not issue.closed and link.state == "closed":
        link.state = "open"
        if task.status == Status.done:
            changed["status"] = Status.todo
            what = "updated"
    link.imported = fields
    link.url = issue.url[:1000]
    if changed:
        task_service.update_task(
            session=session,
            user=owner,
            task_id=task.id,
            data=TaskUpdate(**changed, version=task.version),
            version=task.version,
            now=now,
        )
    session.flush()
    return what


def sync_now(
    session: Session, connection_id: int, outbound: OutboundPolicy, clock: Clock
) -> SyncResult | None:
    """One sync of the connection now, committing ``session`` before and after the exchange
    (this function owns those transactions: that is its point). None when another sync holds
    the connection or a rate limit still lasts."""
    remote = claim(session, connection_id, clock.now())
    session.commit()
    if remote is None:
        return None
    try:
        listing = client.list_issues(remote, outbound)
    except BaseException:
        release(session, connection_id)
        session.commit()
        raise
    result = record(session, remote, listing, clock.now())
    session.commit()
    return result
