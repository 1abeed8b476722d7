"""devday standup and devday leave: your standup, drafted from your day, edited and submitted;
the team's standups and blockers; your leave."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from devday.cli import lookup, output, planview
from devday.cli.client import ApiClient, CliError
from devday.cli.state import CliState, state

app = typer.Typer(
    help="Your standup for a team's meeting: drafted from your work log and plan.",
    invoke_without_command=True,
)
leave_app = typer.Typer(help="Your leave: days away get no reminders and show as away.")

TeamOpt = Annotated[
    str | None, typer.Option("--team", "-t", help="Team name or id (needed in several teams).")
]
DayOpt = Annotated[
    str | None,
    typer.Option("--day", help="The team's day: today (default), yesterday, 2026-12-01."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
PARTS = ("yesterday", "today", "blockers")
HEADINGS = {"yesterday": "# Yesterday", "today": "# Today", "blockers": "# Blockers"}
EDIT_HELP = (
    "# Edit your standup below the three headings; lines starting with '#' are headings.\n"
    "# Each line under Blockers becomes a blocker when you submit.\n"
)


def pick_team(client: ApiClient, ref: str | None) -> dict[str, Any]:
    if ref:
        return lookup.team(client, ref)
    teams: list[dict[str, Any]] = client.get("/api/v1/teams")
    if not teams:
        raise CliError("you are in no team yet; see 'devday team create'")
    if len(teams) > 1:
        names = ", ".join(t["name"] for t in teams)
        raise CliError(f"you are in several teams ({names}); pick one with --team")
    return teams[0]


def _day_param(cli: CliState, day: str | None) -> dict[str, str]:
    return {"day": planview.day_of(cli, day).isoformat()} if day else {}


@app.callback(invoke_without_command=True)
def standup(
    ctx: typer.Context,
    team: TeamOpt = None,
    day: DayOpt = None,
    yesterday: Annotated[str | None, typer.Option(help="Replace the yesterday part.")] = None,
    today: Annotated[str | None, typer.Option(help="Replace the today part.")] = None,
    blockers: Annotated[
        str | None, typer.Option(help="Replace the blockers, one per line ('' for none).")
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Edit it in $EDITOR.")] = False,
    submit: Annotated[bool, typer.Option("--submit", help="Hand it in for the meeting.")] = False,
    as_json: AsJson = False,
) -> None:
    """Show your standup (a draft until you save it); change parts, --edit it, --submit it."""
    if ctx.invoked_subcommand is not None:
        return
    cli = state(ctx)
    client = cli.client()
    found = pick_team(client, team)
    params = _day_param(cli, day)
    url = f"/api/v1/teams/{found['id']}/standups/mine"
    current: dict[str, Any] = client.get(url, params=params)
    changes: dict[str, Any] = {
        name: value
        for name, value in (("yesterday", yesterday), ("today", today), ("blockers", blockers))
        if value is not None
    }
    if edit:
        text = EDIT_HELP + "\n".join(
            f"{HEADINGS[name]}\n{changes.get(name, current[name])}\n" for name in PARTS
        )
        changes.update(parse_edited(run_editor(text)))
    if changes or submit:
        body = {**changes, "submit": submit, "version": current["version"], **params}
        current = client.request("PUT", url, body=body)
        verb = "submitted" if submit else "saved"
        output.line(f"{verb} your standup for {found['name']}, {_day(current['day'])}")
    if as_json:
        output.raw_json(current)
        return
    show(cli, found, current)


def run_editor(text: str) -> str:
    """``text`` as the user left it in $VISUAL or $EDITOR (vi when neither is set)."""
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "standup.md"
        path.write_text(text, encoding="utf-8")
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)  # noqa: S603
        except OSError as exc:
            raise CliError(f"cannot run the editor {editor!r}: {exc}") from None
        if result.returncode != 0:
            raise CliError(
                f"the editor {editor!r} failed (exit {result.returncode}); nothing changed"
            )
        return path.read_text(encoding="utf-8")


def parse_edited(text: str) -> dict[str, str]:
    """The parts of an edited standup, by heading; a part whose heading is gone is left out."""
    parts: dict[str, list[str]] = {}
    current: str | None = None
    headings = {value.lower(): key for key, value in HEADINGS.items()}
    for line in text.splitlines():
        if line.startswith("#"):
            current = headings.get(line.strip().lower())
            if current is not None:
                parts[current] = []
            continue
        if current is not None:
            parts[current].append(line)
    return {name: "\n".join(lines).strip() for name, lines in parts.items()}


def show(cli: CliState, team: dict[str, Any], mine: dict[str, Any]) -> None:
    tz = cli.timezone()
    status = (
        "submitted"
        if mine["status"] == "submitted"
        else ("saved, not submitted" if mine["stored"] else "draft, not saved")
    )
    output.heading(f"Standup for {team['name']}, {_day(mine['day'])} ({status})")
    output.line(f"meeting at {output.when(mine['meeting_at'], tz)} ({tz})")
    if mine["away"]:
        output.line("you are on leave that day")
    previous = _day(mine["previous_day"])
    for name, title in (("yesterday", f"Yesterday ({previous})"), ("today", "Today")):
        output.heading(f"{title}:")
        for line in mine[name].splitlines() or ["nothing"]:
            output.line(f"  {line}")
    output.heading("Blockers:")
    carried = {i["text"]: i for i in mine["blocker_items"] if i["blocker_id"] is not None}
    lines = mine["blockers"].splitlines()
    for line in lines:
        item = carried.get(line.strip())
        suffix = ""
        if item is not None:
            suffix = f"  [#{item['blocker_id']}, open since {_day(item['opened_on'])}"
            suffix += ", flagged to managers]" if item["flagged"] else "]"
        output.line(f"  {line}{suffix}")
    if not lines:
        output.line("  none")


@app.command("team")
def team_day(ctx: typer.Context, team: TeamOpt = None, day: DayOpt = None) -> None:
    """The team's standups: who submitted, who is away, and what they wrote."""
    cli = state(ctx)
    client = cli.client()
    found = pick_team(client, team)
    view = client.get(f"/api/v1/teams/{found['id']}/standups", params=_day_param(cli, day))
    output.heading(f"{found['name']}, {_day(view['day'])}")
    for member in view["members"]:
        output.line(f"{member['name']}: {member['state']}")
        if member["standup"]:
            for name in PARTS:
                text = member["standup"][name].strip()
                if text:
                    output.line(f"  {name}:")
                    for line in text.splitlines():
                        output.line(f"    {line}")
    _blockers(view["open_blockers"])


