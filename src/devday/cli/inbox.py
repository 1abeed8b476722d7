"""devday ask and devday inbox: requests to teammates and teams, and their triage.

``devday ask alice "Can you review the auth PR by Thu?"`` names a teammate by email or name,
or a team by name. ``devday inbox`` lists what waits for you; accept, decline, snooze and
forward triage one request; ``search`` finds any you can see, dismissed ones included.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from devday.cli import lookup, output
from devday.cli.client import ApiClient, CliError
from devday.cli.state import CliState, state
from devday.cli.task import parse_importance

app = typer.Typer(
    help="Requests from teammates, email and help forms: list, accept, decline, snooze, forward.",
    invoke_without_command=True,
)
ItemId = Annotated[int, typer.Argument(metavar="ID", help="The request's id (see 'devday inbox').")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
SNOOZE_MORNING = time(9, 0)


def _people(client: ApiClient) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    teams: list[dict[str, Any]] = client.get("/api/v1/teams")
    members: dict[int, dict[str, Any]] = {}
    for team in teams:
        for member in client.get(f"/api/v1/teams/{team['id']}/members"):
            members.setdefault(int(member["user_id"]), member)
    return teams, list(members.values())


def resolve(client: ApiClient, me: dict[str, Any], ref: str) -> dict[str, Any]:
    """The API's addressing for ``ref``: a teammate (email, full name, first name or the part
    of the email before the @) or one of the caller's teams (name or id)."""
    wanted = ref.strip().lower()
    teams, members = _people(client)
    members = [m for m in members if int(m["user_id"]) != int(me["id"])]
    for matches in (
        [m for m in members if str(m["email"]).lower() == wanted],
        [m for m in members if str(m["name"]).lower() == wanted],
        [
            m
            for m in members
            if str(m["name"]).lower().split(" ")[0] == wanted
            or str(m["email"]).lower().split("@")[0] == wanted
        ],
    ):
        if len(matches) == 1:
            return {"recipient_id": int(matches[0]["user_id"])}
        if len(matches) > 1:
            names = ", ".join(str(m["email"]) for m in matches)
            raise CliError(f"{ref!r} could be {names}; give the email")
    found = [t for t in teams if str(t["name"]).lower() == wanted or str(t["id"]) == wanted]
    if len(found) == 1:
        return {"team_id": int(found[0]["id"])}
    if len(found) > 1:
        raise CliError(f"several teams are named {ref!r}; give the id")
    raise CliError(f"no teammate or team {ref!r}; see 'devday team members TEAM'")


def ask(
    ctx: typer.Context,
    to: Annotated[str, typer.Argument(help="A teammate (email or name) or one of your teams.")],
    text: Annotated[str, typer.Argument(help="What you ask for; its first line is the subject.")],
    team: Annotated[
        str | None, typer.Option(help="Ask the teammate as a member of this team (name or id).")
    ] = None,
) -> None:
    """Ask a teammate or a team: devday ask alice "Can you review the auth PR by Thu?"."""
    cli = state(ctx)
    client = cli.client()
    body = resolve(client, cli.me(), to)
    if team is not None:
        body["team_id"] = lookup.team(client, team)["id"]
    subject, _, rest = text.strip().partition("\n")
    body.update(subject=subject.strip(), body=rest.strip())
    item = client.post("/api/v1/inbox", body)
    whom = item["recipient_name"] or _team_name(client, item["team_id"])
    output.line(f"asked {whom}: request #{item['id']} {item['subject']}")


def _team_name(client: ApiClient, team_id: int | None) -> str:
    for each in client.get("/api/v1/teams"):
        if each["id"] == team_id:
            return f"team {each['name']}"
    return "the team"


@app.callback()
def inbox(
    ctx: typer.Context,
    snoozed: Annotated[bool, typer.Option("--snoozed", help="Only snoozed requests.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Every request you can see.")] = False,
    sent: Annotated[bool, typer.Option("--sent", help="What you asked others.")] = False,
    team: Annotated[str | None, typer.Option(help="Only this team's (name or id).")] = None,
    as_json: AsJson = False,
) -> None:
    """What waits for you (and, unassigned, for your teams), newest first."""
    if ctx.invoked_subcommand is not None:
        return
    view = "snoozed" if snoozed else "all" if all_ else "sent" if sent else "open"
    _list(state(ctx), {"view": view}, team, as_json)


@app.command("search")
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words in the subject, body or sender.")],
    as_json: AsJson = False,
) -> None:
    """Find any request you can see, accepted, declined and forwarded ones included."""
    _list(state(ctx), {"view": "all", "q": text}, None, as_json)


