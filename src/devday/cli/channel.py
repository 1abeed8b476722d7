"""devday channel and devday outbox: where reports and notifications go, and how they fared.

A channel is an email address, a Slack or Mattermost incoming webhook, or a generic webhook;
the API shows a URL by its origin only, since the URL itself is a credential.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer

from devday.cli import lookup, output
from devday.cli.state import state

app = typer.Typer(
    help="Notification channels: email, Slack, Mattermost, signed webhooks.", no_args_is_help=True
)

ChannelId = Annotated[int, typer.Argument(metavar="ID", help="The channel's id (see 'list').")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]


class Kind(enum.StrEnum):
    email = "email"
    slack = "slack"
    mattermost = "mattermost"
    webhook = "webhook"
    apprise = "apprise"


class Status(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


@app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="email, slack, mattermost, webhook or apprise.")],
    target: Annotated[
        str, typer.Argument(help="An email address, or the URL to post to (the others).")
    ],
    name: Annotated[str, typer.Option("--name", "-n", help="What to call it: #backend.")],
    team: Annotated[
        str | None, typer.Option(help="A team's name or id: a channel of the team, not yours.")
    ] = None,
) -> None:
    """Add a channel: devday channel add slack https://hooks.slack.com/... --name "#backend"."""
    cli = state(ctx)
    client = cli.client()
    body: dict[str, Any] = {"kind": kind.value, "name": name, "target": target}
    if team is not None:
        body["team_id"] = lookup.team(client, team)["id"]
    channel = client.post("/api/v1/channels", body)
    output.line(f"added channel #{channel['id']}: {_describe(channel)}")
    if channel["kind"] == Kind.webhook:
        output.line(f"secret: {channel['secret']}")
        output.warn(
            "store the secret now; it is not shown again. Each delivery is signed with it: "
            "X-Devday-Signature: sha256=<HMAC-SHA256 of the body>"
        )


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Your channels and your teams' channels."""
    client = state(ctx).client()
    channels: list[dict[str, Any]] = client.get("/api/v1/channels")
    if as_json:
        output.raw_json(channels)
        return
    teams = {}
    if any(c["team_id"] for c in channels):
        teams = {int(t["id"]): str(t["name"]) for t in client.get("/api/v1/teams")}
    rows = [
        (
            c["id"],
            c["kind"],
            c["name"],
            c["target"],
            f"team {teams.get(c['team_id'], c['team_id'])}" if c["team_id"] else "yours",
        )
        for c in channels
    ]
    output.simple_table(
        ["id", "kind", "name", "target", "owner"],
        rows,
        empty="no channels; add one with 'devday channel add KIND TARGET --name NAME'",
    )


@app.command("rm")
def rm(ctx: typer.Context, channel_id: ChannelId) -> None:
    """Remove a channel; messages already queued for it are still sent."""
    state(ctx).client().delete(f"/api/v1/channels/{channel_id}")
    output.line(f"removed channel #{channel_id}")


@app.command("test")
def test(
    ctx: typer.Context,
    channel_id: ChannelId,
    text: Annotated[str | None, typer.Option(help="Your own text for the message.")] = None,
) -> None:
    """Queue a test message through a channel; 'devday outbox' shows how it fared."""
    body = {"text": text} if text is not None else None
    message = state(ctx).client().post(f"/api/v1/channels/{channel_id}/test", body)
    output.line(
        f"queued message #{message['id']} to channel #{channel_id}: {message['subject']}; "
        "see 'devday outbox'"
    )


def outbox(
    ctx: typer.Context,
    status: Annotated[Status | None, typer.Option(help="Only messages in this state.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=200, help="At most this many.")
    ] = 50,
    as_json: AsJson = False,
) -> None:
    """Messages to your and your teams' channels, newest first, and how each fared."""
    client = state(ctx).client()
    params: dict[str, Any] = {"limit": limit}
    if status is not None:
        params["status"] = status.value
    messages: list[dict[str, Any]] = client.get("/api/v1/outbox", params=params)
    if as_json:
        output.raw_json(messages)
        return
    names = {}
    if messages:
        names = {int(c["id"]): str(c["name"]) for c in client.get("/api/v1/channels")}
    rows = [
        (
            m["id"],
            _channel(m, names),
            m["subject"],
            m["status"],
            m["attempts"],
            " ".join((m["last_error"] or "").split()),
        )
        for m in messages
    ]
    output.simple_table(
        ["id", "channel", "subject", "status", "attempts", "last error"],
        rows,
        empty=f"no {status.value} messages" if status is not None else "no messages",
    )


def _channel(message: dict[str, Any], names: dict[int, str]) -> str:
    channel_id = message["channel_id"]
    if channel_id is None:
        return f"{message['kind']} (removed)"
    return f"#{channel_id} {names.get(channel_id, message['kind'])}"


def _describe(channel: dict[str, Any]) -> str:
    return f"{channel['kind']} {channel['name']!r} to {channel['target']}"
