"""devday team: create, list, members, add, remove."""

from __future__ import annotations

from typing import Annotated

import typer

from devday.cli import figures, lookup, output
from devday.cli.client import CliError
from devday.cli.state import state

app = typer.Typer(help="Teams and their members.", no_args_is_help=True)
TeamRef = Annotated[str, typer.Argument(metavar="TEAM", help="Team name or id.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
app.command("figures")(figures.figures)


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    timezone: Annotated[
        str | None, typer.Option(help="IANA timezone, such as Europe/Berlin. Default: yours.")
    ] = None,
) -> None:
    """Create a team; you become its owner."""
    cli = state(ctx)
    body = {"name": name, "timezone": timezone or cli.timezone()}
    team = cli.client().post("/api/v1/teams", body)
    output.line(f"created team #{team['id']} {team['name']} ({team['timezone']})")


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Your teams and your role in each."""
    teams = state(ctx).client().get("/api/v1/teams")
    if as_json:
        output.raw_json(teams)
        return
    rows = ((t["id"], t["name"], t["timezone"], t["my_role"]) for t in teams)
    output.simple_table(["id", "name", "timezone", "role"], rows, empty="no teams")


@app.command("members")
def members(ctx: typer.Context, team: TeamRef, as_json: AsJson = False) -> None:
    """A team's members and their roles."""
    client = state(ctx).client()
    found = lookup.team(client, team)
    people = client.get(f"/api/v1/teams/{found['id']}/members")
    if as_json:
        output.raw_json(people)
        return
    rows = ((m["user_id"], m["name"], m["email"], m["role"], m["timezone"]) for m in people)
    output.simple_table(["id", "name", "email", "role", "timezone"], rows, empty="no members")


@app.command("add")
def add(
    ctx: typer.Context,
    team: TeamRef,
    email: str,
    role: Annotated[str, typer.Option(help="member, manager or owner.")] = "member",
) -> None:
    """Add someone with a devday account to a team (owners and managers)."""
    client = state(ctx).client()
    found = lookup.team(client, team)
    body = {"email": email, "role": role.strip().lower()}
    member = client.post(f"/api/v1/teams/{found['id']}/members", body)
    output.line(f"added {member['email']} to {found['name']} as {member['role']}")


@app.command("remove")
def remove(ctx: typer.Context, team: TeamRef, email: str) -> None:
    """Remove someone from a team, or leave it (give your own email)."""
    client = state(ctx).client()
    found = lookup.team(client, team)
    for member in client.get(f"/api/v1/teams/{found['id']}/members"):
        if str(member["email"]).lower() == email.strip().lower():
            client.delete(f"/api/v1/teams/{found['id']}/members/{member['user_id']}")
            output.line(f"removed {member['email']} from {found['name']}")
            return
    raise CliError(f"{email!r} is not a member of {found['name']}")
