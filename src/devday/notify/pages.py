"""The Notification channels section of Settings (list, add, test and delete a channel) and the
Outbox page (what was sent where, and a retry for what failed). A thin adapter over
``notify.service``; each POST answers 303 back to its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import HTMLResponse, Response

from devday.deps import IdPath
from devday.notify import apprise_target, views
from devday.notify import service as notify_service
from devday.notify.models import ChannelKind
from devday.notify.schemas import ChannelCreate, masked
from devday.team import policy
from devday.team import service as team_service
from devday.team.policy import Action
from devday.web.forms import AnyFormStr, Refusal
from devday.web.page import Page, PageContext, page_router

router = page_router()

PAGE = "notify/channels.html"
# What the section says after its form redirected back with ``saved=<key>``.
SAVED = {
    "channel": "Channel added.",
    "deleted": "Channel deleted.",
    "tested": "Test message queued; it goes out within a minute (see the Outbox).",
}


def _channels(page: PageContext, status: int = 200, **extra: Any) -> Response:
    channels = notify_service.list_channels(session=page.session, user=page.user)
    context = {
        "section": "channels",
        "channels": [(c, masked(c.kind, c.target)) for c in channels],
        "channel_kinds": [k.value for k in ChannelKind],
        "apprise_schemes": apprise_target.SCHEMES,
        "email_configured": page.state.settings.sends_email,
        # A channel for a team: offered for the teams whose channels the user may manage.
        "channel_teams": [
            team
            for team, role in team_service.list_teams(session=page.session, user=page.user)
            if policy.allows(role, Action.manage_channels)
        ],
        **extra,
    }
    return page.render(PAGE, context, status=status)


@router.get("/settings/channels", response_class=HTMLResponse)
def channels_page(page: Page) -> Response:
    return _channels(page, notice=SAVED.get(page.query("saved")))


# Unbounded here, bounded by the schema: a too-long value is an error next to its field.
@router.post("/settings/channels")
def add_channel(
    page: Page,
    kind: AnyFormStr = "",
    name: AnyFormStr = "",
    target: AnyFormStr = "",
    team_id: AnyFormStr = "",
) -> Response:
    values = {
        "channel-kind": kind,
        "channel-name": name,
        "channel-target": target,
        "channel-team_id": team_id,
    }

    def add() -> None:
        page.outbound.run(
            lambda vetted: notify_service.create_channel(
                session=page.session,
                user=page.user,
                data=ChannelCreate(kind=kind, name=name, target=target, team_id=team_id or None),
                now=page.now,
                outbound=vetted,
            ),
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _channels(page, 403, error=refusal.message)
        errors = refusal.prefixed("channel-", default="target")
        return _channels(page, refusal.status, errors=errors, values=values)

    return page.submit(add, then="/settings/channels?saved=channel", refused=refused)


def _act(page: PageContext, change: Callable[[], object], saved: str) -> Response:
    def refused(refusal: Refusal) -> Response:
        message = refusal.message if refusal.expired else f"Channel: {refusal.message}"
        return _channels(page, refusal.status, error=message)

    return page.submit(change, then=f"/settings/channels?saved={saved}", refused=refused)


@router.post("/settings/channels/{channel_id}/delete")
def delete_channel(page: Page, channel_id: IdPath) -> Response:
    def delete() -> None:
        notify_service.delete_channel(session=page.session, user=page.user, channel_id=channel_id)

    return _act(page, delete, "deleted")


@router.post("/settings/channels/{channel_id}/test")
def test_channel(page: Page, channel_id: IdPath) -> Response:
    def test() -> None:
        notify_service.send_test(
            session=page.session, user=page.user, channel_id=channel_id, text=None, now=page.now
        )

    return _act(page, test, "tested")


OUTBOX = "notify/outbox.html"
OUTBOX_SAVED = {"retried": "Sending it again now; this page shows how it went in a minute."}


def _outbox(page: PageContext, status: int = 200, **extra: Any) -> Response:
    rows = views.outbox_rows(session=page.session, user=page.user)
    return page.render(OUTBOX, {"rows": rows, **extra}, status=status)


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(page: Page) -> Response:
    return _outbox(page, notice=OUTBOX_SAVED.get(page.query("saved")))


@router.post("/outbox/{message_id}/retry")
def retry_delivery(page: Page, message_id: IdPath) -> Response:
    def retry() -> None:
        notify_service.retry_message(
            session=page.session, user=page.user, message_id=message_id, now=page.now
        )

    def refused(refusal: Refusal) -> Response:
        message = refusal.message if refusal.expired else f"Retry: {refusal.message}"
        return _outbox(page, refusal.status, error=message)

    return page.submit(retry, then="/outbox?saved=retried", refused=refused)
