"""devday plan: the day's plan as a timeline, its blocks, and the solver on JSON files.

``devday plan [DAY]`` is ``devday plan show [DAY]``: a first word that names no subcommand is
taken as the day, so ``devday plan``, ``devday plan tomorrow`` and ``devday plan solve FILE`` all
work. Showing reads the stored plan (building one only for a day that has none); ``devday plan
build`` builds afresh. Times are shown in the plan's (the caller's) timezone.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from typer.core import TyperGroup

from devday.cli import output
from devday.cli.client import CliError
from devday.cli.state import CliState, state


class PlanGroup(TyperGroup):
    """Runs ``show`` when the first word is no subcommand: ``devday plan fri`` shows Friday."""

    # Typed Any: the context class lives in typer's private vendored click.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        first = args[0] if args else None
        if first is None or (first not in self.commands and first not in ctx.help_option_names):
            args = ["show", *args]
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    cls=PlanGroup,
    help="Your day's plan: build it, show it, re-plan, and mark, pin or move its blocks.",
)

DAY_HELP = "today (default), tomorrow, a weekday such as fri, or a date such as 2026-12-01."
Day = Annotated[str, typer.Argument(metavar="[DAY]", help=DAY_HELP, show_default=False)]
BlockId = Annotated[int, typer.Argument(metavar="BLOCK_ID", help="The block's id (see 'plan').")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
DASH = "\u2013"  # the en dash of a time range, "10:30\u201312:30"


# --- the day's plan ----------------------------------------------------------------------------


@app.command("show")
def show(
    ctx: typer.Context,
    day: Day = "today",
    keep: Annotated[
        bool, typer.Option("--keep", help="Never build: fail when DAY has no plan yet.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Show the stored plan for DAY (default today): the day's timeline, then the risks. A day
    without a plan gets one built first; showing never changes a plan that exists."""
    cli = state(ctx)
    the_day = day_of(cli, day)
    try:
        plan = _stored(cli, the_day, day)
    except CliError as exc:
        if keep or not str(exc).startswith("no plan for"):
            raise
        plan = cli.client().request("POST", _path(the_day))
    _print(plan, as_json=as_json)