def _list(cli: CliState, params: dict[str, Any], team: str | None, as_json: bool) -> None:
    client = cli.client()
    if team is not None:
        params["team_id"] = lookup.team(client, team)["id"]
    page = client.get("/api/v1/inbox", params={**params, "limit": 200})
    if as_json:
        output.raw_json(page["items"])
        return
    zone = cli.timezone()
    rows = [
        (
            i["id"],
            output.when(i["received_at"], zone),
            _sender(i),
            i["subject"],
            i["status"]
            + (f" until {output.when(i['snoozed_until'], zone)}" if i["snoozed_until"] else ""),
            output.when(i["suggestion"]["deadline"], zone),
        )
        for i in page["items"]
    ]
    empty = "no requests match" if "q" in params else "inbox zero: nothing waits for you"
    output.simple_table(["id", "received", "from", "subject", "status", "due"], rows, empty=empty)


def _sender(item: dict[str, Any]) -> str:
    name = item["sender_name"] or item["sender_email"] or "?"
    return name if item["source"] == "colleague" else f"{name} ({item['source']})"


@app.command("show")
def show(ctx: typer.Context, item_id: ItemId, as_json: AsJson = False) -> None:
    """One request with its text and history."""
    cli = state(ctx)
    item = cli.client().get(f"/api/v1/inbox/{item_id}")
    if as_json:
        output.raw_json(item)
        return
    zone = cli.timezone()
    hint = item["suggestion"]
    output.line(f"#{item['id']} {item['subject']}")
    output.fields(
        [
            (
                "from",
                _sender(item) + (f" <{item['sender_email']}>" if item["sender_email"] else ""),
            ),
            ("to", item["recipient_name"] or "the team (unassigned)"),
            ("received", output.when(item["received_at"], zone)),
            ("status", item["status"]),
            (
                "suggested",
                f"{hint['priority']}, due {output.when(hint['deadline'], zone, empty='-')}",
            ),
            ("task", f"#{item['task_id']}" if item["task_id"] else "-"),
        ]
    )
    if item["body"]:
        output.line("")
        output.line(item["body"])
    if item["reply"]:
        output.line("")
        output.line(f"reply: {item['reply']}")
    output.line("")
    for event in item["events"]:
        who = event["actor_name"] or "devday"
        to = f" to {event['to_user_name']}" if event["to_user_name"] else ""
        note = f": {event['note']}" if event["note"] else ""
        output.line(f"{output.when(event['at'], zone)}  {event['kind']}{to} by {who}{note}")


def _version(client: ApiClient, item_id: int) -> int:
    return int(client.get(f"/api/v1/inbox/{item_id}")["version"])


@app.command("accept")
def accept(
    ctx: typer.Context,
    item_id: ItemId,
    importance: Annotated[
        str | None, typer.Option("--importance", "-i", help="1-4 or P1-P4; default: suggested.")
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option("--deadline", "-d", help="fri 17:00, tomorrow ...; default: suggested."),
    ] = None,
    no_deadline: Annotated[bool, typer.Option("--no-deadline", help="No deadline.")] = False,
    title: Annotated[
        str | None, typer.Option(help="The task's title; default: the subject.")
    ] = None,
    estimate: Annotated[str | None, typer.Option("--estimate", "-e", help="90m, 1h30 ...")] = None,
    project: Annotated[str | None, typer.Option(help="A project's name or id.")] = None,
    reply: Annotated[str, typer.Option(help="A note for the requester.")] = "",
) -> None:
    """Accept a request: it becomes your task, and the requester is told."""
    from devday.dateparse import parse_duration

    cli = state(ctx)
    client = cli.client()
    body: dict[str, Any] = {"version": _version(client, item_id), "reply": reply}
    if importance is not None:
        body["importance"] = parse_importance(importance)
    if no_deadline:
        body["no_deadline"] = True
    elif deadline is not None:
        body["deadline"] = cli.when(deadline, "--deadline").isoformat()
    if title is not None:
        body["title"] = title
    if estimate is not None:
        try:
            body["estimate_minutes"] = parse_duration(estimate)
        except ValueError as exc:
            raise CliError(f"--estimate: {exc}") from None
    if project is not None:
        body["project_id"] = lookup.project_id(client, project)
    item = client.post(f"/api/v1/inbox/{item_id}/accept", body)
    task = client.get(f"/api/v1/tasks/{item['task_id']}")
    output.task_line(f"accepted #{item['id']} as task", task, cli.timezone())


@app.command("decline")
def decline(
    ctx: typer.Context,
    item_id: ItemId,
    reply: Annotated[str, typer.Argument(help="Why; it is sent to the requester.")],
) -> None:
    """Decline a request with a reply to the requester."""
    client = state(ctx).client()
    body = {"reply": reply, "version": _version(client, item_id)}
    item = client.post(f"/api/v1/inbox/{item_id}/decline", body)
    output.line(f"declined #{item['id']} {item['subject']}; the requester gets your reply")


