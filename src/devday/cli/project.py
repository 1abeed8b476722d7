"""devday project: add, list."""

from __future__ import annotations

from typing import Annotated

import typer

from devday.cli import lookup, output
from devday.cli.state import state

app = typer.Typer(help="Projects: personal, or a team's.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str,
    team: Annotated[str | None, typer.Option(help="The owning team (name or id).")] = None,
    description: Annotated[str, typer.Option(help="What the project is.")] = "",
) -> None:
    """Add a project; without --team it is personal."""
    client = state(ctx).client()
    body: dict[str, object] = {"name": name, "description": description}
    where = "personal"
    if team is not None:
        found = lookup.team(client, team)
        body["team_id"] = found["id"]
        where = f"team {found['name']}"
    project = client.post("/api/v1/projects", body)
    output.line(f"added project #{project['id']} {project['name']} ({where})")


@app.command("list")
def list_(
    ctx: typer.Context,
    archived: Annotated[bool, typer.Option("--archived", help="Archived ones too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Your projects and your teams'."""
    client = state(ctx).client()
    params = {"include_archived": "true"} if archived else None
    projects = client.get("/api/v1/projects", params=params)
    if as_json:
        output.raw_json(projects)
        return
    teams = {t["id"]: t["name"] for t in client.get("/api/v1/teams")} if projects else {}
    rows = (
        (
            p["id"],
            p["name"],
            teams.get(p["team_id"], f"team {p['team_id']}") if p["team_id"] else "personal",
            "archived" if p["archived"] else "",
            p["description"],
        )
        for p in projects
    )
    output.simple_table(["id", "name", "owner", "", "description"], rows, empty="no projects")
