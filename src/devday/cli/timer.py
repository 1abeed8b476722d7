"""devday start, stop, status, log and time: the timer and the work log, through the API."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from devday.cli import output
from devday.cli.client import CliError
from devday.cli.state import CliState, state
from devday.dateparse import WHEN_HELP, format_duration

log_app = typer.Typer(
    help="Time entries: add forgotten time, list, edit, remove.", no_args_is_help=True
)

TaskId = Annotated[int, typer.Argument(metavar="TASK_ID", help="The task's id.")]
EntryId = Annotated[int, typer.Argument(metavar="ID", help="The entry's id (see 'log list').")]
Note = Annotated[str | None, typer.Option(help="What you did.")]
From = Annotated[str | None, typer.Option("--from", help=f"Start: {WHEN_HELP}.")]
To = Annotated[str | None, typer.Option("--to", help="End, like --from.")]
Day = Annotated[str | None, typer.Option(help="A day: today, yesterday's date, mon, 2026-12-01.")]


class By(enum.StrEnum):
    task = "task"
    project = "project"
    kind = "kind"
    day = "day"


# --- the timer ---------------------------------------------------------------------------------


def start(ctx: typer.Context, task_id: TaskId, note: Note = None) -> None:
    """Start timing a task; a timer running on another task stops first."""
    cli = state(ctx)
    client = cli.client()
    before = client.get("/api/v1/timer")["running"]
    if before is not None and before["task_id"] == task_id:
        output.line(f"already running: {_task(before)} since {_clock(cli, before['start'])}")
        return
    timer = client.post("/api/v1/timer/start", {"task_id": task_id, "note": note or ""})
    if timer["stopped"] is not None:
        stopped = timer["stopped"]
        output.line(f"stopped {_task(stopped)} after {format_duration(stopped['minutes'])}")
    running = timer["running"]
    output.line(f"started {_task(running)} at {_clock(cli, running['start'])}")


def stop(ctx: typer.Context) -> None:
    """Stop the running timer."""
    cli = state(ctx)
    entry = cli.client().post("/api/v1/timer/stop")
    output.line(f"stopped {_task(entry)} after {format_duration(entry['minutes'])}")


def status(ctx: typer.Context) -> None:
    """What the timer is running on, since when, and for how long."""
    cli = state(ctx)
    timer = cli.client().get("/api/v1/timer")
    running = timer["running"]
    if running is None:
        output.line("no timer running; start one with 'devday start TASK_ID'")
        return
    tz = cli.timezone()
    output.line(
        f"{_task(running)}: since {output.when(running['start'], tz)} ({tz}), "
        f"{format_duration(timer['elapsed_minutes'])} so far"
    )


# --- the log -----------------------------------------------------------------------------------


@log_app.command("add")
def log_add(
    ctx: typer.Context,
    task_id: TaskId,
    from_: Annotated[str, typer.Option("--from", help=f"Start: {WHEN_HELP}.")],
    to: Annotated[str, typer.Option("--to", help="End, like --from.")],
    note: Note = None,
) -> None:
    """Log time you forgot to track: devday log add 17 --from "today 09:00" --to "today 10:30"."""
    cli = state(ctx)
    body = {
        "task_id": task_id,
        "start": _instant(cli, from_, "--from"),
        "end": _instant(cli, to, "--to"),
        "note": note or "",
    }
    entry = cli.client().post("/api/v1/time-entries", body)
    output.line(f"logged {_entry(cli, entry)}")


@log_app.command("list")
def log_list(
    ctx: typer.Context,
    day: Day = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Your time entries of a day (default: today)."""
    cli = state(ctx)
    first = _day(cli, day or "today", "--day")
    lo, hi = _window(cli, first, days=1)
    entries = cli.client().get("/api/v1/time-entries", params={"start": lo, "end": hi})
    if as_json:
        output.raw_json(entries)
        return
    rows = [
        (
            e["id"],
            _clock(cli, e["start"]),
            _clock(cli, e["end"]) if e["end"] else "running",
            format_duration(e["minutes"]),
            _task(e),
            e["note"],
        )
        for e in entries
    ]
    output.simple_table(
        ["id", "from", "to", "time", "task", "note"], rows, empty=f"no time logged on {first}"
    )
    if entries:
        output.line(f"total {format_duration(sum(e['minutes'] for e in entries))}")


