"""The inbox: /api/v1/inbox and each team's inbox setup, /api/v1/teams/{id}/inbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import importance, inputs
from devday.account.models import User
from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, IdQuery, SessionDep, StateDep
from devday.errors import Conflict, Invalid
from devday.inbox import imap, service, setup
from devday.inbox.models import InboxItem, ItemStatus, TeamInbox
from devday.inbox.schemas import (
    AcceptIn,
    AskCreate,
    DeclineIn,
    EventRead,
    ForwardIn,
    InboxItemRead,
    InboxPage,
    PollRead,
    SnoozeIn,
    SuggestionRead,
    TeamInboxRead,
    TeamInboxUpdate,
)
from devday.team.models import Team

router = APIRouter(prefix="/api/v1", tags=["inbox"])
IfMatch = Annotated[str | None, Header()]


def to_read(session: Session, items: Sequence[InboxItem], now: datetime) -> list[InboxItemRead]:
    """API views of ``items`` with their history and the suggestion for accepting them."""
    events = service.events_of(session=session, item_ids=[i.id for i in items])
    people: set[int] = set()
    for item in items:
        people.update(p for p in (item.recipient_id, item.sender_id) if p is not None)
        for event in events[item.id]:
            people.update(p for p in (event.actor_id, event.to_user_id) if p is not None)
    names = _names(session, people)
    statuses = service.task_statuses(session=session, items=items)
    result = []
    for item in items:
        hint = service.suggestion_for(session=session, item=item, now=now)
        result.append(
            InboxItemRead(
                id=item.id,
                team_id=item.team_id,
                recipient_id=item.recipient_id,
                recipient_name=names.get(item.recipient_id or 0),
                sender_id=item.sender_id,
                sender_email=item.sender_email,
                sender_name=names.get(item.sender_id or 0, item.sender_name),
                subject=item.subject,
                body=item.body,
                source=item.source,
                status=item.status,
                received_at=item.received_at,
                answered_at=item.answered_at,
                snoozed_until=item.snoozed_until,
                task_id=item.task_id,
                task_status=statuses.get(item.task_id or 0),
                reply=item.reply,
                suggestion=SuggestionRead(
                    importance=hint.importance,
                    priority=importance.label(hint.importance),
                    deadline=hint.deadline,
                    reason=hint.reason,
                ),
                events=[
                    EventRead(
                        kind=e.kind,
                        actor_id=e.actor_id,
                        actor_name=names.get(e.actor_id or 0),
                        to_user_id=e.to_user_id,
                        to_user_name=names.get(e.to_user_id or 0),
                        note=e.note,
                        at=e.at,
                    )
                    for e in events[item.id]
                ],
                version=item.version,
            )
        )
    return result


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def _one(session: Session, item: InboxItem, now: datetime, response: Response) -> InboxItemRead:
    response.headers["ETag"] = etag(item.version)
    return to_read(session, [item], now)[0]


@router.get("/inbox", response_model=InboxPage)
def list_inbox(
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    view: Annotated[
        inputs.Line | None,
        Query(
            max_length=10,
            description="open (waiting for you or, unassigned, your teams), snoozed, sent "
            "(what you asked), or all; the default is open, or all with `q`",
        ),
    ] = None,
    q: Annotated[
        inputs.Line | None,
        Query(max_length=200, description="Text in subject, body or sender; dismissed too"),
    ] = None,
    team_id: IdQuery = None,
    status_: Annotated[ItemStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> InboxPage:
    """Requests you can see, newest first. With `q` and no `view`, every request you can see
    is searched, including accepted, declined and forwarded ones."""
    if view is None:
        view = "all" if q else "open"
    filters = service.InboxFilter(view=view, team_id=team_id, text=q, status=status_)
    now = clock.now()
    rows = service.list_items(
        session=session, user=user, filters=filters, now=now, limit=limit + 1, offset=offset
    )
    return InboxPage(
        items=to_read(session, rows[:limit], now),
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(rows) > limit else None,
    )


@router.post("/inbox", status_code=status.HTTP_201_CREATED, response_model=InboxItemRead)
def ask(
    data: AskCreate, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> InboxItemRead:
    """Ask a teammate (`recipient_id`) or a team (`team_id`) for something; they are notified
    through their channels. A deadline in the text ("by Thu") is suggested when they accept."""
    item = service.ask(session=session, user=user, data=data, now=clock.now())
    session.commit()
    return _one(session, item, clock.now(), response)


@router.get("/inbox/{item_id}", response_model=InboxItemRead)
def read_item(
    item_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> InboxItemRead:
    """One request with its history; its ETag is the version to send when triaging it."""
    item = service.get_item(session=session, user=user, item_id=item_id)
    return _one(session, item, clock.now(), response)


@router.post("/inbox/{item_id}/accept", response_model=InboxItemRead)
def accept(
    item_id: IdPath,
    data: AcceptIn,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> InboxItemRead:
    """Accept: a task for you (source `inbox`) with the requester named on it, the importance
    and deadline suggested by the text unless you give them; the requester is told."""
    version = expected_version(if_match, data.version)
    item = service.accept(
        session=session, user=user, item_id=item_id, data=data, version=version, now=clock.now()
    )
    session.commit()
    return _one(session, item, clock.now(), response)


@router.post("/inbox/{item_id}/decline", response_model=InboxItemRead)
def decline(
    item_id: IdPath,
    data: DeclineIn,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> InboxItemRead:
    """Decline with a reply; it goes to the requester (by email when they wrote from outside)."""
    version = expected_version(if_match, data.version)
    item = service.decline(
        session=session,
        user=user,
        item_id=item_id,
        reply=data.reply,
        version=version,
        now=clock.now(),
    )
    session.commit()
    return _one(session, item, clock.now(), response)


@router.post("/inbox/{item_id}/snooze", response_model=InboxItemRead)
def snooze(
    item_id: IdPath,
    data: SnoozeIn,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> InboxItemRead:
    """Snooze until a time: it leaves the open list (`view=snoozed` shows it) and comes back
    by itself, with a notice."""
    version = expected_version(if_match, data.version)
    item = service.snooze(
        session=session,
        user=user,
        item_id=item_id,
        until=data.until,
        version=version,
        now=clock.now(),
    )
    session.commit()
    return _one(session, item, clock.now(), response)


@router.post("/inbox/{item_id}/forward", response_model=InboxItemRead)
def forward(
    item_id: IdPath,
    data: ForwardIn,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> InboxItemRead:
    """Forward to a teammate: it becomes theirs; you both keep seeing it and its history."""
    version = expected_version(if_match, data.version)
    item = service.forward(
        session=session,
        user=user,
        item_id=item_id,
        to_user_id=data.to_user_id,
        note=data.note,
        version=version,
        now=clock.now(),
    )
    session.commit()
    return _one(session, item, clock.now(), response)


# --- the team's setup ----------------------------------------------------------------------------


def setup_read(team: Team, row: TeamInbox | None, domain: str) -> TeamInboxRead:
    slug = row.slug if row else setup.suggested_slug(team)
    return TeamInboxRead(
        team_id=team.id,
        slug=slug,
        help_form=bool(row and row.help_form),
        help_url=f"/help/{slug}" if row and row.help_form else None,
        address=f"{slug}@{domain}" if row and domain else None,
        imap_enabled=bool(row and row.imap_enabled),
        imap_host=row.imap_host if row else "",
        imap_port=row.imap_port if row else 993,
        imap_tls=row.imap_tls if row else True,
        imap_user=row.imap_user if row else "",
        imap_password_set=bool(row and row.imap_password),
        imap_folder=row.imap_folder if row else "INBOX",
        poll_minutes=row.poll_minutes if row else 5,
        last_polled_at=row.last_polled_at if row else None,
        last_error=row.last_error if row else None,
        version=row.version if row else None,
    )


@router.get("/teams/{team_id}/inbox", response_model=TeamInboxRead)
def read_setup(
    team_id: IdPath, user: CurrentUser, session: SessionDep, state: StateDep, response: Response
) -> TeamInboxRead:
    """The team's inbox setup (members): its help form, mail address and IMAP mailbox. The
    IMAP password is never shown, only whether one is set."""
    team, row = setup.get(session=session, user=user, team_id=team_id)
    if row is not None:
        response.headers["ETag"] = etag(row.version)
    return setup_read(team, row, state.settings.inbox_domain)


@router.patch("/teams/{team_id}/inbox", response_model=TeamInboxRead)
def update_setup(
    team_id: IdPath,
    data: TeamInboxUpdate,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> TeamInboxRead:
    """Set up the team's inbox (owners and managers): the slug of its public help form
    (`/help/{slug}`) and mail address, and the IMAP mailbox to poll. The first call creates
    it; later ones need the version read."""
    _team, existing = setup.get(session=session, user=user, team_id=team_id)
    setup.may_set_up(session=session, user=user, team_id=team_id)  # before any look-up
    version = expected_version(if_match, data.version) if existing is not None else None
    current = (existing.imap_host, existing.imap_port) if existing is not None else ("", 993)
    session.commit()  # the host is looked up with no transaction open
    setup.refuse_host(current, data, state.settings.outbound_policy(), team_id)
    row = setup.update(
        session=session, user=user, team_id=team_id, data=data, version=version, now=clock.now()
    )
    session.commit()
    team, row_now = setup.get(session=session, user=user, team_id=team_id)
    response.headers["ETag"] = etag(row.version)
    return setup_read(team, row_now, state.settings.inbox_domain)


@router.post("/teams/{team_id}/inbox/poll", response_model=PollRead)
def poll_now(
    team_id: IdPath, user: CurrentUser, session: SessionDep, state: StateDep, clock: ClockDep
) -> PollRead:
    """Poll the team's IMAP mailbox now (members), rather than wait for the next scheduled
    poll; a failure is answered in `error` and kept as the setup's `last_error`. One poll of a
    mailbox runs at a time (409 while another runs) and polls are limited per team (429 with
    `Retry-After`, DEVDAY_INBOX_POLL_LIMIT_PER_TEAM). A host in the server's own network is
    refused unless the administrator allows it (DEVDAY_OUTBOUND_ALLOW)."""
    _team, row = setup.get(session=session, user=user, team_id=team_id)
    if row is None or not row.imap_host:
        raise Invalid("set up the team's IMAP mailbox first", field="imap_host")
    state.rate_limits.hit(
        state.settings.inbox_poll_limit_per_team,
        "inbox-poll",
        str(team_id),
        message="the team's mailbox was polled often just now; try again later",
    )
    outbound = state.settings.outbound_policy()
    result = imap.poll_now(session, state.session_factory, team_id, outbound, clock)
    if result is None:
        raise Conflict("the team's mailbox is being polled right now; try again in a moment")
    return PollRead(fetched=result.fetched, new=result.new, error=result.error)
