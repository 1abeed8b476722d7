"""Every CLI failure is one ``error: ...`` line on stderr and a non-zero exit, never a traceback
or a box."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Run, create_user


def assert_one_error_line(result: object, code: int) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == code, stderr  # type: ignore[attr-defined]
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, repr(stderr)
    assert result.stdout == ""  # type: ignore[attr-defined]
    return stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("task", "add"), "error: Missing argument 'title'. (see 'devday task add --help')\n"),
        (
            ("task", "show", "one"),
            "error: Invalid value for 'ID': Input should be a valid integer, unable to parse "
            "string as an integer (see 'devday task show --help')\n",
        ),
        (("task", "list", "--colour", "red"), None),
        (("tsk",), None),
    ],
)
def test_it_prints_usage_errors_on_one_line(
    run: Run, args: tuple[str, ...], line: str | None
) -> None:
    stderr = assert_one_error_line(run(*args), 2)
    assert "╭" not in stderr and "Usage:" not in stderr
    if line is not None:
        assert stderr == line


def test_it_refuses_an_argument_that_is_not_utf8(run: Run) -> None:
    create_user(run, "alex@example.com")
    # How Python hands over the bytes of "bad \xff utf8": the byte kept as a lone surrogate.
    result = run("task", "add", "bad \udcff utf8")
    assert assert_one_error_line(result, 2) == "error: argument 3 is not valid UTF-8 text\n"
    assert run("task", "list").stdout == "no tasks\n"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("wrapup", "0001-01-01"), "day"),
        (("wrapup", "9999-12-31"), "day"),
        (("reflect", "0001-01-01"), "day"),
        (("habit", "list", "0001-01-01"), "day"),
        (("plan", "show", "9999-12-31"), "day"),
        (("task", "add", "x", "--deadline", "0001-01-01T00:00:00+14:00"), "--deadline"),
        (("task", "add", "x", "--deadline", "in 99999999 weeks"), "--deadline"),
        (("task", "list", "--before", "9999-12-31"), "--before"),
        (("leave", "add", "0001-01-01", "0001-01-02"), "day"),
    ],
)
def test_it_refuses_far_dates_on_one_line(run: Run, args: tuple[str, ...], field: str) -> None:
    create_user(run, "alex@example.com")
    stderr = assert_one_error_line(run(*args), 1)
    assert stderr.lower().startswith(f"error: {field}: "), stderr
    assert "1970-01-01 to 2200-12-31" in stderr


def test_it_prints_one_line_for_an_unexpected_failure(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devday.cli import output

    def broken(*args: object, **kwargs: object) -> None:
        raise OverflowError("date value out of range")

    create_user(run, "alex@example.com")
    monkeypatch.setattr(output, "tasks_table", broken)
    run("task", "add", "x")
    result = run("task", "list")
    assert result.exit_code == 1
    assert result.stderr == "error: unexpected OverflowError: date value out of range\n"


def test_it_refuses_bytes_that_are_not_utf8_in_a_real_process(cli_env: Path) -> None:
    """The real console script, as a shell runs it (CliRunner cannot pass raw bytes)."""
    devday = Path(sys.executable).parent / "devday"
    result = subprocess.run(
        [os.fsencode(devday), b"task", b"add", b"bad \xff utf8"],
        capture_output=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == b"error: argument 3 is not valid UTF-8 text\n"
