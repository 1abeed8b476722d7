"""Help screens drawn by Typer once, then read back (``devday.cli.helpcache``): the same bytes
for the same code, command line and terminal, drawn anew when any of them changes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devday.cli import helpcache, runtime
from tests.cli.conftest import imported


def help_env(runtime_dir: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("DEVDAY_")}
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS"):
        env.pop(name, None)
    env.update(XDG_RUNTIME_DIR=str(runtime_dir), DEVDAY_DATA_DIR=str(tmp_path), COLUMNS="100")
    env.update(extra)
    return env


def devday(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], bool]:
    """``devday ARGS`` in a new process, and whether it imported Typer (drew the screen)."""
    done, modules = imported(args, env)
    return done, "typer" in modules


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    return folder


def kept(runtime_dir: Path) -> list[Path]:
    return sorted((runtime_dir / "devday").glob("help-*.txt"))


@pytest.mark.parametrize("args", [["--help"], ["task", "list", "--help"], ["plan", "-h"]])
def test_a_screen_is_drawn_once_then_read_back_the_same(
    args: list[str], runtime_dir: Path, tmp_path: Path
) -> None:
    env = help_env(runtime_dir, tmp_path)
    first, drew = devday(args, env)
    assert (first.returncode, first.stderr, drew) == (0, "", True)
    assert "Usage: devday" in first.stdout
    assert len(kept(runtime_dir)) == 1
    again, drew_again = devday(args, env)
    assert (again.returncode, again.stderr, drew_again) == (0, "", False)
    assert again.stdout == first.stdout


def test_another_width_colour_or_code_is_drawn_anew(
    runtime_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide, _ = devday(["--help"], help_env(runtime_dir, tmp_path))
    narrow_env = help_env(runtime_dir, tmp_path, COLUMNS="60")
    narrow, drew = devday(["--help"], narrow_env)
    assert drew and narrow.stdout != wide.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    again, drew = devday(["--help"], narrow_env)
    assert (again.stdout, drew) == (narrow.stdout, False)
    coloured, drew = devday(["--help"], help_env(runtime_dir, tmp_path, FORCE_COLOR="1"))
    assert drew and "\x1b[" in coloured.stdout and "\x1b[" not in wide.stdout
    assert len(kept(runtime_dir)) == 3

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
    before = helpcache.kept_path(["--help"])
    newest, count = runtime.code_stamp()
    monkeypatch.setattr(runtime, "code_stamp", lambda: (newest + 1, count))  # a file edited
    assert before is not None and helpcache.kept_path(["--help"]) not in (None, before)


def test_a_usage_error_is_never_kept(runtime_dir: Path, tmp_path: Path) -> None:
    env = help_env(runtime_dir, tmp_path)
    for _ in range(2):
        wrong, drew = devday(["tsk", "--help"], env)
        assert (wrong.returncode, drew) == (2, True)
        assert "No such command 'tsk'" in wrong.stderr
    assert kept(runtime_dir) == []


@pytest.mark.parametrize(
    "argv",
    [[], ["task", "list"], ["--server", "x", "--help"], ["task", "--json", "--help"],
     ["a", "b", "c", "--help"], ["t\u00e2sk", "--help"], ["--help", "task"]],
    ids=repr,
)  # fmt: skip
def test_only_a_plain_help_command_line_is_kept(
    argv: list[str], runtime_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
    assert helpcache.kept_path(argv) is None


def test_a_folder_others_may_open_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    (shared / "devday").mkdir(parents=True)
    (shared / "devday").chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    assert helpcache.kept_path(["--help"]) is None


def test_it_keeps_the_newest_screens_only(
    runtime_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
    paths = []
    for width in range(helpcache.KEPT + 3):
        monkeypatch.setenv("COLUMNS", str(60 + width))
        path = helpcache.kept_path(["--help"])
        assert path is not None and path not in paths
        recorder = helpcache.Recorder(open(os.devnull, "w"))
        recorder.write(f"screen {width}\n")
        helpcache.keep(path, recorder)
        recorder.stream.close()
        os.utime(path, ns=(width * 10**9, width * 10**9))  # in the order written
        paths.append(path)
    assert kept(runtime_dir) == sorted(paths[-helpcache.KEPT :])
    assert helpcache.show(paths[-1]) == 0
