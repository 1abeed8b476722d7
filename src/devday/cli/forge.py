"""devday forge: GitHub repositories and GitLab projects whose issues become tasks.

The token is read from stdin (``--token-stdin``) or asked for without echo, so that it stays
out of the shell's history; the API never shows it back, only its last four characters.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer

from devday.cli import lookup, output
from devday.cli.client import CliError
from devday.cli.state import state

app = typer.Typer(
    help="GitHub and GitLab issues as tasks: connect a repository, sync it.", no_args_is_help=True
)

ForgeId = Annotated[int, typer.Argument(metavar="ID", help="The connection's id (see 'list').")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]


class Kind(enum.StrEnum):
    github = "github"
    gitlab = "gitlab"


class Finish(enum.StrEnum):
    nothing = "nothing"
    close = "close"
    comment = "comment"


def _token(from_stdin: bool) -> str:
    if from_stdin:
        token = typer.get_text_stream("stdin").readline().strip()
        if not token:
            raise CliError("--token-stdin: stdin held no token")
        return token
    return str(typer.prompt("Token", hide_input=True)).strip()


@app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="github or gitlab.")],
    repo: Annotated[
        str, typer.Argument(help="owner/name on GitHub; a project's path or id on GitLab.")
    ],
    token_stdin: Annotated[
        bool, typer.Option("--token-stdin", help="Read the token from the first line of stdin.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="A GitLab server, or GitHub Enterprise's API root (https://HOST/api/v3)."
        ),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="The project the tasks go into.")
    ] = None,
    assignee: Annotated[
        str | None, typer.Option(help="Only issues assigned to this login on the forge.")
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Only issues with this label.")
    ] = None,
    importance: Annotated[
        str | None, typer.Option(help='Labels to importance: "priority:high=high, P1=critical".')
    ] = None,
    on_finish: Annotated[
        Finish, typer.Option(help="What finishing a task does: nothing, close or comment.")
    ] = Finish.nothing,
    every: Annotated[int, typer.Option(help="Minutes between polls.")] = 10,
) -> None:
    """Connect a repository: devday forge add github acme/api --assignee me --on-finish close."""
    client = state(ctx).client()
    body: dict[str, Any] = {
        "kind": kind.value,
        "repo": repo,
        "token": _token(token_stdin),
        "on_finish": on_finish.value,
        "poll_minutes": every,
    }
    if base_url is not None:
        body["base_url"] = base_url
    if project is not None:
        body["project_id"] = lookup.project_id(client, project)
    if assignee is not None:
        body["assignee"] = assignee
    if label:
        body["labels"] = label
    if importance is not None:
        body["importance_map"] = importance
    row = client.post("/api/v1/forges", body)
    output.line(
        f"connected #{row['id']}: {row['kind']} {row['repo']} (token {row['token']}); "
        "the first sync runs within a minute, or now with 'devday forge sync "
        f"{row['id']}'"
    )


def _last(row: dict[str, Any], timezone: str) -> str:
    if row["last_error"]:
        return f"error: {row['last_error']}"
    return output.when(row["last_synced_at"], timezone, empty="not yet")


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Your connections and your teams' projects' ones, with their last sync or error."""
    cli = state(ctx)
    client = cli.client()
    rows: list[dict[str, Any]] = client.get("/api/v1/forges")
    if as_json:
        output.raw_json(rows)
        return
    timezone = cli.timezone() if rows else "UTC"
    projects = lookup.project_names(client) if any(r["project_id"] for r in rows) else {}
    output.simple_table(
        ["id", "forge", "repository", "tasks go to", "on finish", "last sync"],
        [
            (
                r["id"],
                r["kind"],
                r["repo"],
                projects.get(r["project_id"], r["project_id"]) if r["project_id"] else "you",
                r["on_finish"],
                _last(r, timezone),
            )
            for r in rows
        ],
        empty="no repositories connected; connect one with 'devday forge add github OWNER/NAME'",
    )


@app.command("sync")
def sync(ctx: typer.Context, connection_id: ForgeId) -> None:
    """Sync a connection now rather than wait for the next poll."""
    result = state(ctx).client().post(f"/api/v1/forges/{connection_id}/sync")
    if result["error"]:
        raise CliError(f"sync of #{connection_id} failed: {result['error']}")
    if result["not_modified"]:
        output.line(f"#{connection_id}: nothing changed")
        return
    output.line(
        f"#{connection_id}: {output.plural(result['created'], 'new task')}, "
        f"{result['updated']} updated, {result['finished']} finished"
    )


@app.command("remove")
def remove(ctx: typer.Context, connection_id: ForgeId) -> None:
    """Remove a connection; its tasks stay."""
    state(ctx).client().delete(f"/api/v1/forges/{connection_id}")
    output.line(f"removed connection #{connection_id}; its tasks stay")
