"""devday team figures: the team's weekly figures, and per member for owners and managers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from devday.cli import lookup, output
from devday.cli.state import state
from devday.dateparse import format_duration

KINDS = ("coding", "testing", "docs", "meeting", "other")


def figures(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(metavar="TEAM", help="Team name or id.")],
    weeks: Annotated[int, typer.Option(min=1, max=52, help="Weeks back, this one last.")] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Tasks finished, share on time, time by kind, estimate accuracy and requests answered,
    per week; per member too if you manage the team (your own figures otherwise)."""
    client = state(ctx).client()
    found = lookup.team(client, team)
    data: dict[str, Any] = client.get(
        f"/api/v1/teams/{found['id']}/figures", params={"weeks": weeks}
    )
    if as_json:
        output.raw_json(data)
        return
    output.heading(f"{found['name']}: the last {output.plural(weeks, 'week')} ({data['timezone']})")
    columns = ["week", "done", "on time", *KINDS, "est. ratio", "requests", "answer in"]
    output.simple_table(
        columns,
        (_row(f"{date.fromisoformat(w['week_start']):%d %b}", w) for w in data["totals"]),
        empty="no weeks",
    )
    output.line("")
    output.heading("Per member, all weeks:" if data["all_members"] else "Yours, all weeks:")
    output.simple_table(
        ["member", "done", "on time", *KINDS, "est. ratio", "requests", "answer in"],
        (_row(m["name"], m["overall"]) for m in data["members"]),
        empty="no members",
    )


def _row(label: str, week: dict[str, Any]) -> list[str]:
    share = week["on_time_share"]
    ratio = week["estimate_ratio_median"]
    answer = week["answer_minutes_median"]
    return [
        label,
        str(week["tasks_finished"]),
        "-" if share is None else f"{share:.0%}",
        *(_time(week["minutes_by_kind"].get(kind, 0)) for kind in KINDS),
        "-" if ratio is None else f"{ratio:.2f}",
        str(week["requests_answered"]),
        "-" if answer is None else format_duration(round(answer)),
    ]


def _time(minutes: int) -> str:
    return format_duration(minutes) if minutes else "-"
