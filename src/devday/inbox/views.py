"""What the Inbox page shows: each request with who sent it, to whom, the suggested priority
and deadline, its history, and whether the user may act on it; read from the inbox and team
services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import importance
from devday.account.models import User
from devday.deps import AppState
from devday.errors import DomainError
from devday.inbox import service
from devday.inbox.models import InboxItem, ItemSource, TeamInbox
from devday.team import service as team_service
from devday.team.models import Team, TeamMember
from devday.web.rendering import local

VIEWS = {"open": "Open", "snoozed": "Snoozed", "sent": "Sent", "all": "All"}
IMPORTANCE = {i: f"{importance.label(i)} {importance.NAMES[i]}" for i in (4, 3, 2, 1)}
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


@dataclass
class Row:
    """One request as the page shows it; a refused triage form fills ``errors`` and ``values``."""

    item: InboxItem
    can_act: bool
    sender: str
    recipient: str
    team: str
    importance: int
    deadline: str
    reason: str
    mates: list[tuple[int, str]]
    events: list[tuple[str, str]]
    task_status: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    open_form: str = ""
    values: dict[str, str] = field(default_factory=dict)


def _teams(
    session: Session, user: User
) -> tuple[dict[int, Team], dict[int, TeamMember], dict[int, list[tuple[int, str]]]]:
    teams = {t.id: t for t, _role in team_service.list_teams(session=session, user=user)}
    mine = {
        m.team_id: m
        for m in session.scalars(select(TeamMember).where(TeamMember.user_id == user.id))
    }
    members: dict[int, list[tuple[int, str]]] = {team_id: [] for team_id in teams}
    if teams:
        rows = session.execute(
            select(TeamMember.team_id, User.id, User.name)
            .join(User, User.id == TeamMember.user_id)
            .where(TeamMember.team_id.in_(teams))
            .order_by(User.name, User.id)
        )
        for team_id, user_id, name in rows:
            members[team_id].append((user_id, name))
    return teams, mine, members


def _can_act(item: InboxItem, user: User, mine: dict[int, TeamMember]) -> bool:
    if item.status in service.DONE:
        return False
    if item.recipient_id == user.id:
        return True
    member = mine.get(item.team_id) if item.team_id is not None else None
    return member is not None and (
        item.recipient_id is None or member.role in team_service.MANAGING_ROLES
    )


def _rows(session: Session, user: User, items: list[InboxItem], now: datetime) -> list[Row]:
    teams, mine, members = _teams(session, user)
    everyone = sorted({m for team in members.values() for m in team}, key=lambda m: m[1])
    events = service.events_of(session=session, item_ids=[i.id for i in items])
    ids = {p for i in items for p in (i.recipient_id, i.sender_id) if p}
    ids |= {p for evs in events.values() for e in evs for p in (e.actor_id, e.to_user_id) if p}
    names = (
        {
            uid: name
            for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        }
        if ids
        else {}
    )
    zone = user.timezone
    statuses = service.task_statuses(session=session, items=items)
    rows = []
    for item in items:
        hint = service.suggestion_for(session=session, item=item, now=now)
        mates = members.get(item.team_id, []) if item.team_id is not None else everyone
        history = []
        for event in events[item.id]:
            who = names.get(event.actor_id or 0, "")
            text = event.kind.value
            if event.to_user_id:
                text += f" to {names.get(event.to_user_id, '?')}"
            if who:
                text += f" by {who}"
            if event.note:
                text += f": {event.note}"
            history.append((local(event.at, zone, now=now), text))
        sender = names.get(item.sender_id or 0) or item.sender_name or item.sender_email or "?"
        if item.sender_email and item.source != ItemSource.colleague:
            sender = f"{item.sender_name or ''} <{item.sender_email}>".strip()
        rows.append(
            Row(
                item=item,
                can_act=_can_act(item, user, mine),
                sender=sender,
                recipient=names.get(item.recipient_id or 0, ""),
                team=teams[item.team_id].name if item.team_id in teams else "",
                importance=hint.importance,
                deadline=local(hint.deadline, zone, LOCAL_INPUT),
                reason=hint.reason,
                mates=[m for m in mates if m[0] != item.recipient_id],
                events=history,
                task_status=statuses.get(item.task_id or 0, ""),
            )
        )
    return rows


def page_context(
    session: Session, user: User, now: datetime, view: str, q: str, item_id: int | None = None
) -> dict[str, Any]:
    if view not in VIEWS:
        view = "open"
    if q.strip() and view == "open":
        view = "all"
    filters = service.InboxFilter(view=view, text=q.strip() or None)
    items = list(
        service.list_items(
            session=session, user=user, filters=filters, now=now, limit=100, offset=0
        )
    )
    if item_id is not None and all(i.id != item_id for i in items):
        try:
            items.insert(0, service.get_item(session=session, user=user, item_id=item_id))
        except DomainError:
            pass
    teams, _mine, members = _teams(session, user)
    everyone = sorted(
        {m for team in members.values() for m in team if m[0] != user.id}, key=lambda m: m[1]
    )
    forms = session.scalars(
        select(TeamInbox).where(TeamInbox.team_id.in_(teams), TeamInbox.help_form.is_(True))
    ).all()
    tomorrow = now.astimezone(ZoneInfo(user.timezone)).date() + timedelta(days=1)
    return {
        "view": view,
        "views": VIEWS,
        "q": q,
        "rows": _rows(session, user, items, now),
        "importance_labels": IMPORTANCE,
        "teams": sorted(teams.values(), key=lambda t: t.name),
        "help_forms": sorted((teams[f.team_id].name, f.slug) for f in forms),
        "mates": everyone,
        "snooze_default": datetime.combine(tomorrow, time(9, 0)).strftime(LOCAL_INPUT),
        "ask": {"values": {}, "errors": {}},
        "error": None,
        "notice": None,
    }


def open_count(request: Request, user: User | None) -> int:
    """The nav's count of requests waiting for the signed-in user: two indexed queries."""
    if user is None:
        return 0
    app_state: AppState = request.app.state.devday
    with app_state.session_factory() as session:
        return service.open_count(session=session, user=user, now=app_state.clock.now())
