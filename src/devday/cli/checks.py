"""devday app, devday check, devday checks and devday incidents: the testing schedule.

An app is something a team built (a base URL, an owner, stakeholders told about incidents);
its checks run on a schedule in the workers (`devday serve` runs one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from devday.cli import lookup, output
from devday.cli.client import ApiClient, CliError
from devday.cli.state import state
from devday.importance import label as priority_label

app_app = typer.Typer(help="Apps your teams built and test on a schedule.", no_args_is_help=True)
check_app = typer.Typer(help="Scheduled checks of an app.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
STATE_MARK = {"up": "up", "down": "DOWN", "degraded": "degraded", "pending": "pending"}


def find_app(client: ApiClient, ref: str) -> dict[str, Any]:
    """The app named ``ref`` (any case) or with the id ``ref``, among the caller's teams'."""
    apps: list[dict[str, Any]] = client.get("/api/v1/apps")
    wanted = ref.strip()
    found = [a for a in apps if wanted.isdigit() and a["id"] == int(wanted)]
    found = found or [a for a in apps if a["name"].lower() == wanted.lower()]
    if not found:
        raise CliError(f"no app {ref!r} in your teams; see 'devday app list'")
    if len(found) > 1:
        ids = ", ".join(str(a["id"]) for a in found)
        raise CliError(f"several apps are named {ref!r} (ids {ids}); give the id")
    return found[0]


def _minutes(text: str, option: str) -> int:
    """``90m``, ``4h``, ``1h30`` or a number of minutes."""
    raw = text.strip().lower()
    try:
        if "h" in raw:
            hours, minutes = raw.split("h", 1)
            return int(hours or 0) * 60 + int(minutes.removesuffix("m") or 0)
        return int(raw.removesuffix("m"))
    except ValueError:
        raise CliError(f"{option}: {text!r} is not a duration like 90m, 4h or 1h30") from None


@app_app.command("add")
def add_app(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What to call it: orders-api.")],
    base_url: Annotated[str, typer.Argument(help="https://orders.example.com")],
    team: Annotated[str, typer.Option(help="The team's name or id.")],
    owner: Annotated[
        str | None, typer.Option(help="The member (email) who fixes it; you by default.")
    ] = None,
    stakeholder: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=CHANNEL_ID, told about incidents (repeat); see 'devday channel list'."
        ),
    ] = None,
    response_target: Annotated[
        str, typer.Option(help="An incident's task is due this long after it opens.")
    ] = "4h",
    reminder: Annotated[str, typer.Option(help="Remind stakeholders this often.")] = "1h",
) -> None:
    """Register an app: devday app add orders-api https://orders.example.com --team Backend."""
    cli = state(ctx)
    client = cli.client()
    body: dict[str, Any] = {
        "team_id": lookup.team(client, team)["id"],
        "name": name,
        "base_url": base_url,
        "response_target_minutes": _minutes(response_target, "--response-target"),
        "reminder_minutes": _minutes(reminder, "--reminder"),
        "stakeholders": [],
    }
    if owner is not None:
        body["owner_id"] = lookup.member_id(client, cli.me(), owner)
    for item in stakeholder or []:
        who, _, channel = item.rpartition("=")
        if not who or not channel.strip().isdigit():
            raise CliError(f"--stakeholder: {item!r} should be NAME=CHANNEL_ID, like QA=3")
        body["stakeholders"].append({"name": who.strip(), "channel_id": int(channel)})
    made = client.post("/api/v1/apps", body)
    output.line(f"added app #{made['id']} {made['name']} ({made['base_url']})")


