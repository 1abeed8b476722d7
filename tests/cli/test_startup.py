"""What the CLI does before a command runs: commands loaded lazily, a slim import path, the exit."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from devday.cli import main
from tests.cli.conftest import Run, create_user, ok

DEVDAY = str(Path(sys.executable).parent / "devday")


def eager() -> typer.Typer:
    """The root app as it was before lazy loading: every command registered up front."""
    app = typer.Typer(
        cls=main.OneLineErrors,
        name="devday",
        help=main.app.info.help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(main.root)
    for name, (module, attribute) in main.COMMANDS.items():
        app.command(name)(getattr(importlib.import_module(f"devday.cli.{module}"), attribute))
    for name, (module, attribute) in main.GROUPS.items():
        app.add_typer(
            getattr(importlib.import_module(f"devday.cli.{module}"), attribute), name=name
        )
    return app


@pytest.mark.parametrize(
    "args",
    [["--help"], [], ["task", "--help"], ["task", "list", "--help"], ["plan", "--help"],
     ["plan", "show", "--help"], ["busy", "add", "--help"], ["me", "--help"], ["tsk"]],
)  # fmt: skip
def test_it_shows_the_help_and_usage_errors_eager_loading_showed(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    lazy, full = CliRunner().invoke(main.app, args), CliRunner().invoke(eager(), args)
    assert (lazy.exit_code, lazy.stdout, lazy.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert "Usage" in lazy.stdout or lazy.stderr.startswith("error: No such command 'tsk'")


def test_it_builds_only_the_command_typed() -> None:
    main._BUILT.clear()
    CliRunner().invoke(main.app, ["--help"])
    assert main._BUILT == {}  # the root's help lists commands from their docstrings
    result = CliRunner().invoke(main.app, ["task", "list", "--help"])
    assert result.exit_code == 0, result.output
    assert list(main._BUILT) == ["task"]
    assert list(main._BUILT["task"].commands._built) == ["list"]


def test_it_reads_without_importing_the_web_stack(run: Run) -> None:
    create_user(run, "alex@example.com")
    ok(run("task", "add", "Fix login", "--deadline", "tomorrow 17:00", "--estimate", "2h"))
    ok(run("plan"))
    script = """
import json, sys
from typer.testing import CliRunner
from devday.cli.main import app
for args in (["task", "list"], ["task", "show", "1"], ["duty"], ["today"], ["me"],
             ["plan", "show", "2026-11-30", "--keep"]):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
heavy = ("fastapi", "starlette", "alembic", "argon2", "markdown_it", "nh3", "httpx2", "jinja2",
         "uvicorn", "email_validator", "devday.app", "devday.web")
print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_it_exits_with_the_commands_code_and_its_output_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVDAY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DEVDAY_DATABASE_URL", raising=False)
    for name in ("DEVDAY_SERVER", "DEVDAY_TOKEN", "DEVDAY_USER"):
        monkeypatch.delenv(name, raising=False)
    helped = subprocess.run([DEVDAY, "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "Usage: devday" in helped.stdout
    wrong = subprocess.run([DEVDAY, "tsk"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "No such command 'tsk'" in wrong.stderr
    failed = subprocess.run([DEVDAY, "task", "list"], capture_output=True, text=True)
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: no account in the local database yet")
