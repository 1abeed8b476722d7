"""The devday command: a client of the devday API, remote or in-process.

With no server named it runs the app in this process over the local database and acts for
the local user; with ``--server URL`` (or after ``devday login``) it talks HTTP to that server.
Expected failures print one ``error: ...`` line and exit with 1; usage errors exit with 2.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from devday.cli import (
    account,
    channel,
    checks,
    day,
    duty,
    inbox,
    meeting,
    output,
    plan,
    project,
    serve,
    standup,
    task,
    team,
    timer,
    token,
    worker,
)
from devday.cli.client import CliError
from devday.cli.state import CliState


class DevdayGroup(TyperGroup):
    """Turns CliError from any command below into one stderr line and exit code 1."""

    # Typed Any: the context class lives in typer's private vendored click.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as exc:
            output.error(str(exc))
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=DevdayGroup,
    name="devday",
    help="devday runs your working day: tasks, projects, teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    server: Annotated[
        str | None,
        typer.Option(envvar="DEVDAY_SERVER", help="A devday server URL; default: local database."),
    ] = None,
    token_: Annotated[
        str | None,
        typer.Option("--token", envvar="DEVDAY_TOKEN", help="API token for --server."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(envvar="DEVDAY_USER", help="Local mode: act as this account's email."),
    ] = None,
) -> None:
    cli = ctx.ensure_object(CliState)
    cli.server = server or cli.server
    cli.token = token_ or cli.token
    cli.user = user or cli.user
    ctx.call_on_close(cli.close)


app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.command("login")(account.login)
app.command("logout")(account.logout)
app.command("use")(account.use)
app.command("me")(account.me)
app.add_typer(account.user_app, name="user")
app.add_typer(token.app, name="token")
app.add_typer(team.app, name="team")
app.add_typer(project.app, name="project")
app.add_typer(task.app, name="task")
app.command("start")(timer.start)
app.command("stop")(timer.stop)
app.command("status")(timer.status)
app.command("time")(timer.time_)
app.add_typer(timer.log_app, name="log")
app.command("duty")(duty.duty)
app.add_typer(plan.app, name="plan")
app.add_typer(duty.busy_app, name="busy")
app.command("today")(day.today)
app.add_typer(day.habit_app, name="habit")
app.command("wrapup")(day.wrapup)
app.command("reflect")(day.reflect)
app.add_typer(channel.app, name="channel")
app.command("outbox")(channel.outbox)
app.add_typer(checks.app_app, name="app")
app.add_typer(checks.check_app, name="check")
app.command("checks")(checks.checks)
app.command("incidents")(checks.incidents)
app.add_typer(meeting.app, name="meeting")
app.command("ask")(inbox.ask)
app.add_typer(inbox.app, name="inbox")
app.add_typer(standup.app, name="standup")
app.add_typer(standup.leave_app, name="leave")


def main() -> None:
    app()