@app_app.command("list")
def list_apps(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Your teams' apps and their state."""
    apps: list[dict[str, Any]] = state(ctx).client().get("/api/v1/apps")
    if as_json:
        output.raw_json(apps)
        return
    rows = [
        (
            a["id"],
            a["name"],
            a["base_url"],
            STATE_MARK[a["state"]],
            len(a["checks"]),
            a["open_incidents"],
        )
        for a in apps
    ]
    output.simple_table(
        ["id", "app", "base URL", "state", "checks", "incidents"],
        rows,
        empty="no apps yet; add one with 'devday app add'",
    )


@check_app.command("add")
def add_check(
    ctx: typer.Context,
    app: Annotated[str, typer.Argument(help="The app's name or id.")],
    name: Annotated[str, typer.Argument(help="What to call the check: health.")],
    path: Annotated[str, typer.Option(help="The path under the app's base URL.")] = "/",
    method: Annotated[str, typer.Option(help="GET, HEAD, POST, ...")] = "GET",
    header: Annotated[
        list[str] | None, typer.Option(help="'Name: value' sent with the request (repeat).")
    ] = None,
    body: Annotated[str | None, typer.Option(help="The request body.")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="Accepted statuses: 200, 2xx, 200-299 (repeat).")
    ] = None,
    contains: Annotated[str | None, typer.Option(help="Text the body must contain.")] = None,
    not_contains: Annotated[
        str | None, typer.Option(help="Text the body must not contain.")
    ] = None,
    assert_: Annotated[
        list[str] | None,
        typer.Option("--assert", help="A JSON assertion: '$.status == \"ok\"' (repeat)."),
    ] = None,
    budget: Annotated[int | None, typer.Option(help="Latency budget in ms.")] = None,
    regression: Annotated[
        float | None,
        typer.Option(help="Alarm when the last hour's p95 is this many times the previous week's."),
    ] = None,
    security: Annotated[
        bool, typer.Option("--security", help="Grade the security headers (A+ to F).")
    ] = False,
    no_tls: Annotated[
        bool, typer.Option("--no-tls", help="Do not check the certificate's expiry.")
    ] = False,
    interval: Annotated[int, typer.Option(help="Seconds between runs (10 or more).")] = 60,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the answer.")] = 10.0,
    fail_after: Annotated[int, typer.Option(help="Failures in a row before an incident.")] = 3,
    recover_after: Annotated[int, typer.Option(help="Successes in a row to recover.")] = 2,
) -> None:
    """Add a check: devday check add orders-api health --path /health --assert '$.ok == true'."""
    client = state(ctx).client()
    found = find_app(client, app)
    headers: dict[str, str] = {}
    for item in header or []:
        key, sep, value = item.partition(":")
        if not sep or not key.strip():
            raise CliError(f"--header: {item!r} should be 'Name: value'")
        headers[key.strip()] = value.strip()
    data: dict[str, Any] = {
        "name": name,
        "path": path,
        "method": method,
        "headers": headers,
        "body": body,
        "must_contain": contains,
        "must_not_contain": not_contains,
        "assertions": assert_ or [],
        "latency_budget_ms": budget,
        "regression_factor": regression,
        "security": security,
        "tls": not no_tls,
        "interval_seconds": interval,
        "timeout_seconds": timeout,
        "fail_after": fail_after,
        "recover_after": recover_after,
    }
    if status:
        data["accepted_statuses"] = status
    made = client.post(f"/api/v1/apps/{found['id']}/checks", data)
    output.line(
        f"added check #{made['id']} {made['name']}: {made['method']} {made['url']} "
        f"every {made['interval_seconds']} s"
    )


@check_app.command("run")
def run_check(
    ctx: typer.Context,
    check_id: Annotated[int, typer.Argument(metavar="ID", help="The check's id.")],
) -> None:
    """Make a check due now; a worker (devday serve runs one) probes it within a second."""
    made = state(ctx).client().post(f"/api/v1/checks/{check_id}/run")
    output.line(f"check #{made['id']} {made['name']} is due now")


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.0f} ms"


def _ago(value: str | None, now: datetime) -> str:
    if value is None:
        return "never"
    seconds = (now - datetime.fromisoformat(value.replace("Z", "+00:00"))).total_seconds()
    if seconds < 90:
        return f"{max(seconds, 0):.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def checks(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option(help="Only this team's apps.")] = None,
    app: Annotated[str | None, typer.Option(help="Only this app's checks.")] = None,
    as_json: AsJson = False,
) -> None:
    """Every check with its current status, last hour's latency p50/p95 and security grade."""
    cli = state(ctx)
    client = cli.client()
    params: dict[str, Any] = {}
    if team is not None:
        params["team_id"] = lookup.team(client, team)["id"]
    apps: list[dict[str, Any]] = client.get("/api/v1/apps", params=params)
    if app is not None:
        wanted = find_app(client, app)["id"]
        apps = [a for a in apps if a["id"] == wanted]
    if as_json:
        output.raw_json(apps)
        return
    now = cli.now()
    rows = [
        (
            c["id"],
            a["name"],
            c["name"],
            STATE_MARK[c["state"]] if c["enabled"] else "paused",
            _ago(c["last_run_at"], now),
            _ms(c["p50_ms"]),
            _ms(c["p95_ms"]),
            c["grade"] or "",
            c["open_incidents"] or "",
            c["last_error"] or "",
        )
        for a in apps
        for c in a["checks"]
    ]
    output.simple_table(
        ["id", "app", "check", "status", "last run", "p50", "p95", "grade", "incidents", "error"],
        rows,
        empty="no checks yet; add one with 'devday check add'",
    )


def incidents(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    app: Annotated[str | None, typer.Option(help="Only this app's.")] = None,
    as_json: AsJson = False,
) -> None:
    """Open incidents of your teams' apps (all with --all), with the task each became."""
    cli = state(ctx)
    client = cli.client()
    params: dict[str, Any] = {} if all_ else {"status": "open"}
    if app is not None:
        params["app_id"] = find_app(client, app)["id"]
    found: list[dict[str, Any]] = client.get("/api/v1/incidents", params=params)
    if as_json:
        output.raw_json(found)
        return
    timezone = cli.timezone() if found else "UTC"
    rows = [
        (
            i["id"],
            i["status"],
            priority_label(i["severity"]),
            i["problem"],
            output.when(i["opened_at"], timezone),
            output.when(i["resolved_at"], timezone),
            f"#{i['task_id']}" if i["task_id"] else "",
            i["summary"],
        )
        for i in found
    ]
    output.simple_table(
        ["id", "status", "P", "problem", "opened", "resolved", "task", "summary"],
        rows,
        empty="no open incidents" if not all_ else "no incidents",
    )
