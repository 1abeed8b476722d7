"""The CLI run by typer's CliRunner over the test database and a temporary data folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from devday.cli.client import ApiClient
from devday.cli.local import BackendPool
from devday.cli.main import app
from devday.cli.state import CliState
from tests.conftest import START
from tests.factories import PASSWORD

Run = Callable[..., Result]


@pytest.fixture
def cli_env(
    tmp_path: Path, database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The environment a user's shell would have; ``engine`` makes the database emptied after."""
    monkeypatch.setenv("DEVDAY_DATABASE_URL", database_url)
    monkeypatch.setenv("DEVDAY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DEVDAY_SECRET_KEY", "test-secret")
    monkeypatch.setenv("DEVDAY_ALLOW_PRIVATE_URLS", "true")  # receivers run on loopback
    monkeypatch.setenv("COLUMNS", "160")  # Rich wraps tables at the terminal's width
    for name in ("DEVDAY_SERVER", "DEVDAY_TOKEN", "DEVDAY_USER", "TZ"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def cli_pool() -> Iterator[BackendPool]:
    """One local backend (and one in-process API app) for every CLI test with the same settings,
    as the CLI builds one per process."""
    pool = BackendPool()
    yield pool
    pool.close()


@pytest.fixture
def run(cli_env: Path, cli_pool: BackendPool) -> Run:
    """``run("task", "list")``: the CLI, its clock at START (Mon 30 Nov, 10:00 in Berlin)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        state = CliState(now=lambda: START, pool=cli_pool)
        return runner.invoke(app, list(args), input=input, obj=state)

    return invoke


def create_user(run: Run, email: str, timezone: str = "Europe/Berlin", *extra: str) -> Result:
    result = run(
        *extra,
        "user",
        "create",
        email,
        "--name",
        email.split("@")[0].title(),
        "--timezone",
        timezone,
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    return result


def rows(output: str) -> list[str]:
    """A table's lines after the header, with each run of spaces made one."""
    return [" ".join(line.split()) for line in output.splitlines()[1:] if line.strip()]


class Clock:
    """The CLI's clock, moved by the test; the in-process API reads the same one."""

    def __init__(self) -> None:
        self.at = START

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def cli_clock() -> Clock:
    return Clock()


@pytest.fixture
def run_at(cli_env: Path, cli_clock: Clock, cli_pool: BackendPool) -> Run:
    """Like ``run``, with the clock that ``cli_clock`` sets."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        state = CliState(now=cli_clock.now, pool=cli_pool)
        return runner.invoke(app, list(args), input=input, obj=state)

    return invoke


def ok(result: Result) -> str:
    """The output of a command that must have succeeded."""
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Each request the CLI makes from now on, as ``(method, path)``, local or not."""
    requests: list[tuple[str, str]] = []
    request = ApiClient.request

    def recorded(self: ApiClient, method: str, path: str, **options: Any) -> Any:
        requests.append((method, path))
        return request(self, method, path, **options)

    monkeypatch.setattr(ApiClient, "request", recorded)
    return requests


DEVDAY = str(Path(sys.executable).parent / "devday")  # the console script a user runs


def imported(
    args: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``devday ARGS`` run in a new process, and every module it imported; its stderr without
    the import times."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", DEVDAY, *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    timed = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    modules = {line.rsplit("|", 1)[1].strip() for line in timed if "|" in line}
    done.stderr = "".join(
        f"{line}\n" for line in done.stderr.splitlines() if not line.startswith("import time:")
    )
    return done, modules
