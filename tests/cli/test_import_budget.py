"""A command loads only what it needs: what a fresh ``devday`` process imports, per mode.

Importing is most of a command's time, so these name the libraries each mode must not load: the
help loads no database, validation or web library; a local read no web stack, HTTP client or
settings library, nor Rich when its output goes to no terminal, nor Typer; a read from a server
no database, validation or HTTP library at all. Each runs the installed console script, as a user
does, and checks its output, so that a command that fails early cannot pass for a lean one.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli.conftest import Run, create_user, imported, ok
from tests.cli.test_remote import server  # noqa: F401 - the fixture: a devday server over HTTP
from tests.factories import PASSWORD

WEB = ("fastapi", "starlette", "jinja2", "uvicorn", "devday.app", "devday.web")
HTTP_CLIENTS = ("httpx", "httpx2", "httpcore", "httpcore2", "anyio")
# Rich's console and tables (its cell widths are used for text that is not ASCII).
RICH = ("rich.console", "rich.table", "rich.text")
# The everyday reads are parsed without Typer (devday.cli.quick), local or not.
LOCAL_HEAVY = (*WEB, *HTTP_CLIENTS, *RICH, "pydantic_settings", "typer", "alembic")
# http.client imports the email package, a fifth of a command's time: devday.cli.wire reads
# the answers instead.
REMOTE_HEAVY = (
    *LOCAL_HEAVY,
    "sqlalchemy",
    "pydantic",
    "devday.config",
    "devday.db",
    "http.client",
    "email",
)
# Rich draws the help; its Markdown and tracebacks (markdown-it, Pygments, attrs) are not used.
HELP_HEAVY = (
    *(m for m in REMOTE_HEAVY if m not in (*RICH, "typer")),
    "typer._adapters",
    "markdown_it",
    "pygments",
    "attr",
)


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages or m in packages)


def user_env(data_dir: Path) -> dict[str, str]:
    """A user's shell: the test's database and data folder, no other devday setting."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("DEVDAY_")}
    env.update(
        # Each command in its own process: what a local command imports there is the point
        # here (with a resident server it imports less still: tests/cli/test_resident.py).
        DEVDAY_RESIDENT_MINUTES="0",
        DEVDAY_DATA_DIR=str(data_dir),
        DEVDAY_DATABASE_URL=os.environ["DEVDAY_DATABASE_URL"],
        DEVDAY_SECRET_KEY="test-secret",
        COLUMNS="160",
    )
    env.pop("FORCE_COLOR", None)
    env.pop("TTY_COMPATIBLE", None)
    return env


def test_the_help_loads_no_database_validation_or_web_library(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("DEVDAY_")}
    env["DEVDAY_DATA_DIR"] = str(tmp_path)
    env["DEVDAY_RESIDENT_MINUTES"] = "0"
    (tmp_path / "run").mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "run")  # no help screen kept yet: Typer draws it
    drawn, modules = imported(["--help"], env)
    assert drawn.returncode == 0, drawn.stderr[-2000:]
    assert "Usage: devday" in drawn.stdout and " task " in drawn.stdout
    assert loaded(modules, HELP_HEAVY) == []
    assert "typer" in modules
    # The next one is read back (devday.cli.helpcache): no Typer, no Rich.
    kept, modules = imported(["--help"], env)
    assert kept.stdout == drawn.stdout
    assert loaded(modules, (*HELP_HEAVY, "typer", *RICH)) == []


def test_a_local_read_loads_no_web_stack_http_client_or_settings_library(
    run: Run, cli_env: Path
) -> None:
    create_user(run, "alex@example.com")
    ok(run("task", "add", "Fix login", "--deadline", "tomorrow 17:00", "--estimate", "2h"))
    env = user_env(cli_env)
    for args in (["task", "list"], ["duty"], ["today"]):
        done, modules = imported(args, env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Fix login" in done.stdout, (args, done.stdout)
        assert loaded(modules, LOCAL_HEAVY) == [], args
    # The domain itself is what answers: the same services the API's routes call.
    assert "devday.day.views" in modules and "sqlalchemy.orm" in modules


def test_a_read_from_a_server_loads_no_database_or_validation_library(
    run: Run,
    server: str,  # noqa: F811 - the fixture imported above
    cli_env: Path,
) -> None:
    create_user(run, "alex@example.com", "Europe/Berlin", "--server", server)
    ok(run("--server", server, "login", "--email", "alex@example.com", "--password-stdin",
           input=PASSWORD + "\n"))  # fmt: skip
    ok(run("task", "add", "Fix login", "--deadline", "tomorrow 17:00", "--estimate", "2h"))
    env = user_env(cli_env)  # cli.json there names the server and holds the token
    for args, shows in ((["task", "list"], "Fix login"), (["duty"], "Fix login"),
                        (["today"], "Due or overdue:")):  # fmt: skip
        done, modules = imported(args, env)
        assert done.returncode == 0, (args, done.stderr[-2000:])
        assert shows in done.stdout, (args, done.stdout)
        assert loaded(modules, REMOTE_HEAVY) == [], args
    assert "devday.cli.wire" in modules