@app.command("snooze")
def snooze(
    ctx: typer.Context,
    item_id: ItemId,
    until: Annotated[
        str, typer.Argument(help="tomorrow, mon 14:00, in 2 hours ... (a day: 9:00).")
    ],
) -> None:
    """Hide a request until a time; it comes back by itself."""
    cli = state(ctx)
    client = cli.client()
    when = cli.when(until, "UNTIL")
    if not isinstance(when, datetime):
        when = _morning(when, cli.timezone())
    body = {"until": when.isoformat(), "version": _version(client, item_id)}
    item = client.post(f"/api/v1/inbox/{item_id}/snooze", body)
    back = output.when(item["snoozed_until"], cli.timezone())
    output.line(f"snoozed #{item['id']} until {back}")


def _morning(day: date, timezone: str) -> datetime:
    return datetime.combine(day, SNOOZE_MORNING, tzinfo=ZoneInfo(timezone))


@app.command("forward")
def forward(
    ctx: typer.Context,
    item_id: ItemId,
    to: Annotated[str, typer.Argument(help="A teammate's email or name.")],
    note: Annotated[str, typer.Option(help="A note for them.")] = "",
) -> None:
    """Hand a request to a teammate; you both keep its history."""
    cli = state(ctx)
    client = cli.client()
    target = resolve(client, cli.me(), to)
    if "recipient_id" not in target:
        raise CliError(f"{to!r} is a team; forward to a person")
    body = {
        "to_user_id": target["recipient_id"],
        "note": note,
        "version": _version(client, item_id),
    }
    item = client.post(f"/api/v1/inbox/{item_id}/forward", body)
    output.line(f"forwarded #{item['id']} to {item['recipient_name']}")


@app.command("setup")
def setup(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(metavar="TEAM", help="Team name or id.")],
    slug: Annotated[
        str | None, typer.Option(help="The help form's and mail address's name.")
    ] = None,
    help_form: Annotated[
        bool | None, typer.Option("--help-form/--no-help-form", help="The public help form.")
    ] = None,
    imap: Annotated[bool | None, typer.Option("--imap/--no-imap", help="Poll a mailbox.")] = None,
    imap_host: Annotated[str | None, typer.Option(help="IMAP server host.")] = None,
    imap_port: Annotated[int | None, typer.Option(help="IMAP port (993 with TLS).")] = None,
    imap_tls: Annotated[bool | None, typer.Option("--imap-tls/--no-imap-tls")] = None,
    imap_user: Annotated[str | None, typer.Option(help="IMAP login.")] = None,
    imap_password_stdin: Annotated[
        bool, typer.Option("--imap-password-stdin", help="Read the IMAP password from stdin.")
    ] = False,
    imap_folder: Annotated[str | None, typer.Option(help="The folder to read (INBOX).")] = None,
    poll_minutes: Annotated[int | None, typer.Option(help="Minutes between polls.")] = None,
    as_json: AsJson = False,
) -> None:
    """Show or change a team's inbox setup (changes: owners and managers)."""
    client = state(ctx).client()
    team_id = lookup.team(client, team)["id"]
    path = f"/api/v1/teams/{team_id}/inbox"
    current = client.get(path)
    body: dict[str, Any] = {
        name: value
        for name, value in (
            ("slug", slug),
            ("help_form", help_form),
            ("imap_enabled", imap),
            ("imap_host", imap_host),
            ("imap_port", imap_port),
            ("imap_tls", imap_tls),
            ("imap_user", imap_user),
            ("imap_folder", imap_folder),
            ("poll_minutes", poll_minutes),
        )
        if value is not None
    }
    if imap_password_stdin:
        body["imap_password"] = sys.stdin.readline().rstrip("\r\n")
    if body:
        if current["version"] is not None:
            body["version"] = current["version"]
        current = client.patch(path, body)
    if as_json:
        output.raw_json(current)
        return
    output.fields(
        [
            ("slug", current["slug"]),
            ("help form", current["help_url"] or "off"),
            ("address", current["address"] or "-"),
            (
                "imap",
                f"{current['imap_user']}@{current['imap_host']}:{current['imap_port']}"
                f"/{current['imap_folder']}" + ("" if current["imap_enabled"] else " (off)")
                if current["imap_host"]
                else "off",
            ),
            ("password", "set" if current["imap_password_set"] else "not set"),
            ("last poll", current["last_polled_at"] or "-"),
            ("last error", current["last_error"] or "-"),
        ]
    )


@app.command("poll")
def poll(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(metavar="TEAM", help="Team name or id.")],
) -> None:
    """Poll the team's IMAP mailbox now."""
    client = state(ctx).client()
    team_id = lookup.team(client, team)["id"]
    result = client.post(f"/api/v1/teams/{team_id}/inbox/poll", {})
    if result["error"]:
        raise CliError(f"polling failed: {result['error']}")
    output.line(f"read {result['fetched']} unseen mails, {result['new']} new requests")
