"""Notification channels and the outbox: /api/v1/channels, /api/v1/outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from devday.deps import ClockDep, CurrentUser, IdPath, OutboundDep, SessionDep
from devday.notify import service
from devday.notify.models import Channel, OutboxStatus
from devday.notify.schemas import (
    ChannelCreate,
    ChannelCreated,
    ChannelRead,
    ChannelTest,
    OutboxRead,
    masked,
)

router = APIRouter(prefix="/api/v1", tags=["notifications"])

TEST_EXAMPLES = {
    "default": {"summary": "the default test text", "value": {}},
    "custom": {"summary": "your own text", "value": {"text": "Deploys go here from now on."}},
}


def _read(channel: Channel) -> ChannelRead:
    return ChannelRead(
        id=channel.id,
        kind=channel.kind,
        name=channel.name,
        target=masked(channel.kind, channel.target),
        user_id=channel.user_id,
        team_id=channel.team_id,
        created_at=channel.created_at,
    )


@router.get("/channels", response_model=list[ChannelRead])
def list_channels(user: CurrentUser, session: SessionDep) -> list[ChannelRead]:
    """The caller's own channels and their teams' channels (URLs shown by origin only)."""
    return [_read(c) for c in service.list_channels(session=session, user=user)]


@router.post("/channels", status_code=status.HTTP_201_CREATED, response_model=ChannelCreated)
def create_channel(
    data: ChannelCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
) -> ChannelCreated:
    """Add a channel: an email address, a Slack or Mattermost incoming webhook, a generic
    webhook, or an Apprise URL (`apprise`: ntfy, Gotify, Discord, Telegram, Pushover, Matrix,
    Teams workflows, JSON endpoints; other schemes are refused). A team channel (`team_id`)
    needs the team's owner or manager role. A target on the server's own network (for Apprise,
    the service's host) is refused unless the administrator allows it, for every team or for
    the channel's team (DEVDAY_OUTBOUND_ALLOW, DEVDAY_ALLOW_PRIVATE_URLS).

    Generic webhooks receive `{"delivery_id", "subject", "text", "payload"}` with the headers
    `X-Devday-Delivery` (dedupe on it: a retry may resend) and `X-Devday-Signature:
    sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`. The secret is in this
    answer only.
    """
    channel = outbound.run(
        lambda vetted: service.create_channel(
            session=session,
            user=user,
            data=data,
            now=clock.now(),
            outbound=vetted,
        ),
    )
    session.commit()
    return ChannelCreated(**_read(channel).model_dump(), secret=channel.secret)


@router.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_channel(channel_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a channel (a team's: owners and managers). Messages already queued are still sent."""
    service.delete_channel(session=session, user=user, channel_id=channel_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/channels/{channel_id}/test", status_code=status.HTTP_202_ACCEPTED, response_model=OutboxRead
)
def test_channel(
    channel_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    data: Annotated[ChannelTest | None, Body(openapi_examples=TEST_EXAMPLES)] = None,
) -> OutboxRead:
    """Queue a test message through a channel; follow its delivery in `GET /api/v1/outbox`."""
    text = data.text if data is not None else None
    message = service.send_test(
        session=session, user=user, channel_id=channel_id, text=text, now=clock.now()
    )
    session.commit()
    return OutboxRead.model_validate(message)


@router.get("/outbox", response_model=list[OutboxRead])
def list_outbox(
    user: CurrentUser,
    session: SessionDep,
    status: Annotated[OutboxStatus | None, Query(description="Only messages in this state")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many, newest first")] = 50,
) -> list[OutboxRead]:
    """Messages to the caller's own and their teams' channels, newest first: whether each
    was delivered, how many attempts it took, and the last error when it failed."""
    rows = service.list_outbox(session=session, user=user, status=status, limit=limit)
    return [OutboxRead.model_validate(m) for m in rows]


@router.post(
    "/outbox/{message_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=OutboxRead
)
def retry_message(
    message_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> OutboxRead:
    """Send a failed message again now (or one waiting for its next attempt), with the same
    delivery id and its attempts counted afresh. A team's message: owners and managers. 409
    when it was delivered or is being sent right now."""
    message = service.retry_message(
        session=session, user=user, message_id=message_id, now=clock.now()
    )
    session.commit()
    return OutboxRead.model_validate(message)