@app.command("build")
def build(
    ctx: typer.Context,
    day: Day = "today",
    horizon: Annotated[
        int | None, typer.Option(min=1, max=60, help="Days planned ahead (default 14).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Build the plan for DAY afresh and show it; blocks under way, past and pinned stay."""
    cli = state(ctx)
    the_day = day_of(cli, day)
    params = {"horizon_days": horizon} if horizon is not None else None
    plan = cli.client().request("POST", _path(the_day), params=params)
    _print(plan, as_json=as_json)


@app.command("replan")
def replan(ctx: typer.Context, day: Day = "today", as_json: AsJson = False) -> None:
    """Re-plan DAY from now (after an overrun or an urgent task); done and pinned blocks stay."""
    cli = state(ctx)
    the_day = day_of(cli, day)
    current = _stored(cli, the_day, day)
    plan = cli.client().request(
        "POST", f"{_path(the_day)}/replan", headers={"If-Match": f'"{current["version"]}"'}
    )
    _print(plan, as_json=as_json)


@app.command("done")
def done(
    ctx: typer.Context, block_id: BlockId, day: Day = "today", as_json: AsJson = False
) -> None:
    """Mark a block done; when a task's last block is done, the task is done."""
    _change(state(ctx), block_id, day, {"done": True}, "done:", as_json=as_json)


@app.command("pin")
def pin(
    ctx: typer.Context,
    block_id: BlockId,
    day: Day = "today",
    unpin: Annotated[bool, typer.Option("--unpin", help="Let the planner move it again.")] = False,
    as_json: AsJson = False,
) -> None:
    """Pin a block where it is, so that building and re-planning keep it."""
    verb = "unpinned" if unpin else "pinned"
    _change(state(ctx), block_id, day, {"pinned": not unpin}, verb, as_json=as_json)


@app.command("move")
def move(
    ctx: typer.Context,
    block_id: BlockId,
    at: Annotated[str, typer.Argument(metavar="TIME", help="The new start, such as 14:00.")],
    day: Day = "today",
    as_json: AsJson = False,
) -> None:
    """Move a block to start at TIME on DAY, keeping its length; a moved block is pinned."""
    cli = state(ctx)
    start = _time_on(cli, day_of(cli, day), at)
    _change(cli, block_id, day, {"start": start.isoformat()}, "moved", as_json=as_json)


def day_of(cli: CliState, text: str) -> date:
    """``text`` as a day in the caller's timezone; a time of day is refused."""
    value = cli.when(text, "DAY")
    if isinstance(value, datetime):
        raise CliError(f"DAY: {text!r} is a time; give a day: {DAY_HELP}")
    return value


def _time_on(cli: CliState, day: date, text: str) -> datetime:
    from devday.dateparse import parse_when

    try:
        value = parse_when(f"{day.isoformat()} {text}", now=cli.now(), timezone=cli.timezone())
    except ValueError:
        value = None
    if not isinstance(value, datetime):
        raise CliError(f"TIME: cannot read {text!r}; write it as 14:00 or 2pm")
    return value


def _path(day: date) -> str:
    return f"/api/v1/plans/{day.isoformat()}"


def _stored(cli: CliState, day: date, typed: str) -> dict[str, Any]:
    """The stored plan for ``day``, or a CliError that says how to build it."""
    try:
        plan: dict[str, Any] = cli.client().get(_path(day))
    except CliError as exc:
        if str(exc).startswith("no plan for"):
            raise CliError(
                f"no plan for {day:%a %d %b %Y} yet; build it with 'devday plan {typed}'"
            ) from None
        raise
    return plan


def _change(
    cli: CliState, block_id: int, day: str, body: dict[str, Any], verb: str, *, as_json: bool
) -> None:
    """PATCHes a block on the plan version just read, so that no one else's change is lost."""
    the_day = day_of(cli, day)
    current = _stored(cli, the_day, day)
    plan: dict[str, Any] = cli.client().patch(
        f"{_path(the_day)}/blocks/{block_id}", body, version=int(current["version"])
    )
    if as_json:
        output.raw_json(plan)
        return
    zone = ZoneInfo(plan["timezone"])
    block = next((b for b in plan["blocks"] if b["id"] == block_id), None)
    if block is not None:
        output.line(f"{verb} block {block_id}, {_span(block, zone, the_day)} {block['title']}")
    else:  # finished before it began: the task is done and the block's time is free again
        was = next((b for b in current["blocks"] if b["id"] == block_id), None)
        if was is not None:
            output.line(
                f"{verb} '{was['title']}' is finished; block {block_id} "
                f"({_span(was, zone, the_day)}) is free again"
            )
    _print(plan, as_json=False)


# --- printing a plan ---------------------------------------------------------------------------


def _print(plan: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        output.raw_json(plan)
        return
    zone = ZoneInfo(plan["timezone"])
    day = date.fromisoformat(plan["date"])
    todays = [b for b in plan["blocks"] if local(b["start"], zone).date() == day]
    output.timeline(
        f"{day:%a %d %b %Y} ({plan['timezone']}), plan version {plan['version']}, "
        + changed_note(plan, zone),
        [row for _key, row in sorted(timeline_rows(plan, todays, zone, day))],
    )
    later = sum(1 for b in plan["blocks"] if local(b["start"], zone).date() > day)
    if not todays:
        output.line("  no work planned on this day")
    if later:
        output.line(f"  and {later} more blocks on the next days of the plan")
    _risks(plan, zone)


Row = tuple[str, str, str, bool]


def changed_note(plan: dict[str, Any], zone: ZoneInfo) -> str:
    """When the plan last changed and why: "re-planned at 14:02: 'Fix checkout' added"."""
    reason = plan.get("change_reason") or "built"
    if reason == "built" or not plan.get("changed_at"):
        return f"built at {local(plan['built_at'], zone):%H:%M}"
    return f"re-planned at {local(plan['changed_at'], zone):%H:%M}: {reason}"


def timeline_rows(
    plan: dict[str, Any],
    blocks: list[dict[str, Any]],
    zone: ZoneInfo,
    day: date,
) -> list[tuple[tuple[datetime, datetime, int], Row]]:
    """The day's items keyed by start, end, then routine before busy before work; each block
    with its task's priority label, as the plan names it."""
    rows: list[tuple[tuple[datetime, datetime, int], Row]] = []
    for slot in plan["routine"]:
        note = "(personal)" if slot["personal"] else ""
        rows.append(
            (_key(slot, 0), (_span(slot, zone, day), str(slot["title"]), note, True)),
        )
    for event in plan["busy"]:
        rows.append(
            (_key(event, 1), (_span(event, zone, day), str(event["title"]), "(busy)", False))
        )
    changed = plan.get("changed_at")
    for block in blocks:
        marks = ["block " + str(block["id"])]
        marks += [mark for mark in ("pinned", "done") if block[mark]]
        if (
            changed
            and not block["done"]
            and block["end"]
            and _key(block, 2)[1] <= _instant(changed)
        ):
            marks.append("passed")  # its time went by before the plan last changed
        what = f"#{block['task_id']} {block.get('priority', '')} {block['title']}"
        note = f"[{block['kind']}]  ({', '.join(marks)})"
        rows.append(
            (_key(block, 2), (_span(block, zone, day), " ".join(what.split()), note, block["done"]))
        )
    return rows


def _key(item: dict[str, Any], order: int) -> tuple[datetime, datetime, int]:
    return (datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]), order)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def local(value: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(value).astimezone(zone)


def _span(item: dict[str, Any], zone: ZoneInfo, day: date) -> str:
    """Start to end, such as 10:30 to 12:30; an end on another day than ``day`` shows its day."""
    start, end = local(item["start"], zone), local(item["end"], zone)
    return f"{short_time(start, day)}{DASH}{short_time(end, day)}"


def short_time(value: datetime, day: date) -> str:
    return value.strftime("%H:%M") if value.date() == day else value.strftime("%a %d %b %H:%M")


def _risks(plan: dict[str, Any], zone: ZoneInfo) -> None:
    tz = str(zone.key)
    late = [x for x in plan["late"] if x["finish"] is not None]
    deadlines = {x["task_id"]: x["deadline"] for x in plan["late"]}
    if late:
        output.heading("late:")
        output.explained_all(
            (
                f"{_task(item)}: due {output.when(item['deadline'], tz)}, "
                f"finishes {output.when(item['finish'], tz)}",
                str(item["reason"]),
            )
            for item in late
        )
    if plan["unscheduled"]:
        output.heading("unscheduled:")
        unscheduled = []
        for item in plan["unscheduled"]:
            due = deadlines.get(item["task_id"])
            head = _task(item) + (f": due {output.when(due, tz)}" if due else "")
            unscheduled.append((head, str(item["reason"])))
        output.explained_all(unscheduled)
    late_ids = {x["task_id"] for x in plan["late"]}
    shaky = [c for c in plan.get("chances", []) if c["on_time_probability"] < 0.8]
    shaky = [c for c in shaky if c["task_id"] not in late_ids]
    if shaky:
        output.heading("likely to slip (below 80% on time):")
        output.explained_all(
            (
                f"{_task(item)}: due {output.when(item['deadline'], tz)}, "
                f"{chance(item['on_time_probability'])} on time",
                str(item["hint"]),
            )
            for item in shaky
        )
    if plan.get("deferred"):
        output.heading("goals moved back:")
        output.explained_all((_task(item), str(item["reason"])) for item in plan["deferred"])
    if not late and not plan["unscheduled"] and not shaky:
        output.line("no risks: every task is planned before its deadline")
    line = f"missed-deadline weight: {plan['missed_deadline_weight']}"
    if plan["weighted_tardiness_minutes"]:
        line += f" (weighted tardiness {plan['weighted_tardiness_minutes']} min)"
    output.line(line)


def chance(probability: float) -> str:
    """0.624 as "62%"; never 0% or 100% for a chance that is not certain."""
    percent = round(probability * 100)
    if 0 < probability < 0.01:
        return "<1%"
    if 0.99 < probability < 1:
        return ">99%"
    return f"{percent}%"


def _task(item: dict[str, Any]) -> str:
    """``#7 P2 Title``: the task's id, the priority label the plan names ("" for a task deleted
    since) and its title."""
    label = item.get("priority")
    return f"#{item['task_id']} {label + ' ' if label else ''}{item['title']}"


# --- the solver on JSON files ------------------------------------------------------------------

FileArg = Annotated[str, typer.Argument(help="A JSON file, or - for standard input.")]


@app.command("solve")
def solve(problem: FileArg) -> None:
    """Solve a planning problem (JSON, see docs/planner.md) and print the plan JSON.

    The solver is pure, so this runs here, on the files alone: no server, database or account
    (POST /api/v1/planner/solve is the same for a program)."""
    from devday.planning import solver  # only these two commands need it

    try:
        plan = solver.solve_json(read_json(problem))
    except solver.ProblemError as exc:
        raise CliError(str(exc)) from None
    output.raw_json(plan)


@app.command("check")
def check(problem: FileArg, plan: FileArg) -> None:
    """Check a plan against a problem: print each broken rule and exit 1, or say it is ok.

    Like `solve`, it needs nothing but the two files."""
    from devday.planning import solver

    try:
        violations = solver.check_json(read_json(problem), read_json(plan))
    except solver.ProblemError as exc:
        raise CliError(str(exc)) from None
    if not violations:
        output.line("ok: the plan keeps every rule")
        return
    for violation in violations:
        output.line(f"{violation.rule}: {violation.message}")
    raise typer.Exit(1)


def read_json(name: str) -> dict[str, Any]:
    """The JSON object in the file ``name`` (``-``: standard input), or a one-line CliError."""
    try:
        if name == "-":
            text = typer.get_text_stream("stdin").read()
        else:
            with open(name, encoding="utf-8") as file:
                text = file.read()
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CliError(f"cannot read {name}: it is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise CliError(f"{name} must hold a JSON object")
    return data