@app.command("blockers")
def blockers_(ctx: typer.Context, team: TeamOpt = None) -> None:
    """The team's open blockers."""
    client = state(ctx).client()
    found = pick_team(client, team)
    _blockers(client.get(f"/api/v1/teams/{found['id']}/blockers"))


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    blocker_id: Annotated[int, typer.Argument(metavar="BLOCKER_ID", help="See 'blockers'.")],
) -> None:
    """Resolve a blocker: it is no longer carried into standups."""
    blocker = state(ctx).client().post(f"/api/v1/blockers/{blocker_id}/resolve")
    output.line(f"resolved blocker #{blocker['id']}: {blocker['text']}")


def _blockers(items: list[dict[str, Any]]) -> None:
    rows = (
        (
            b["id"],
            b["user_name"],
            _day(b["opened_on"]),
            "flagged" if b["flagged_at"] else "",
            b["text"],
        )
        for b in items
    )
    output.simple_table(["id", "who", "since", "", "blocker"], rows, empty="no open blockers")


def _day(text: str) -> str:
    return f"{date.fromisoformat(text):%a %d %b}"


# --- leave -------------------------------------------------------------------------------------


@leave_app.command("add")
def leave_add(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(metavar="FROM", help="The first day away.")],
    last: Annotated[str, typer.Argument(metavar="TO", help="The last day away.")],
    note: Annotated[str, typer.Option(help="A note, such as 'holidays'.")] = "",
) -> None:
    """Add leave from FROM to TO, both days included: devday leave add 2026-12-21 2026-12-31."""
    cli = state(ctx)
    body = {
        "start": planview.day_of(cli, first).isoformat(),
        "end": planview.day_of(cli, last).isoformat(),
        "note": note,
    }
    leave = cli.client().post("/api/v1/leave", body)
    output.line(f"added leave #{leave['id']}: {_day(leave['start'])} to {_day(leave['end'])}")


@leave_app.command("list")
def leave_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Your leave, earliest first."""
    items = state(ctx).client().get("/api/v1/leave")
    if as_json:
        output.raw_json(items)
        return
    rows = ((x["id"], x["start"], x["end"], x["note"]) for x in items)
    output.simple_table(["id", "from", "to", "note"], rows, empty="no leave")


@leave_app.command("rm")
def leave_rm(
    ctx: typer.Context, leave_id: Annotated[int, typer.Argument(metavar="ID", help="See 'list'.")]
) -> None:
    """Remove one of your leave ranges."""
    state(ctx).client().delete(f"/api/v1/leave/{leave_id}")
    output.line(f"removed leave #{leave_id}")
