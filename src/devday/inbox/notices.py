"""Who hears about an inbox item, and what they read: all through the notification outbox.

A colleague hears through their own channels; an outside requester by email to the address
they wrote from (queued in the outbox like any channel message, under the item's team).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.inbox.models import InboxItem
from devday.notify import service as notify_service
from devday.notify.models import Channel, ChannelKind
from devday.task.models import Source, Task
from devday.task.service import TaskFinished
from devday.team.models import Team


def requester(session: Session, item: InboxItem) -> str:
    """The requester as a person reads it: "Sam Okafor <sam@example.com>"."""
    if item.sender_id is not None and (sender := session.get(User, item.sender_id)):
        return f"{sender.name} <{sender.email}>"
    if item.sender_name and item.sender_email:
        return f"{item.sender_name} <{item.sender_email}>"
    return item.sender_email or item.sender_name or "someone"


def _requester_timezone(session: Session, item: InboxItem) -> str:
    if item.sender_id is not None and (sender := session.get(User, item.sender_id)):
        return sender.timezone
    if item.team_id is not None and (team := session.get(Team, item.team_id)):
        return team.timezone
    return "UTC"


def _own_channels(session: Session, user_id: int) -> list[Channel]:
    channels = notify_service.channels_for_user(session=session, user_id=user_id)
    return [c for c in channels if c.user_id == user_id]


def _payload(item: InboxItem, event: str) -> dict[str, object]:
    return {"event": event, "item_id": item.id, "link": f"/inbox?item={item.id}"}


def new_request(*, session: Session, item: InboxItem, now: datetime) -> None:
    """Tells the recipient, or the team's channels when it is addressed to the team."""
    if item.recipient_id is not None:
        channels = _own_channels(session, item.recipient_id)
    elif item.team_id is not None:
        channels = notify_service.channels_for_team(session=session, team_id=item.team_id)
    else:  # pragma: no cover - an item always has a recipient or a team
        return
    who = requester(session, item)
    notify_service.enqueue(
        session=session,
        channels=channels,
        subject=f"New request: {item.subject}",
        text=f"{who} asks: {item.subject}\n\n{item.body}".strip(),
        html=None,
        payload=_payload(item, "inbox.received"),
        now=now,
        dedupe_key=f"inbox:{item.id}:received",
    )


def answered(
    *, session: Session, item: InboxItem, actor: User, task: Task | None, now: datetime
) -> None:
    """Tells the requester that their request was accepted (with the deadline) or declined
    (with the reply)."""
    if task is not None:
        verb = "accepted"
        lines = [f"{actor.name} accepted your request “{item.subject}”."]
        if task.deadline_at is not None:
            zone = _requester_timezone(session, item)
            due = task.deadline_at.astimezone(ZoneInfo(zone))
            lines.append(f"Planned to be done by {due:%a %d %b %H:%M} ({zone}).")
    else:
        verb = "declined"
        lines = [f"{actor.name} declined your request “{item.subject}”."]
    if item.reply:
        lines += ["", item.reply]
    _to_requester(
        session,
        item,
        subject=f"Re: {item.subject}",
        text="\n".join(lines),
        event=f"inbox.{verb}",
        now=now,
    )


def task_done(session: Session, event: TaskFinished) -> None:
    """Tells the requester that the task made from their request is done; it hears the task
    service's ``TaskFinished`` (wired in ``devday.wiring``), so it runs however the task was
    finished."""
    task, now = event.task, event.now
    if task.source != Source.inbox:
        return
    item = session.scalar(select(InboxItem).where(InboxItem.task_id == task.id))
    if item is None:
        return
    who = session.get(User, task.assignee_id or task.owner_id)
    name = who.name if who is not None else "Someone"
    _to_requester(
        session,
        item,
        subject=f"Done: {item.subject}",
        text=f"{name} finished your request “{item.subject}”.",
        event="inbox.done",
        now=now,
    )


def forwarded(*, session: Session, item: InboxItem, actor: User, note: str, now: datetime) -> None:
    if item.recipient_id is None:  # pragma: no cover - forwarding always names someone
        return
    text = f"{actor.name} forwarded you a request from {requester(session, item)}: {item.subject}"
    if note:
        text += f"\n\n{note}"
    notify_service.enqueue(
        session=session,
        channels=_own_channels(session, item.recipient_id),
        subject=f"Forwarded to you: {item.subject}",
        text=text,
        html=None,
        payload=_payload(item, "inbox.forwarded"),
        now=now,
        dedupe_key=f"inbox:{item.id}:forwarded:{item.version}",
    )


def woke(*, session: Session, item: InboxItem, now: datetime) -> None:
    if item.recipient_id is None:
        return
    notify_service.enqueue(
        session=session,
        channels=_own_channels(session, item.recipient_id),
        subject=f"Back in your inbox: {item.subject}",
        text=f"The request “{item.subject}” you snoozed is back in your inbox.",
        html=None,
        payload=_payload(item, "inbox.woke"),
        now=now,
    )


def _to_requester(
    session: Session, item: InboxItem, *, subject: str, text: str, event: str, now: datetime
) -> None:
    if item.sender_id is not None:
        channels = _own_channels(session, item.sender_id)
    elif item.sender_email:
        # Not stored: a one-off email target, copied into the outbox message like any channel.
        channels = [
            Channel(
                kind=ChannelKind.email,
                name="requester",
                target=item.sender_email,
                secret="",
                user_id=None,
                team_id=item.team_id,
            )
        ]
    else:
        return
    notify_service.enqueue(
        session=session,
        channels=channels,
        subject=subject,
        text=text,
        html=None,
        payload=_payload(item, event),
        now=now,
    )