@log_app.command("edit")
def log_edit(
    ctx: typer.Context,
    entry_id: EntryId,
    from_: From = None,
    to: To = None,
    note: Note = None,
    task: Annotated[int | None, typer.Option(help="Move the time to this task.")] = None,
) -> None:
    """Change an entry's times, note or task."""
    cli = state(ctx)
    body: dict[str, Any] = {}
    if from_ is not None:
        body["start"] = _instant(cli, from_, "--from")
    if to is not None:
        body["end"] = _instant(cli, to, "--to")
    if note is not None:
        body["note"] = note
    if task is not None:
        body["task_id"] = task
    if not body:
        raise CliError("nothing to change; give --from, --to, --note or --task")
    client = cli.client()
    current = client.get(f"/api/v1/time-entries/{entry_id}")
    entry = client.patch(f"/api/v1/time-entries/{entry_id}", body, version=int(current["version"]))
    output.line(f"changed {_entry(cli, entry)}")


@log_app.command("rm")
def log_rm(ctx: typer.Context, entry_id: EntryId) -> None:
    """Delete an entry (the running one too: that discards the timer)."""
    state(ctx).client().delete(f"/api/v1/time-entries/{entry_id}")
    output.line(f"deleted entry #{entry_id}")


# --- totals ------------------------------------------------------------------------------------


def time_(
    ctx: typer.Context,
    week: Annotated[bool, typer.Option("--week", "-w", help="The whole week (Mon-Sun).")] = False,
    day: Day = None,
    by: Annotated[By, typer.Option("--by", help="Group by task, project, kind or day.")] = By.task,
) -> None:
    """Time spent today, on a --day, or in a --week, with hours per task, project, kind or day."""
    cli = state(ctx)
    first = _day(cli, day or "today", "--day")
    days = 1
    if week:
        first -= timedelta(days=first.weekday())
        days = 7
    lo, hi = _window(cli, first, days=days)
    report = cli.client().get(
        "/api/v1/time-report", params={"start": lo, "end": hi, "group_by": by.value}
    )
    title = f"week of {first:%a %d %b}" if week else f"{first:%a %d %b %Y}"
    if not report["rows"]:
        output.line(f"no time logged in the {title}" if week else f"no time logged on {title}")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, box=None, header_style="bold", pad_edge=False)
    table.add_column(by.value)
    table.add_column("time", justify="right")
    table.add_column("hours", justify="right")
    for row in report["rows"]:
        table.add_row(Text(row["label"]), format_duration(row["minutes"]), _hours(row["minutes"]))
    total = int(report["total_minutes"])
    table.add_row(Text("total", style="bold"), format_duration(total), _hours(total))
    Console(highlight=False, soft_wrap=False).print(table)


# --- the pieces --------------------------------------------------------------------------------


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}"


def _task(entry: dict[str, Any]) -> str:
    return f"#{entry['task_id']} {entry['task_title']}"


def _clock(cli: CliState, value: str) -> str:
    """``value`` as "10:00" in the caller's timezone, with the date when it is not today."""
    tz = ZoneInfo(cli.timezone())
    local = datetime.fromisoformat(value).astimezone(tz)
    if local.date() == cli.now().astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def _entry(cli: CliState, entry: dict[str, Any]) -> str:
    end = _clock(cli, entry["end"]) if entry["end"] else "running"
    if entry["end"] and _local_date(cli, entry["end"]) == _local_date(cli, entry["start"]):
        end = end[-5:]  # the day shows once: "Sun 29 Nov 17:00-17:20"
    span = f"{_clock(cli, entry['start'])}-{end}"
    return f"#{entry['id']}: {_task(entry)}, {span} ({format_duration(entry['minutes'])})"


def _local_date(cli: CliState, value: str) -> date:
    return datetime.fromisoformat(value).astimezone(ZoneInfo(cli.timezone())).date()


def _instant(cli: CliState, text: str, option: str) -> str:
    value = cli.when(text, option)
    if not isinstance(value, datetime):
        raise CliError(f"{option}: give a time of day too, such as 'today 09:00'")
    return value.isoformat()


def _day(cli: CliState, text: str, option: str) -> date:
    value = cli.when(text, option)
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(cli.timezone())).date()
    return value


def _window(cli: CliState, first: date, *, days: int) -> tuple[str, str]:
    """Local midnight of ``first`` to local midnight ``days`` later, as API instants."""
    tz = ZoneInfo(cli.timezone())
    lo = datetime.combine(first, time(), tzinfo=tz)
    hi = datetime.combine(first + timedelta(days=days), time(), tzinfo=tz)
    return lo.isoformat(), hi.isoformat()
