"""Channels and the outbox. ``enqueue`` is what other domains call to notify someone.

Plain functions over a caller-owned session: nothing here commits. A message enqueued in the
transaction that makes its cause exists if and only if that transaction commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import false, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Conflict, Invalid, NotFound
from devday.netguard import STRICT, OutboundPolicy, Vetted, vetted
from devday.notify import apprise_target
from devday.notify.models import Channel, ChannelKind, OutboxMessage, OutboxStatus
from devday.notify.schemas import ChannelCreate
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action

SUBJECT_MAX = 300
DEDUPE_KEY_MAX = 300


def create_channel(
    *,
    session: Session,
    user: User,
    data: ChannelCreate,
    now: datetime,
    outbound: OutboundPolicy | Vetted = STRICT,
) -> Channel:
    """A personal channel, or a team's when ``team_id`` names a team the caller manages.

    A webhook aimed at a loopback, private or other internal address is refused unless
    ``outbound`` (the administrator's setting) allows it, for every team or for the channel's
    team (a personal channel gets only what is allowed for every team). Pass the ``Vetted`` of
    ``netguard.with_lookups`` (a route's ``Outbound.run``) so that the host was looked up before
    the transaction began."""
    if data.team_id is not None:
        _require_manager(session, user, data.team_id, missing_field="team_id")
    if data.kind != ChannelKind.email:
        reason = vetted(outbound).reason(guarded_url(data.kind, data.target), team_id=data.team_id)
        if reason:
            raise Invalid(reason, field="target")
    channel = Channel(
        user_id=None if data.team_id is not None else user.id,
        team_id=data.team_id,
        kind=data.kind,
        name=data.name.strip(),
        target=data.target,
        secret=secrets.token_hex(32),
        created_at=now,
    )
    session.add(channel)
    session.flush()
    return channel


def guarded_url(kind: ChannelKind, target: str) -> str:
    """The http(s) URL the outbound guard checks for a channel: its target, or for an Apprise
    URL the host and port its service connects to."""
    if kind == ChannelKind.apprise:
        try:
            return apprise_target.endpoint(target).url
        except ValueError as exc:
            raise Invalid(str(exc), field="target") from None
    return target


def list_channels(*, session: Session, user: User) -> list[Channel]:
    """The caller's own channels and those of every team they belong to."""
    return channels_for_user(session=session, user_id=user.id)


def get_channel(*, session: Session, user: User, channel_id: int) -> Channel:
    """A channel the caller can see; NotFound for any other (existence does not leak)."""
    channel = session.get(Channel, channel_id)
    if channel is None or not _can_see(session, user, channel):
        raise NotFound("channel not found")
    return channel


def delete_channel(*, session: Session, user: User, channel_id: int) -> None:
    """Deletes a channel; its queued messages keep their copied target and are still sent."""
    channel = _get_managed(session, user, channel_id)
    session.delete(channel)
    session.flush()


def send_test(
    *, session: Session, user: User, channel_id: int, text: str | None, now: datetime
) -> OutboxMessage:
    """Queues a test message through one channel the caller may manage."""
    channel = _get_managed(session, user, channel_id)
    body = text or f"This is a test of the devday channel {channel.name!r}. It works."
    [message] = enqueue(
        session=session,
        channels=[channel],
        subject=f"devday test: {channel.name}",
        text=body,
        html=None,
        payload={"event": "channel.test", "channel_id": channel.id},
        now=now,
    )
    return message


def channels_for_user(*, session: Session, user_id: int) -> list[Channel]:
    """The user's own channels plus the channels of every team they belong to."""
    team_ids = team_service.team_ids_of(session=session, user_id=user_id)
    query = select(Channel).where(
        or_(Channel.user_id == user_id, Channel.team_id.in_(team_ids) if team_ids else false())
    )
    return list(session.scalars(query.order_by(Channel.id)))


def channels_for_team(*, session: Session, team_id: int) -> list[Channel]:
    """The team's own channels (not its members' personal ones)."""
    query = select(Channel).where(Channel.team_id == team_id).order_by(Channel.id)
    return list(session.scalars(query))


def enqueue(
    *,
    session: Session,
    channels: Sequence[Channel],
    subject: str,
    text: str,
    html: str | None,
    payload: dict[str, Any],
    now: datetime,
    dedupe_key: str | None = None,
) -> list[OutboxMessage]:
    """Queues one message per channel, due at ``now``, in the caller's transaction.

    With ``dedupe_key`` the message for a channel is keyed ``f"{dedupe_key}:{channel.id}"``;
    enqueueing a key again (even from another process) is a no-op. Returns the messages this
    call created, so duplicates are left out. ``text`` is plain text or Markdown; ``html`` is
    the optional rich part of emails.
    """
    created: list[OutboxMessage] = []
    for channel in channels:
        key = None if dedupe_key is None else f"{dedupe_key}:{channel.id}"
        if key is not None and len(key) > DEDUPE_KEY_MAX:
            raise ValueError(f"dedupe_key is longer than {DEDUPE_KEY_MAX - 12} characters")
        values: dict[str, Any] = {
            "delivery_id": uuid4().hex,
            "channel_id": channel.id,
            "user_id": channel.user_id,
            "team_id": channel.team_id,
            "kind": channel.kind,
            "target": channel.target,
            "secret": channel.secret,
            # Subjects come from user data (task titles); a long one is cut, not refused.
            "subject": subject[:SUBJECT_MAX],
            "text": text,
            "html": html,
            "payload": payload,
            "dedupe_key": key,
            "status": OutboxStatus.pending,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        if key is None:
            message = OutboxMessage(**values)
            session.add(message)
            created.append(message)
            continue
        # ON CONFLICT DO NOTHING rather than check-then-insert: two transactions enqueueing
        # the same key at once must not fail the later one's cause.
        insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
        statement = (
            insert(OutboxMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.id)
        )
        new_id = session.scalar(statement)
        if new_id is not None:
            created.append(session.get_one(OutboxMessage, new_id))
    session.flush()
    return created


def list_outbox(
    *, session: Session, user: User, status: OutboxStatus | None = None, limit: int = 50
) -> list[OutboxMessage]:
    """The newest messages to the caller's own channels and their teams' channels."""
    team_ids = team_service.team_ids_of(session=session, user_id=user.id)
    query = select(OutboxMessage).where(
        or_(
            OutboxMessage.user_id == user.id,
            OutboxMessage.team_id.in_(team_ids) if team_ids else false(),
        )
    )
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    query = query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    return list(session.scalars(query))


def get_message(*, session: Session, user: User, message_id: int) -> OutboxMessage:
    """A message of the caller's own channels or their teams'; NotFound for any other."""
    message = session.get(OutboxMessage, message_id)
    if message is None or not _can_see_message(session, user, message):
        raise NotFound("delivery not found")
    return message


def can_retry(*, session: Session, user: User, message: OutboxMessage) -> bool:
    """Whether ``user`` may send ``message`` again now: it failed, or waits for its next
    attempt after a failure, and it is theirs or their team's and they manage its channels."""
    if not (message.status == OutboxStatus.failed or _waiting(message)):
        return False
    if message.team_id is None:
        return message.user_id == user.id
    member = team_service.membership(session=session, team_id=message.team_id, user_id=user.id)
    return member is not None and policy.allows(member.role, Action.manage_channels)


def retry_message(*, session: Session, user: User, message_id: int, now: datetime) -> OutboxMessage:
    """Makes a failed message (or one waiting for its next attempt) due at ``now``, its attempts
    counted afresh and its error cleared; the worker sends it with the same delivery id. A
    team's message needs the team's owner or manager role. Conflict when it is not waiting:
    delivered, or being sent right now."""
    message = get_message(session=session, user=user, message_id=message_id)
    if message.team_id is not None:
        _require_manager(session, user, message.team_id, missing_field=None)
    if not (message.status == OutboxStatus.failed or _waiting(message)):
        raise Conflict(f"this delivery is {message.status.value}; only a failed one is retried")
    # Conditional, like the worker's claim: a worker that took the message meanwhile wins.
    changed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status.in_((OutboxStatus.failed, OutboxStatus.pending)),
        )
        .values(
            status=OutboxStatus.pending,
            attempts=0,
            last_error=None,
            next_attempt_at=now,
            claimed_by=None,
            claimed_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        raise Conflict("this delivery is being sent right now")
    session.refresh(message)
    return message


def _waiting(message: OutboxMessage) -> bool:
    return message.status == OutboxStatus.pending and message.last_error is not None


def _can_see_message(session: Session, user: User, message: OutboxMessage) -> bool:
    if message.user_id is not None:
        return message.user_id == user.id
    return message.team_id is not None and (
        team_service.membership(session=session, team_id=message.team_id, user_id=user.id)
        is not None
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _can_see(session: Session, user: User, channel: Channel) -> bool:
    if channel.user_id == user.id:
        return True
    return channel.team_id is not None and (
        team_service.membership(session=session, team_id=channel.team_id, user_id=user.id)
        is not None
    )


def _get_managed(session: Session, user: User, channel_id: int) -> Channel:
    channel = get_channel(session=session, user=user, channel_id=channel_id)
    if channel.team_id is not None:
        _require_manager(session, user, channel.team_id, missing_field=None)
    return channel


def _require_manager(session: Session, user: User, team_id: int, missing_field: str | None) -> None:
    member = team_service.membership(session=session, team_id=team_id, user_id=user.id)
    if member is None:
        if missing_field is not None:
            raise Invalid(f"team {team_id} not found", field=missing_field)
        raise NotFound("channel not found")
    policy.require_role(member.role, Action.manage_channels)
