"""devday meeting: today's team meeting from the terminal.

``devday meeting [TEAM]`` shows the agenda; ``note``, ``decide`` and ``action`` add to it;
``reassign`` takes up a suggestion; ``close`` sends the summary to the team's channels.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from devday.cli import lookup, output
from devday.cli.client import ApiClient, CliError
from devday.cli.state import CliState, state


class MeetingGroup(TyperGroup):
    """``devday meeting`` and ``devday meeting TEAM`` both mean ``devday meeting show``."""

    # Typed Any: the context class lives in typer's private vendored click.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["show", *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


app = typer.Typer(
    cls=MeetingGroup,
    help="Today's team meeting: the agenda, notes, decisions, action items, the summary.",
)
TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="Team name or id; default: your only team.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]


def _team(client: ApiClient, ref: str | None) -> dict[str, Any]:
    if ref:
        return lookup.team(client, ref)
    teams: list[dict[str, Any]] = client.get("/api/v1/teams")
    if not teams:
        raise CliError("you are in no team; see 'devday team create'")
    if len(teams) > 1:
        names = ", ".join(t["name"] for t in teams)
        raise CliError(f"you are in several teams ({names}); name one with --team")
    return teams[0]


def _meeting(cli: CliState, ref: str | None, *, to_change: bool = False) -> dict[str, Any]:
    """Today's meeting of the team; ``to_change`` opens (stores) it first, for its id."""
    client = cli.client()
    team = _team(client, ref)
    path = f"/api/v1/teams/{team['id']}/meetings/today"
    meeting: dict[str, Any] = client.post(path) if to_change else client.get(path)
    return meeting


@app.command("show")
def show(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Argument(metavar="[TEAM]", help="Team name or id.")] = None,
    as_json: AsJson = False,
) -> None:
    """Today's agenda: standups, blockers, deadlines at risk, incidents, last meeting's action
    items and suggested reassignments; then what was noted so far."""
    cli = state(ctx)
    meeting = _meeting(cli, team)
    if as_json:
        output.raw_json(meeting)
        return
    tz = cli.timezone()
    output.heading(
        f"{meeting['team']} meeting, {date.fromisoformat(meeting['date']).strftime('%a %d %b')} "
        f"at {output.when(meeting['starts_at'], tz)[-5:]} ({meeting['status']})"
    )
    agenda = meeting["agenda"]
    if agenda is None:
        output.line("")
        output.markdown(meeting["summary"])
        return
    _agenda(agenda, tz)
    _items(meeting["items"], tz)


def _agenda(agenda: dict[str, Any], tz: str) -> None:
    away = [p["name"] for p in agenda["people"] if p["away"]]
    names = {p["user_id"]: p["name"] for p in agenda["people"]}
    if away:
        output.line(f"Away: {', '.join(away)}")
    output.line("")
    output.heading("Standups")
    for s in agenda["standups"]:
        output.explained(
            s["name"],
            f"today: {s['today']}" + (f"; blockers: {s['blockers']}" if s["blockers"] else ""),
        )
    missing = [names.get(uid, str(uid)) for uid in agenda["missing_standups"]]
    if missing:
        output.line(f"  not submitted yet: {', '.join(missing)}")
    elif not agenda["standups"]:
        output.line("  none")
    output.heading("Open blockers")
    for b in agenda["blockers"]:
        flag = ", flagged" if b["flagged"] else ""
        output.line(f"  {b['name']}: {b['text']} ({output.plural(b['age_days'], 'day')} old{flag})")
    if not agenda["blockers"]:
        output.line("  none")
    output.heading("Deadlines at risk")
    for r in agenda["at_risk"]:
        output.explained(
            f"#{r['task_id']} {r['title']} ({r['name']}, due {output.when(r['deadline'], tz)})",
            r["reason"],
        )
    if not agenda["at_risk"]:
        output.line("  none")
    output.heading("Open incidents")
    for i in agenda["incidents"]:
        output.line(f"  {i['summary']} (since {output.when(i['opened_at'], tz)})")
    if not agenda["incidents"]:
        output.line("  none")
    output.heading("Last meeting's action items")
    for a in agenda["previous_actions"]:
        who = a["assignee"] or "unassigned"
        output.line(f"  #{a['task_id'] or '-'} {a['title']} ({who}): {a['status']}")
    if not agenda["previous_actions"]:
        output.line("  none")
    output.heading("Suggested reassignments")
    for s in agenda["suggestions"]:
        output.explained(
            f"#{s['task_id']} {s['title']}: {s['from_name']} -> {s['to_name']}"
            f"  (devday meeting reassign {s['task_id']} --to-id {s['to_user_id']})",
            s["reason"],
        )
    if not agenda["suggestions"]:
        output.line("  none")


