"""Requests in, triage out: ask, receive from outside, accept, decline, snooze, forward, search.

Visibility: an item is seen by its recipient, its sender, every member of its team, and
whoever acted on it before (a forwarder keeps the history). Anyone else gets NotFound.
Plain functions over a caller-owned session; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Conflict, Forbidden, Invalid, NotFound
from devday.inbox import notices
from devday.inbox.models import EventKind, InboxEvent, InboxItem, ItemSource, ItemStatus
from devday.inbox.schemas import AcceptIn, AskCreate
from devday.inbox.suggest import Suggestion, suggest
from devday.jobs import service as jobs_service
from devday.task import service as task_service
from devday.task.models import Kind, Source, Task
from devday.task.schemas import TaskCreate
from devday.team import service as team_service
from devday.team.models import Team

OPEN_LIKE = (ItemStatus.open, ItemStatus.forwarded)
DONE = (ItemStatus.accepted, ItemStatus.declined)
VIEWS = ("open", "snoozed", "sent", "all")
WAKE = "inbox.wake"
BODY_MAX = 20_000


@dataclass(frozen=True)
class InboxFilter:
    view: str = "open"
    team_id: int | None = None
    text: str | None = None
    status: ItemStatus | None = None


def visible(user_id: int, team_ids: list[int]) -> ColumnElement[bool]:
    acted = select(InboxEvent.item_id).where(InboxEvent.actor_id == user_id)
    return or_(
        InboxItem.recipient_id == user_id,
        InboxItem.sender_id == user_id,
        InboxItem.team_id.in_(team_ids) if team_ids else false(),
        InboxItem.id.in_(acted),
    )


def _mine_to_answer(user_id: int, team_ids: list[int]) -> ColumnElement[bool]:
    """Addressed to the user, or to one of their teams and not yet taken by anyone."""
    return or_(
        InboxItem.recipient_id == user_id,
        and_(
            InboxItem.recipient_id.is_(None),
            InboxItem.team_id.in_(team_ids) if team_ids else false(),
        ),
    )


def _waiting(now: datetime) -> ColumnElement[bool]:
    """Open, forwarded, or snoozed until a time that has come."""
    return or_(
        InboxItem.status.in_(OPEN_LIKE),
        and_(InboxItem.status == ItemStatus.snoozed, InboxItem.snoozed_until <= now),
    )


def get_item(*, session: Session, user: User, item_id: int) -> InboxItem:
    item = session.get(InboxItem, item_id)
    if item is None or not can_see(session=session, user=user, item=item):
        raise NotFound(f"inbox item {item_id} not found")
    return item


def can_see(*, session: Session, user: User, item: InboxItem) -> bool:
    if user.id in (item.recipient_id, item.sender_id):
        return True
    if item.team_id is not None and team_service.membership(
        session=session, team_id=item.team_id, user_id=user.id
    ):
        return True
    acted = select(InboxEvent.id).where(
        InboxEvent.item_id == item.id, InboxEvent.actor_id == user.id
    )
    return session.scalar(acted.limit(1)) is not None


def list_items(
    *,
    session: Session,
    user: User,
    filters: InboxFilter,
    now: datetime,
    limit: int,
    offset: int,
) -> Sequence[InboxItem]:
    """Items in ``filters.view``: ``open`` (waiting for the caller or their teams), ``snoozed``,
    ``sent`` (what the caller asked) or ``all``; ``text`` searches subject, body and sender in
    every item the caller can see, dismissed ones included. Newest first."""
    if filters.view not in VIEWS:
        raise Invalid(f"unknown view {filters.view!r}; use {', '.join(VIEWS)}", field="view")
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    query = select(InboxItem).where(visible(user.id, team_ids))
    if filters.view == "open":
        query = query.where(_mine_to_answer(user.id, team_ids), _waiting(now))
    elif filters.view == "snoozed":
        query = query.where(
            _mine_to_answer(user.id, team_ids),
            InboxItem.status == ItemStatus.snoozed,
            InboxItem.snoozed_until > now,
        )
    elif filters.view == "sent":
        query = query.where(InboxItem.sender_id == user.id)
    if filters.team_id is not None:
        query = query.where(InboxItem.team_id == filters.team_id)
    if filters.status is not None:
        query = query.where(InboxItem.status == filters.status)
    if filters.text and filters.text.strip():
        pattern = "%" + _escape_like(filters.text.strip().lower()) + "%"
        senders = select(User.id).where(User.name.ilike(pattern, escape="\\"))
        query = query.where(
            or_(
                InboxItem.subject.ilike(pattern, escape="\\"),
                InboxItem.body.ilike(pattern, escape="\\"),
                InboxItem.sender_name.ilike(pattern, escape="\\"),
                InboxItem.sender_email.ilike(pattern, escape="\\"),
                InboxItem.sender_id.in_(senders),
            )
        )
    query = query.order_by(InboxItem.received_at.desc(), InboxItem.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()


def open_count(*, session: Session, user: User, now: datetime) -> int:
    """How many items wait for the caller (or, unassigned, for one of their teams)."""
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    query = (
        select(func.count())
        .select_from(InboxItem)
        .where(_mine_to_answer(user.id, team_ids), _waiting(now))
    )
    return int(session.scalar(query) or 0)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- in ------------------------------------------------------------------------------------------


def ask(*, session: Session, user: User, data: AskCreate, now: datetime) -> InboxItem:
    """A colleague's request; the recipient (or the team) is notified."""
    if data.recipient_id is None and data.team_id is None:
        raise Invalid("name a teammate (recipient_id) or a team (team_id)", field="recipient_id")
    my_teams = team_service.team_ids_of(session=session, user_id=user.id)
    if data.team_id is not None and data.team_id not in my_teams:
        raise Invalid(f"team {data.team_id} not found", field="team_id")
    if data.recipient_id is not None:
        if data.recipient_id == user.id:
            raise Invalid("that is you; add a task instead", field="recipient_id")
        theirs = team_service.team_ids_of(session=session, user_id=data.recipient_id)
        shared = [data.team_id] if data.team_id is not None else my_teams
        if not set(shared) & set(theirs):
            where = "this team" if data.team_id is not None else "any of your teams"
            raise Invalid(f"user {data.recipient_id} is not in {where}", field="recipient_id")
    item = InboxItem(
        team_id=data.team_id,
        recipient_id=data.recipient_id,
        sender_id=user.id,
        sender_email=user.email,
        sender_name=user.name,
        subject=data.subject,
        body=data.body.strip(),
        source=ItemSource.colleague,
        status=ItemStatus.open,
        received_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    _event(session, item, EventKind.received, actor=user.id, to=data.recipient_id, now=now)
    notices.new_request(session=session, item=item, now=now)
    return item


def receive(
    *,
    session: Session,
    team: Team,
    source: ItemSource,
    sender_email: str,
    sender_name: str,
    subject: str,
    body: str,
    now: datetime,
    message_id: str | None = None,
) -> InboxItem | None:
    """A request from outside (a mail or the help form) to ``team``, unassigned.

    None when ``message_id`` is already in this team's inbox: a mail polled or delivered
    twice is one item."""
    if message_id is not None and _known(session, team.id, message_id):
        return None
    item = InboxItem(
        team_id=team.id,
        sender_email=sender_email.strip()[:254] or None,
        sender_name=" ".join(sender_name.split())[:100] or None,
        subject=" ".join(subject.split())[:300] or "(no subject)",
        body=body.strip()[:BODY_MAX],
        source=source,
        status=ItemStatus.open,
        received_at=now,
        updated_at=now,
        message_id=message_id[:300] if message_id else None,
    )
    try:
        # A savepoint: another process storing the same mail at once loses only this insert.
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError:
        return None
    _event(session, item, EventKind.received, actor=None, to=None, now=now)
    notices.new_request(session=session, item=item, now=now)
    return item


def _known(session: Session, team_id: int, message_id: str) -> bool:
    query = select(InboxItem.id).where(
        InboxItem.team_id == team_id, InboxItem.message_id == message_id[:300]
    )
    return session.scalar(query.limit(1)) is not None


def known_message_ids(*, session: Session, team_id: int, message_ids: list[str]) -> set[str]:
    if not message_ids:
        return set()
    query = select(InboxItem.message_id).where(
        InboxItem.team_id == team_id, InboxItem.message_id.in_([m[:300] for m in message_ids])
    )
    return {m for m in session.scalars(query) if m is not None}


# --- triage --------------------------------------------------------------------------------------


def suggestion_for(*, session: Session, item: InboxItem, now: datetime) -> Suggestion:
    """The importance and deadline the item's text suggests, read in its recipient's timezone
    (the team's while unassigned)."""
    timezone = _timezone(session, item)
    return suggest(f"{item.subject}\n{item.body}", now=now, timezone=timezone)


def _timezone(session: Session, item: InboxItem) -> str:
    if item.recipient_id is not None and (who := session.get(User, item.recipient_id)):
        return who.timezone
    if item.team_id is not None and (team := session.get(Team, item.team_id)):
        return team.timezone
    return "UTC"


def accept(
    *, session: Session, user: User, item_id: int, data: AcceptIn, version: int, now: datetime
) -> InboxItem:
    """Makes the request the caller's task (kind support for outside requests), keeps the
    requester on it, and tells them."""
    item = _triage(session, user, item_id, version, "accept")
    item.recipient_id = user.id  # whoever takes it on is the one it is for
    hint = suggestion_for(session=session, item=item, now=now)
    deadline = None if data.no_deadline else (data.deadline or hint.deadline)
    task = task_service.create_task(
        session=session,
        user=user,
        data=TaskCreate(
            title=data.title.strip() if data.title else item.subject,
            notes=_task_notes(session, item),
            importance=data.importance or hint.importance,
            deadline=deadline,
            estimate_minutes=data.estimate_minutes,
            project_id=data.project_id,
            kind=Kind.support if item.source != ItemSource.colleague else Kind.other,
            tags=["inbox"],
            source=Source.inbox,
        ),
        now=now,
    )
    item.task_id = task.id
    item.reply = data.reply.strip()
    _close(session, item, user, ItemStatus.accepted, EventKind.accepted, item.reply, now)
    notices.answered(session=session, item=item, actor=user, task=task, now=now)
    return item


def decline(
    *, session: Session, user: User, item_id: int, reply: str, version: int, now: datetime
) -> InboxItem:
    """Declines with a reply, which goes to the requester."""
    reply = reply.strip()
    if not reply:
        raise Invalid("say why, for the requester", field="reply")
    item = _triage(session, user, item_id, version, "decline")
    item.recipient_id = user.id
    item.reply = reply
    _close(session, item, user, ItemStatus.declined, EventKind.declined, reply, now)
    notices.answered(session=session, item=item, actor=user, task=None, now=now)
    return item


def snooze(
    *, session: Session, user: User, item_id: int, until: datetime, version: int, now: datetime
) -> InboxItem:
    """Hides the item from the open list until ``until``; it comes back by itself."""
    if until <= now:
        raise Invalid("snooze until a time in the future", field="until")
    item = _triage(session, user, item_id, version, "snooze")
    item.status = ItemStatus.snoozed
    item.snoozed_until = until
    item.updated_at = now
    _event(session, item, EventKind.snoozed, actor=user.id, to=None, now=now)
    flush_versioned(session, f"inbox item {item_id}")
    # One wake-up per instant wakes every item due by then; scheduling it twice is a no-op.
    jobs_service.schedule(session=session, kind=WAKE, due_at=until, now=now)
    return item


def forward(
    *,
    session: Session,
    user: User,
    item_id: int,
    to_user_id: int,
    note: str,
    version: int,
    now: datetime,
) -> InboxItem:
    """Hands the item to a teammate; both keep seeing it and its history."""
    item = _triage(session, user, item_id, version, "forward")
    if to_user_id == item.recipient_id:
        raise Invalid("it is already theirs", field="to_user_id")
    target = session.get(User, to_user_id)
    allowed: bool
    if item.team_id is not None:
        found = team_service.membership(session=session, team_id=item.team_id, user_id=to_user_id)
        allowed = found is not None
    else:
        mine = set(team_service.team_ids_of(session=session, user_id=user.id))
        allowed = bool(mine & set(team_service.team_ids_of(session=session, user_id=to_user_id)))
    if target is None or not allowed:
        raise Invalid(f"user {to_user_id} is not a teammate", field="to_user_id")
    item.recipient_id = target.id
    item.status = ItemStatus.forwarded
    item.snoozed_until = None
    item.answered_at = item.answered_at or now
    item.updated_at = now
    _event(session, item, EventKind.forwarded, actor=user.id, to=target.id, note=note, now=now)
    flush_versioned(session, f"inbox item {item_id}")
    notices.forwarded(session=session, item=item, actor=user, note=note.strip(), now=now)
    return item


def wake_due(*, session: Session, now: datetime) -> list[InboxItem]:
    """Snoozed items whose time has come go back to open; their recipients are told."""
    due = session.scalars(
        select(InboxItem).where(
            InboxItem.status == ItemStatus.snoozed, InboxItem.snoozed_until <= now
        )
    ).all()
    for item in due:
        item.status = ItemStatus.open
        item.snoozed_until = None
        item.updated_at = now
        _event(session, item, EventKind.woke, actor=None, to=None, now=now)
        notices.woke(session=session, item=item, now=now)
    session.flush()
    return list(due)


def events_of(*, session: Session, item_ids: Sequence[int]) -> dict[int, list[InboxEvent]]:
    result: dict[int, list[InboxEvent]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        query = (
            select(InboxEvent)
            .where(InboxEvent.item_id.in_(item_ids))
            .order_by(InboxEvent.at, InboxEvent.id)
        )
        for event in session.scalars(query):
            result[event.item_id].append(event)
    return result


def _triage(session: Session, user: User, item_id: int, version: int, verb: str) -> InboxItem:
    item = get_item(session=session, user=user, item_id=item_id)
    check_version(item.version, version, f"inbox item {item_id}")
    if item.status in DONE:
        raise Conflict(f"this request was already {item.status.value}", field="status")
    if item.recipient_id == user.id:
        return item
    member = (
        team_service.membership(session=session, team_id=item.team_id, user_id=user.id)
        if item.team_id is not None
        else None
    )
    if member is not None and (
        item.recipient_id is None or member.role in team_service.MANAGING_ROLES
    ):
        return item
    raise Forbidden(f"only its recipient can {verb} this request")


def _close(
    session: Session,
    item: InboxItem,
    user: User,
    status: ItemStatus,
    kind: EventKind,
    note: str,
    now: datetime,
) -> None:
    item.status = status
    item.snoozed_until = None
    item.answered_at = item.answered_at or now
    item.updated_at = now
    _event(session, item, kind, actor=user.id, to=None, note=note, now=now)
    flush_versioned(session, f"inbox item {item.id}")


def _event(
    session: Session,
    item: InboxItem,
    kind: EventKind,
    *,
    actor: int | None,
    to: int | None,
    now: datetime,
    note: str = "",
) -> None:
    session.add(
        InboxEvent(item_id=item.id, kind=kind, actor_id=actor, to_user_id=to, note=note, at=now)
    )


def _task_notes(session: Session, item: InboxItem) -> str:
    who = notices.requester(session, item)
    lines = [item.body.strip(), "", f"Requested by {who} (inbox request #{item.id})."]
    return "\n".join(lines).strip()[:50_000]


def task_statuses(*, session: Session, items: Sequence[InboxItem]) -> dict[int, str]:
    """Where the task made from each accepted item stands (todo, doing, done or dropped), so
    the requester can follow it without seeing the task itself."""
    task_ids = [i.task_id for i in items if i.task_id is not None]
    if not task_ids:
        return {}
    rows = session.execute(select(Task.id, Task.status).where(Task.id.in_(task_ids)))
    return {task_id: status.value for task_id, status in rows}
