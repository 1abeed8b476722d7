"""devday series: list, skip, end (a series is made by ``devday task add --repeat``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from devday.cli import output
from devday.cli.state import state

app = typer.Typer(
    help="Repeating tasks: list their series, skip one, end one.", no_args_is_help=True
)

SeriesId = Annotated[int, typer.Argument(metavar="SERIES_ID")]


def _line(series: dict[str, Any]) -> str:
    if series["ended_at"]:
        then = "ended"
    elif series["next_date"]:
        then = f"next for {series['next_date']}"
    else:
        then = "next once the open one is done"
    task = f", open #{series['open_task_id']}" if series["open_task_id"] else ""
    return f"#{series['id']} {series['title']}: {series['description']}; {then}{task}"


@app.command("list")
def list_(
    ctx: typer.Context,
    ended: Annotated[bool, typer.Option("--ended", help="Ended series too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """The repeating series you can see, with their next day and open task."""
    cli = state(ctx)
    found: list[dict[str, Any]] = cli.client().get(
        "/api/v1/series", params={"ended": "true"} if ended else None
    )
    if as_json:
        output.raw_json(found)
        return
    if not found:
        output.line("no repeating tasks")
    for series in found:
        output.line(_line(series))


@app.command("skip")
def skip(ctx: typer.Context, series_id: SeriesId) -> None:
    """Skip this one: the open task is dropped and the next one made at once."""
    cli = state(ctx)
    series: dict[str, Any] = cli.client().post(f"/api/v1/series/{series_id}/skip")
    output.line(f"skipped: {_line(series)}")


@app.command("end")
def end(ctx: typer.Context, series_id: SeriesId) -> None:
    """End a series: no more tasks; the open one stays."""
    cli = state(ctx)
    series: dict[str, Any] = cli.client().post(f"/api/v1/series/{series_id}/end")
    output.line(f"ended: {_line(series)}")
