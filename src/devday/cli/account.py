"""Who the CLI acts for: login and logout (a server), use (the local database), me, user create."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from devday.cli import output
from devday.cli.client import CliError, remote_client
from devday.cli.state import state

user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def read_password(from_stdin: bool, *, confirm: bool) -> str:
    if from_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
        if not password:
            raise CliError("--password-stdin: stdin held no password")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


def login(
    ctx: typer.Context,
    server: Annotated[
        str | None,
        typer.Option(
            "--server", help="The server's URL (as the --server before the command says it)."
        ),
    ] = None,
    email: Annotated[str | None, typer.Option(help="Your account's email.")] = None,
    password_stdin: PasswordStdin = False,
    name: Annotated[str | None, typer.Option(help="A name for the token.")] = None,
) -> None:
    """Log in to a devday server and save a token for it; later commands go there."""
    cli = state(ctx)
    if server is not None:
        cli.server = server
    server = cli.remote_server()
    if server is None:
        raise CliError("name the server: devday login --server https://devday.example.com")
    email = email or str(typer.prompt("Email"))
    password = read_password(password_stdin, confirm=False)
    import socket

    token_name = name or f"devday CLI on {socket.gethostname()}"
    client = remote_client(server, None)
    try:
        body = {"email": email, "password": password, "name": token_name}
        token = client.post("/api/v1/auth/token", body, auth=False)
    finally:
        client.close()
    config = cli.config()
    config.server = server
    config.tokens[server] = token["token"]
    config.save()
    output.line(f"logged in to {server} as {email}; the token is saved in {config.path}")


def logout(ctx: typer.Context) -> None:
    """Forget the saved server and its token; later commands use the local database."""
    config = state(ctx).config()
    if config.server is None:
        output.line("not logged in to a server; commands use the local database")
        return
    server = config.server
    config.tokens.pop(server, None)
    config.server = None
    config.save()
    output.line(f"logged out of {server} (the token stays valid until revoked there)")


def use(ctx: typer.Context, email: str) -> None:
    """Act as EMAIL, an account in the local database, from now on."""
    cli = state(ctx)
    client = cli.local_client(email)
    try:
        me = client.get("/api/v1/me")
    finally:
        client.close()
    config = cli.config()
    config.user = me["email"]
    config.save()
    output.line(f"now acting as {me['name']} <{me['email']}> in the local database")


def me(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Who you are, and where the CLI is talking to."""
    cli = state(ctx)
    profile = cli.me()
    if as_json:
        output.raw_json(profile)
        return
    output.fields(
        [
            ("name", profile["name"]),
            ("email", profile["email"]),
            ("timezone", profile["timezone"]),
            ("id", profile["id"]),
            ("via", cli.client().where),
        ]
    )


def system_timezone() -> str:
    """This machine's IANA timezone, as a default for new accounts; UTC when unknown."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = str(Path("/etc/localtime").resolve())
        except OSError:
            target = ""
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    return name or "UTC"


@user_app.command("create")
def create_user(
    ctx: typer.Context,
    email: str,
    name: Annotated[str | None, typer.Option(help="Your name. Default: from the email.")] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA timezone, such as Europe/Berlin. Default: this machine's."),
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (in the local database, or on the server you named)."""
    cli = state(ctx)
    password = read_password(password_stdin, confirm=True)
    body = {
        "email": email,
        "name": name or email.split("@", 1)[0],
        "password": password,
        "timezone": timezone or system_timezone(),
    }
    client = cli.client()
    user = client.post("/api/v1/users", body, auth=False)
    if cli.remote_server() is None:
        config = cli.config()
        config.user = user["email"]
        config.save()
        output.line(f"created {user['email']} ({user['timezone']}); the CLI now acts as them")
    else:
        output.line(f"created {user['email']} on {client.where}; now run 'devday login'")


@user_app.command("reset-password")
def reset_password(
    ctx: typer.Context,
    email: str,
    link: Annotated[
        bool,
        typer.Option(
            "--link", help="Print a single-use reset link (valid one hour) instead of asking."
        ),
    ] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Reset an account's password on this server's database, for servers without email: set a
    new one (its browsers are signed out), or print a reset link to hand to its owner."""
    from itsdangerous import URLSafeSerializer
    from pydantic import ValidationError

    from devday.account import reset
    from devday.account.ratelimit import RateLimits
    from devday.account.schemas import NewPassword
    from devday.cli.local import LocalBackend
    from devday.config import Settings
    from devday.db import transaction
    from devday.errors import DomainError

    cli = state(ctx)
    if cli.remote_server() is not None:
        raise CliError(
            "reset-password works on the server's own database: run it on the server, without "
            "--server (or send a reset email from the server's /reset-password page)"
        )
    settings = Settings()
    backend = cli.pool.get(settings) if cli.pool is not None else LocalBackend(settings)
    try:
        new = None if link else read_password(password_stdin, confirm=True)
        with transaction(backend.writer) as session:
            if new is None:
                signer = URLSafeSerializer(settings.resolved_secret_key())
                url = reset.reset_link(
                    session=session, settings=settings, signer=signer, email=email, now=cli.now()
                )
            else:
                user = reset.set_password(
                    session=session,
                    limits=RateLimits(settings.redis_url),
                    settings=settings,
                    email=email,
                    password=NewPassword(password=new).password,
                )
                done = f"set a new password for {user.email}; their browsers are signed out"
    except ValidationError as exc:
        raise CliError("the password needs 10 to 200 characters") from exc
    except DomainError as exc:
        raise CliError(exc.message) from exc
    finally:
        if cli.pool is None:
            backend.close()
    if new is None:
        output.line(url)
        output.line(
            f"this link sets a new password for {email} once, within {reset.RESET_HOURS} hour(s)"
        )
    else:
        output.line(done)
