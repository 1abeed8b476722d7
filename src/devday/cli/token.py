"""devday token: create, list, revoke personal API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from devday.cli import output
from devday.cli.state import state

app = typer.Typer(help="Personal API tokens, for scripts and other machines.", no_args_is_help=True)


@app.command("create")
def create(ctx: typer.Context, name: str) -> None:
    """Create a token; its secret is shown this once."""
    token = state(ctx).client().post("/api/v1/tokens", {"name": name})
    output.line(token["token"])
    output.warn(
        f"token #{token['id']} {token['name']!r}: store this secret now; "
        "it is never shown again, and it acts as you until revoked"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Your tokens (never their secrets) and when each was last used."""
    cli = state(ctx)
    tokens = cli.client().get("/api/v1/tokens")
    if as_json:
        output.raw_json(tokens)
        return
    zone = cli.timezone() if tokens else "UTC"
    rows = (
        (
            t["id"],
            t["name"],
            t["prefix"] + "...",
            output.when(t["created_at"], zone),
            output.when(t["last_used_at"], zone, empty="never"),
            "revoked " + output.when(t["revoked_at"], zone) if t["revoked_at"] else "active",
        )
        for t in tokens
    )
    columns = ["id", "name", "prefix", "created", "last used", "state"]
    output.simple_table(columns, rows, empty="no tokens")


@app.command("revoke")
def revoke(ctx: typer.Context, token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token: it stops working at once."""
    token = state(ctx).client().delete(f"/api/v1/tokens/{token_id}")
    output.line(f"revoked token #{token['id']} {token['name']}")
