"""devday calendar: your plan as a feed that any calendar app can subscribe to."""

from __future__ import annotations

from typing import Annotated

import typer

from devday.cli import output
from devday.cli.state import state

app = typer.Typer(help="Your plan in your calendar app (an ICS feed).", no_args_is_help=True)

# The in-process API's address in local mode, where the feed is served by `devday serve`.
LOCAL_BASE = "http://devday.local"


def _served_at(url: str) -> str:
    if not url.startswith(LOCAL_BASE + "/"):
        return url
    from devday.config import get_settings

    settings = get_settings()
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    return base.rstrip("/") + url.removeprefix(LOCAL_BASE)


@app.command("feed")
def feed(
    ctx: typer.Context,
    new: Annotated[
        bool, typer.Option("--new", help="Make a new secret address; the old one stops working.")
    ] = False,
    off: Annotated[bool, typer.Option("--off", help="Turn the feed off.")] = False,
) -> None:
    """Whether your plan feed is on; --new prints a new address to subscribe to, --off ends it."""
    if new and off:
        raise typer.BadParameter("choose --new or --off, not both")
    cli = state(ctx)
    client = cli.client()
    if off:
        client.delete("/api/v1/calendar-feed")
        output.line("plan feed: off; its address no longer answers")
        return
    if new:
        made = client.post("/api/v1/calendar-feed")
        output.line(_served_at(made["url"]))
        output.warn(
            "subscribe to this address in your calendar app; it is shown only now, "
            "and any earlier address has stopped working"
        )
        return
    status = client.get("/api/v1/calendar-feed")
    if status["enabled"]:
        since = output.when(status["created_at"], cli.timezone())
        output.line(f"plan feed: on since {since} (devday calendar feed --new for a new address)")
    else:
        output.line("plan feed: off (devday calendar feed --new turns it on)")
