"""devday calendar: calendars you subscribe to (their events are busy time), and your plan as a
feed that any calendar app can subscribe to."""

from __future__ import annotations

from typing import Annotated

import typer

from devday.cli import output
from devday.cli.state import state

app = typer.Typer(
    help="Calendars: subscribe to yours (busy time), and your plan as a feed.",
    no_args_is_help=True,
)

# The in-process API's address in local mode, where the feed is served by `devday serve`.
LOCAL_BASE = "http://devday.local"


def _served_at(url: str) -> str:
    if not url.startswith(LOCAL_BASE + "/"):
        return url
    from devday.account.reset import public_url
    from devday.config import get_settings

    return public_url(get_settings()) + url.removeprefix(LOCAL_BASE)


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


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The calendar's https:// or webcal:// address")],
    name: Annotated[str, typer.Option("--name", "-n", help="What to call it")] = "Calendar",
    caldav: Annotated[
        bool, typer.Option("--caldav", help="A CalDAV calendar (asks for its password)")
    ] = False,
    user: Annotated[str, typer.Option("--user", help="The CalDAV user name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the CalDAV password from stdin")
    ] = False,
    all_day_free: Annotated[
        bool, typer.Option("--all-day-free", help="All-day events leave the day free")
    ] = False,
) -> None:
    """Subscribe to a calendar: its events become busy time that the planner keeps free."""
    body: dict[str, object] = {
        "name": name,
        "kind": "caldav" if caldav else "ics",
        "url": url,
        "all_day_busy": not all_day_free,
    }
    if caldav:
        body["username"] = user
        body["password"] = (
            typer.get_text_stream("stdin").readline().rstrip("\n")
            if password_stdin
            else typer.prompt("CalDAV password", hide_input=True)
        )
    made = state(ctx).client().post("/api/v1/calendars", body)
    output.line(f"added calendar #{made['id']} {made['name']!r} ({made['url']}); reading it now")
    _show(state(ctx).client().post(f"/api/v1/calendars/{made['id']}/refresh"))


def _show(source: dict[str, object]) -> None:
    if source["last_error"]:
        output.warn(f"calendar #{source['id']} could not be read: {source['last_error']}")
    else:
        output.line(f"calendar #{source['id']}: {source['event_count']} busy times")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Your subscribed calendars, when each was last read, and any error."""
    cli = state(ctx)
    rows = cli.client().get("/api/v1/calendars")
    if as_json:
        output.raw_json(rows)
        return
    zone = cli.timezone() if rows else "UTC"
    output.simple_table(
        ["id", "name", "kind", "busy times", "last read", "error"],
        (
            (
                r["id"],
                r["name"],
                r["kind"],
                r["event_count"],
                output.when(r["last_ok_at"], zone, empty="never"),
                r["last_error"] or "-",
            )
            for r in rows
        ),
        empty="no calendars (devday calendar add URL)",
    )


@app.command("refresh")
def refresh(ctx: typer.Context, calendar_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Read a calendar now."""
    _show(state(ctx).client().post(f"/api/v1/calendars/{calendar_id}/refresh"))


@app.command("remove")
def remove(ctx: typer.Context, calendar_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Unsubscribe: its busy times leave your plan."""
    state(ctx).client().delete(f"/api/v1/calendars/{calendar_id}")
    output.line(f"removed calendar #{calendar_id}")
