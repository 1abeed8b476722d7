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

from devday.cli import output, reads
from devday.cli.client import CliError
from devday.cli.planview import DAY_HELP, day_of, path, print_plan, span, stored
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

Day = Annotated[str, typer.Argument(metavar="[DAY]", help=DAY_HELP, show_default=False)]
BlockId = Annotated[int, typer.Argument(metavar="BLOCK_ID", help="The block's id (see 'plan').")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]


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
    reads.plan_show(state(ctx), day=day, keep=keep, as_json=as_json)


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
    plan = cli.client().request("POST", path(the_day), params=params)
    print_plan(plan, as_json=as_json)


@app.command("replan")
def replan(ctx: typer.Context, day: Day = "today", as_json: AsJson = False) -> None:
    """Re-plan DAY from now (after an overrun or an urgent task); done and pinned blocks stay."""
    cli = state(ctx)
    the_day = day_of(cli, day)
    current = stored(cli, the_day, day)
    plan = cli.client().request(
        "POST", f"{path(the_day)}/replan", headers={"If-Match": f'"{current["version"]}"'}
    )
    print_plan(plan, as_json=as_json)


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


def _time_on(cli: CliState, day: date, text: str) -> datetime:
    from devday.dateparse import parse_when

    try:
        value = parse_when(f"{day.isoformat()} {text}", now=cli.now(), timezone=cli.timezone())
    except ValueError:
        value = None
    if not isinstance(value, datetime):
        raise CliError(f"TIME: cannot read {text!r}; write it as 14:00 or 2pm")
    return value


def _change(
    cli: CliState, block_id: int, day: str, body: dict[str, Any], verb: str, *, as_json: bool
) -> None:
    """PATCHes a block on the plan version just read, so that no one else's change is lost."""
    the_day = day_of(cli, day)
    current = stored(cli, the_day, day)
    plan: dict[str, Any] = cli.client().patch(
        f"{path(the_day)}/blocks/{block_id}", body, version=int(current["version"])
    )
    if as_json:
        output.raw_json(plan)
        return
    zone = ZoneInfo(plan["timezone"])
    block = next((b for b in plan["blocks"] if b["id"] == block_id), None)
    if block is not None:
        output.line(f"{verb} block {block_id}, {span(block, zone, the_day)} {block['title']}")
    else:  # finished before it began: the task is done and the block's time is free again
        was = next((b for b in current["blocks"] if b["id"] == block_id), None)
        if was is not None:
            output.line(
                f"{verb} '{was['title']}' is finished; block {block_id} "
                f"({span(was, zone, the_day)}) is free again"
            )
    print_plan(plan, as_json=False)


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
