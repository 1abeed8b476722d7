"""devday duty and devday busy: what asks for your time first, and when you are not free.

``duty`` ranks open tasks by priority score with each term explained; ``busy`` keeps the one-off
busy times (calendar events) that the planner places nothing in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from devday.cli import output, planview, reads
from devday.cli.client import CliError
from devday.cli.state import CliState, state
from devday.dateparse import WHEN_HELP

busy_app = typer.Typer(
    help="Busy times (calendar events): the planner places nothing in them.", no_args_is_help=True
)
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]


def duty(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the first N tasks.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """What to do first: open tasks ranked by score, with why under each one."""
    reads.duty(state(ctx), limit=limit, as_json=as_json)


def forecast(ctx: typer.Context, as_json: AsJson = False) -> None:
    """How likely your deadlines are: each one's chance in today's plan, and how your estimates
    run against the time you logged, per kind."""
    cli = state(ctx)
    answer = cli.client().get("/api/v1/forecast")
    if as_json:
        output.raw_json(answer)
        return
    tz = cli.timezone()
    output.heading("Today's plan:")
    if not answer["chances"]:
        output.line("  no deadlines in today's plan (or no plan yet)")
    output.explained_all(
        (
            f"#{c['task_id']} {c['title']}: due {output.when(c['deadline'], tz)}, "
            f"{planview.chance(c['on_time_probability'])} on time",
            str(c["hint"]),
        )
        for c in answer["chances"]
    )
    output.heading("Your estimates:")
    for item in answer["calibration"]:
        output.line(f"  {item['summary']} ({item['tasks']} tasks)")
    if not answer["calibration"]:
        output.line("  no finished tasks with logged time yet")
    output.line(f"chances are read from {answer['basis']}")


# --- busy times --------------------------------------------------------------------------------


@busy_app.command("add")
def busy_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What keeps you busy.")],
    start: Annotated[str, typer.Argument(help=f"Start: {WHEN_HELP}.")],
    end: Annotated[str, typer.Argument(help="End, like START.")],
) -> None:
    """Block a time: devday busy add Dentist "tomorrow 14:00" "tomorrow 15:30"."""
    cli = state(ctx)
    begins, ends = _instant(cli, start, "START"), _instant(cli, end, "END")
    if ends <= begins:
        raise CliError("END: must be after START")
    body = {"title": title, "start": begins.isoformat(), "end": ends.isoformat()}
    event = cli.client().post("/api/v1/busy-events", body)
    output.line(f"added busy #{event['id']}: {_event(event, cli.timezone())}")


@busy_app.command("list")
def busy_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Past ones too.")] = False,
    as_json: AsJson = False,
) -> None:
    """Your busy times from now on (--all: every one)."""
    cli = state(ctx)
    params = None if all_ else {"start": cli.now().isoformat()}
    events: list[dict[str, Any]] = cli.client().get("/api/v1/busy-events", params=params)
    if as_json:
        output.raw_json(events)
        return
    tz = cli.timezone()
    rows = [
        (e["id"], output.when(e["start"], tz), output.when(e["end"], tz), e["title"])
        for e in events
    ]
    output.simple_table(["id", "start", "end", "title"], rows, empty="no busy times")


@busy_app.command("rm")
def busy_rm(
    ctx: typer.Context, event_id: Annotated[int, typer.Argument(metavar="ID", help="Its id.")]
) -> None:
    """Remove a busy time."""
    state(ctx).client().delete(f"/api/v1/busy-events/{event_id}")
    output.line(f"removed busy #{event_id}")


def _instant(cli: CliState, text: str, name: str) -> datetime:
    value = cli.when(text, name)
    if not isinstance(value, datetime):
        raise CliError(f"{name}: give a time of day too, such as 'tomorrow 14:00'")
    return value


def _event(event: dict[str, Any], tz: str) -> str:
    zone = ZoneInfo(tz)
    day = planview.local(event["start"], zone).date()
    end = planview.short_time(planview.local(event["end"], zone), day)
    return f"{output.when(event['start'], tz)}{planview.DASH}{end} {event['title']}"