def _items(items: list[dict[str, Any]], tz: str) -> None:
    output.heading("In this meeting")
    for item in items:
        if item["kind"] == "action":
            due = output.when(item["deadline"], tz)
            output.line(
                f"  action #{item['task_id']} {item['text']} ({item['assignee']}, due {due})"
            )
        else:
            output.line(f"  {item['kind']}: {item['text']} ({item['author']})")
    if not items:
        output.line("  nothing yet")


def _add(ctx: typer.Context, team: str | None, body: dict[str, Any]) -> dict[str, Any]:
    cli = state(ctx)
    meeting = _meeting(cli, team, to_change=True)
    item: dict[str, Any] = cli.client().post(f"/api/v1/meetings/{meeting['id']}/items", body)
    return item


@app.command("note")
def note(ctx: typer.Context, text: str, team: TeamOption = None) -> None:
    """Add a note (Markdown) to today's meeting."""
    item = _add(ctx, team, {"kind": "note", "text": text})
    output.line(f"noted ({item['id']})")


@app.command("decide")
def decide(ctx: typer.Context, text: str, team: TeamOption = None) -> None:
    """Record a decision in today's meeting."""
    item = _add(ctx, team, {"kind": "decision", "text": text})
    output.line(f"decided ({item['id']}): {item['text']}")


@app.command("action")
def action(
    ctx: typer.Context,
    title: str,
    to: Annotated[str, typer.Option("--to", help="The teammate's email (or 'me').")],
    due: Annotated[str, typer.Option("--due", help="The deadline: fri, tomorrow 12:00 ...")],
    estimate: Annotated[str | None, typer.Option("--estimate", "-e", help="90m, 1h30.")] = None,
    team: TeamOption = None,
) -> None:
    """Add an action item: it becomes a task for the teammate, due when you say."""
    from devday.dateparse import parse_duration

    cli = state(ctx)
    when = cli.when(due, "--due")
    body: dict[str, Any] = {
        "kind": "action",
        "text": title,
        "assignee_id": _person(cli, to),
        "deadline": when.isoformat(),
    }
    if estimate is not None:
        try:
            body["estimate_minutes"] = parse_duration(estimate)
        except ValueError as exc:
            raise CliError(f"--estimate: {exc}") from None
    item = _add(ctx, team, body)
    output.line(
        f"action item #{item['task_id']} {item['text']} for {item['assignee']}, "
        f"due {output.when(item['deadline'], cli.timezone())}"
    )


def _person(cli: CliState, who: str) -> int:
    if who.strip().lower() == "me":
        return int(cli.me()["id"])
    return lookup.member_id(cli.client(), cli.me(), who)


@app.command("reassign")
def reassign(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(metavar="TASK_ID")],
    to: Annotated[str | None, typer.Option("--to", help="The teammate's email.")] = None,
    to_id: Annotated[int | None, typer.Option("--to-id", help="The teammate's user id.")] = None,
    team: TeamOption = None,
) -> None:
    """Give a team task to a teammate and re-plan both (as the agenda suggests)."""
    cli = state(ctx)
    if (to is None) == (to_id is None):
        raise CliError("name the teammate with --to EMAIL or --to-id ID")
    assignee = to_id if to_id is not None else _person(cli, to or "")
    meeting = _meeting(cli, team, to_change=True)
    result = cli.client().post(
        f"/api/v1/meetings/{meeting['id']}/reassign", {"task_id": task_id, "assignee_id": assignee}
    )
    late = ", ".join(f"user {uid}: {n} late" for uid, n in result["late"].items())
    output.line(f"reassigned #{task_id}; plans re-made ({late})")


@app.command("close")
def close(ctx: typer.Context, team: TeamOption = None) -> None:
    """Close today's meeting and send the summary to the team's channels (owners, managers)."""
    cli = state(ctx)
    meeting = _meeting(cli, team, to_change=True)
    closed = cli.client().post(
        f"/api/v1/meetings/{meeting['id']}/close", {"version": meeting["version"]}
    )
    output.line(f"closed; the summary went to {output.plural(closed['sent_to'], 'channel')}")
    output.markdown(closed["summary"])
