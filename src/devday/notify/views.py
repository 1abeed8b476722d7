"""The Outbox page's rows: what was sent where, and how it went, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.notify import service
from devday.notify.models import Channel, OutboxMessage, OutboxStatus

LIMIT = 100


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: datetime
    channel: str
    team: bool
    subject: str
    status: str  # "sent", "failed", "waiting for retry", "queued" or "sending"
    at: datetime | None  # when it was sent, or when it is tried next
    error: str | None
    attempts: int
    can_retry: bool


def status_of(message: OutboxMessage) -> tuple[str, datetime | None]:
    if message.status == OutboxStatus.delivered:
        return "sent", message.delivered_at
    if message.status == OutboxStatus.failed:
        return "failed", None
    if message.status == OutboxStatus.sending:
        return "sending", None
    if message.last_error is not None:
        return "waiting for retry", message.next_attempt_at
    return "queued", message.next_attempt_at


def _channel(message: OutboxMessage, name: str | None) -> str:
    if name:
        return f"{message.kind.value} {name}"
    # Sent to an address rather than through a channel: a team invitation.
    if message.channel_id is None and message.payload.get("kind") == "team-invitation":
        return f"{message.kind.value} to {message.target}"
    return f"{message.kind.value} (removed)"


def outbox_rows(*, session: Session, user: User) -> list[OutboxRow]:
    """The newest deliveries to the user's and their teams' channels (``service.list_outbox``)."""
    messages = service.list_outbox(session=session, user=user, limit=LIMIT)
    ids = {m.channel_id for m in messages if m.channel_id is not None}
    names: dict[int, str] = {}
    if ids:
        query = select(Channel.id, Channel.name).where(Channel.id.in_(ids))
        names = {channel_id: name for channel_id, name in session.execute(query)}
    rows = []
    for message in messages:
        status, at = status_of(message)
        name = names.get(message.channel_id or 0)
        rows.append(
            OutboxRow(
                id=message.id,
                created_at=message.created_at,
                channel=_channel(message, name),
                team=message.team_id is not None,
                subject=message.subject,
                status=status,
                at=at,
                error=message.last_error if status != "sent" else None,
                attempts=message.attempts,
                can_retry=service.can_retry(session=session, user=user, message=message),
            )
        )
    return rows
